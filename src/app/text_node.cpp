#include "text_node.hpp"

#include "distribution.hpp"

#include "ops_routes.hpp"
#include "settings.hpp"
#include "signals.hpp"
#include "storage.hpp"
#include "voice_node.hpp"

#include "driftway/auth/account_routes.hpp"
#include "driftway/auth/authenticator.hpp"
#include "driftway/auth/crypto.hpp"
#include "driftway/bus/event_bus.hpp"
#include "driftway/bus/rate_limiter.hpp"
#include "driftway/bus/voice_commands.hpp"
#include "driftway/bus/voice_states.hpp"
#include "driftway/core/block_on.hpp"
#include "driftway/core/log.hpp"
#include "driftway/core/metrics.hpp"
#include "driftway/core/process.hpp"
#include "driftway/core/snowflake.hpp"
#include "driftway/jobs/node.hpp"
#include "driftway/net/server.hpp"
#include "driftway/net/static_files.hpp"
#include "driftway/store/backend.hpp"
#include "driftway/store/file_store.hpp"
#include "driftway/text/directory.hpp"
#include "driftway/text/events.hpp"
#include "driftway/text/gateway/gateway.hpp"
#include "driftway/text/remote_invalidation.hpp"
#include "driftway/text/services.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>

#include <filesystem>
#include <thread>

namespace driftway::app {

namespace {

bus::gcra_limit limit_of(const rate_rule& r) {
    return {r.per_second, std::max(1.0, r.burst)};
}

const char* role_name(node_role role) {
    return role == node_role::single ? "serve" : "text";
}

// Settings from the config file seed the instance until an owner exists and
// takes over in PATCH /instance. Returns the upload limit in force.
boost::asio::awaitable<std::int64_t> seed_instance(store::backend& db, const config& c) {
    auto settings = co_await db.instance().get();
    if (!settings.owner_id) {
        settings.name = c.instance.name;
        settings.registration = c.instance.registration;
        settings.max_upload_bytes = static_cast<std::int64_t>(c.instance.max_upload_bytes);
        co_await db.instance().put(settings);
    }
    co_return settings.max_upload_bytes;
}

std::string listening_url(const config& c, const std::string& host, std::uint16_t port) {
    const std::string shown = host.find(':') != std::string::npos ? "[" + host + "]" : host;
    return (c.tls.enabled ? "https://" : "http://") + shown + ":" + std::to_string(port);
}

}  // namespace

void run_text_node(const config& c, const std::string& version, node_role role) {
    auth::init_crypto();
    log::info("starting", {{"version", version},
                           {"role", role_name(role)},
                           {"node_id", c.server.node_id},
                           {"data_dir", c.storage.data_dir}});
    std::filesystem::create_directories(c.storage.data_dir);

    // Storage and identity.
    auto db = open_storage(c, 2);
    const auto upload_limit = block_on(seed_instance(*db, c));
    auto files = store::make_local_file_store(c.storage.data_dir + "/files");
    const auto signer = auth::jwt_signer::load_or_create(jwt_key_path(c));
    const auth::jwt_verifier verifier({signer.public_key()});
    snowflake_generator ids(c.server.node_id);

    // argon2id is CPU-bound; it gets threads of its own, apart from the shards.
    boost::asio::thread_pool hashing(std::max(1u, std::thread::hardware_concurrency()));
    // Before dist: the Redis thread uses it until dist stops.
    text::directory directory(*db);
    // What crosses nodes: in-process on one node, Redis with [redis] url.
    distribution dist(c);
    auto& limiter = dist.limiter();
    auto& events_bus = dist.events();
    auth::authenticator authn(verifier, db->api_keys());
    auth::session_service sessions(signer, db->refresh_tokens(), c.auth.access_token_ttl,
                                   c.auth.refresh_token_ttl);
    auth::password_cost cost = auth::password_cost::interactive;
    auth::parse_password_cost(c.auth.password_cost, cost);
    const json::parse_limits limits{.max_bytes = c.server.max_body_bytes,
                                    .max_depth = c.server.max_json_depth};

    // Other nodes' writes reach this node only as events: forget what they
    // changed before the sessions here recompute access.
    dist.on_remote_event(
        [&directory](const bus::event& e) { text::forget_for_event(directory, e); });
    directory.set_shared_cache(dist.shared_cache());  // null on a single node
    text::event_publisher publisher(events_bus);
    // Voice participants and moderation commands, shared with the voice service.
    auto& voice_states = dist.voice_states();
    auto& voice_commands = dist.voice_commands();
    text::text_services text_services{.db = *db,
                                      .dir = directory,
                                      .events = publisher,
                                      .ids = ids,
                                      .files = *files,
                                      .limits = limits,
                                      .voice = {.enabled = c.voice.enabled,
                                                .endpoint = c.voice.endpoint,
                                                .tls = c.tls.enabled,
                                                .token_ttl_seconds = c.voice.token_ttl_seconds,
                                                .turn_urls = c.voice.turn_urls,
                                                .turn_secret = c.voice.turn_secret,
                                                .turn_ttl_seconds = c.voice.turn_ttl_seconds},
                                      .voice_states = voice_states,
                                      .voice_commands = voice_commands,
                                      .voice_signer = signer};

    // Which voice node a channel's participants go to. In a cluster the text
    // nodes choose among the registered voice nodes, all alike; a single node
    // with Redis and a [voice] endpoint is one of them. Otherwise: its own.
    if (dist.clustered()) {
        if (role == node_role::single && c.voice.enabled && !c.voice.endpoint.empty())
            dist.register_voice_node(c.server.node_id, c.voice.endpoint);
        if (role == node_role::text || !c.voice.endpoint.empty()) {
            text_services.voice.locate = [registry = dist.voice_nodes()](std::uint64_t channel) {
                return registry->endpoint_for(channel);
            };
        }
    }

    auth::account_services accounts{
        .db = *db,
        .sessions = sessions,
        .verifier = verifier,
        .authn = authn,
        .ids = ids,
        .hashing = hashing.get_executor(),
        .cost = cost,
        .limits = limits,
        .login_limit = limit_of(c.rate_limits.login),
        .register_limit = limit_of(c.rate_limits.register_),
        .version = version,
        .invite_is_valid =
            [&](std::string code) { return text::invite_is_valid(text_services, std::move(code)); },
        .join_with_invite =
            [&](std::uint64_t user, std::string code) {
                return text::join_with_invite(text_services, user, std::move(code));
            },
        .user_changed =
            [&](std::uint64_t user) {
                directory.forget_user(user);
                if (dist.clustered()) events_bus.publish(text::make_forget_user_event(user));
            },
    };

    // HTTP routes.
    net::router router;
    auth::api_router api(router, authn, limiter,
                         {.enabled = c.rate_limits.enabled,
                          .ip = limit_of(c.rate_limits.ip),
                          .user = limit_of(c.rate_limits.user),
                          .key = limit_of(c.rate_limits.key)});
    auth::add_auth_routes(api, accounts);
    auth::add_user_routes(api, accounts);
    auth::add_api_key_routes(api, accounts);
    auth::add_instance_routes(api, accounts);
    text::add_space_routes(api, text_services);
    text::add_invite_routes(api, text_services);
    text::add_channel_routes(api, text_services);
    text::add_message_routes(api, text_services);
    text::add_search_routes(api, text_services);
    text::add_attachment_routes(api, text_services);
    text::add_voice_routes(api, text_services);
    std::vector<health_check> checks{database_check(*db)};
    for (auto& check : dist.checks()) checks.push_back(std::move(check));
    add_ops_routes(router, std::move(checks), version);
    process::register_metrics(metrics::global(), version);

    // The web client, when built: every GET the API does not answer.
    net::handler web_client;
    if (!c.server.web_root.empty())
        web_client = net::make_static_files_handler({.root = c.server.web_root});

    net::pipeline pipeline(std::move(router), {.cors_origins = c.server.cors_origins,
                                               .hsts = c.tls.enabled,
                                               .hsts_max_age = c.tls.hsts_max_age,
                                               .access_log = c.log.access_log,
                                               .fallback = std::move(web_client)});

    net::server_options options;
    options.host = c.listen_host();
    options.port = c.listen_port();
    options.shards =
        c.server.shards ? c.server.shards : std::max(1u, std::thread::hardware_concurrency());
    options.max_body_bytes = c.server.max_body_bytes;
    // The limit in force at start; raising it with PATCH /instance takes
    // effect for the server's body limit at the next start.
    options.max_upload_bytes =
        std::max<std::size_t>(c.instance.max_upload_bytes, static_cast<std::size_t>(upload_limit));
    options.upload_path_prefixes = {"/api/v1/attachments"};
    options.tls.enabled = c.tls.enabled;
    options.tls.cert_file = c.tls.cert_file;
    options.tls.key_file = c.tls.key_file;
    if (!c.tls.redirect_listen.empty())
        split_host_port(c.tls.redirect_listen, options.tls.redirect_host,
                        options.tls.redirect_port);

    net::server server(options, pipeline);

    // The gateway lives on the shards, which exist once the server started;
    // upgrades are routed to it from then on.
    std::unique_ptr<text::gateway> gateway;
    server.add_websocket("/gateway",
                         [&gateway](const net::request& req) -> std::unique_ptr<net::ws::handler> {
                             return gateway ? gateway->acceptor()(req) : nullptr;
                         },
                         {.max_message_bytes = 16 << 10,
                          .max_queued_bytes = c.gateway.max_queued_bytes,
                          .overflow_close_code = 4010});

    // Voice: the SFU on its own thread and UDP port, signaling on /voice.
    std::unique_ptr<voice::service> voice;
    if (role == node_role::single && c.voice.enabled) {
        voice = std::make_unique<voice::service>(voice_service_options(c), verifier, voice_states,
                                                 events_bus, voice_commands);
        server.add_websocket("/voice", voice->acceptor(), voice::service::socket_options());
    }

    const auto grace = std::chrono::seconds(c.server.shutdown_grace_seconds);
    signal_watcher signals(
        [&](int sig) {
            log::info("shutting down", {{"signal", sig}});
            server.stop(std::chrono::duration_cast<std::chrono::milliseconds>(grace));
        },
        [&] {
            if (!c.tls.enabled) return;
            if (server.reload_tls())
                log::info("tls reloaded");
            else
                log::error("tls reload failed; keeping the previous certificate");
        });

    server.start();
    gateway = std::make_unique<text::gateway>(
        text_services, authn, events_bus, server.shards(),
        text::gateway_options{
            .heartbeat_interval = std::chrono::milliseconds(c.gateway.heartbeat_interval_ms),
            .resume_grace = std::chrono::seconds(c.gateway.resume_grace_seconds),
            .replay_events = c.gateway.replay_events,
            .large_space_threshold = static_cast<int>(c.gateway.large_space_threshold),
            .presence = dist.presence()});
    if (!dist.wait_ready(std::chrono::seconds(5)))
        log::warn("redis is not reachable yet; other nodes' events arrive once it is");

    json::object listening{{"url", listening_url(c, options.host, server.port())},
                           {"host", options.host},
                           {"port", server.port()},
                           {"shards", options.shards},
                           {"tls", c.tls.enabled}};
    if (!options.tls.redirect_host.empty()) listening["redirect_port"] = server.redirect_port();
    log::info("listening", std::move(listening));

    // Retried asynchronous work (http_post deliveries): one runner per node,
    // on its own thread; stopped before the storage closes.
    jobs::node job_runner(db->jobs(), jobs::runner_options_from(c));
    server.run();
    job_runner.stop();

    gateway.reset();
    voice.reset();
    dist.shutdown();
    hashing.join();
    db->close();
    log::info("stopped");
}

int serve_text(const config& c, const std::string& version) {
    run_text_node(c, version, node_role::text);
    return 0;
}

}  // namespace driftway::app
