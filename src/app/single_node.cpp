#include "single_node.hpp"

#include "ops_routes.hpp"
#include "settings.hpp"

#include "driftway/auth/account_routes.hpp"
#include "driftway/auth/authenticator.hpp"
#include "driftway/auth/crypto.hpp"
#include "driftway/bus/rate_limiter.hpp"
#include "driftway/core/log.hpp"
#include "driftway/core/metrics.hpp"
#include "driftway/core/process.hpp"
#include "driftway/core/snowflake.hpp"
#include "driftway/net/server.hpp"
#include "driftway/store/backend.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/thread_pool.hpp>

#include <filesystem>
#include <thread>

namespace driftway::app {

namespace {

bus::gcra_limit limit_of(const rate_rule& r) {
    return {r.per_second, std::max(1.0, r.burst)};
}

// Settings from the config file seed the instance until an owner exists and
// takes over in PATCH /instance.
boost::asio::awaitable<void> seed_instance(store::backend& db, const config& c) {
    auto settings = co_await db.instance().get();
    if (settings.owner_id) co_return;
    settings.name = c.instance.name;
    settings.registration = c.instance.registration;
    settings.max_upload_bytes = static_cast<std::int64_t>(c.instance.max_upload_bytes);
    co_await db.instance().put(settings);
}

}  // namespace

int serve(const config& c, const std::string& version) {
    auth::init_crypto();
    log::info("starting", {{"version", version}, {"data_dir", c.storage.data_dir}});
    std::filesystem::create_directories(c.storage.data_dir);

    auto db = store::make_sqlite({.path = database_path(c), .read_threads = 2, .migrate = true});
    {
        boost::asio::io_context setup;
        boost::asio::co_spawn(setup, seed_instance(*db, c), [](std::exception_ptr e) {
            if (e) std::rethrow_exception(e);
        });
        setup.run();
    }

    const auto signer = auth::jwt_signer::load_or_create(jwt_key_path(c));
    const auth::jwt_verifier verifier({signer.public_key()});
    // argon2id is CPU-bound; one thread per core, apart from the shards.
    boost::asio::thread_pool hashing(std::max(1u, std::thread::hardware_concurrency()));
    bus::memory_rate_limiter limiter;
    auth::authenticator authn(verifier, db->api_keys());
    auth::session_service sessions(signer, db->refresh_tokens(), c.auth.access_token_ttl,
                                   c.auth.refresh_token_ttl);
    snowflake_generator ids(c.server.node_id);
    auth::password_cost cost = auth::password_cost::interactive;
    auth::parse_password_cost(c.auth.password_cost, cost);

    auth::account_services accounts{
        .db = *db,
        .sessions = sessions,
        .verifier = verifier,
        .authn = authn,
        .ids = ids,
        .hashing = hashing.get_executor(),
        .cost = cost,
        .limits = {.max_bytes = c.server.max_body_bytes, .max_depth = c.server.max_json_depth},
        .login_limit = limit_of(c.rate_limits.login),
        .register_limit = limit_of(c.rate_limits.register_),
        .version = version,
        .invite_is_valid = {},
    };

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
    add_ops_routes(router, *db, version);
    process::register_metrics(metrics::global(), version);

    net::pipeline pipeline(std::move(router), {.cors_origins = c.server.cors_origins,
                                               .hsts = c.tls.enabled,
                                               .hsts_max_age = c.tls.hsts_max_age,
                                               .access_log = c.log.access_log});

    net::server_options options;
    options.host = c.listen_host();
    options.port = c.listen_port();
    options.shards =
        c.server.shards ? c.server.shards : std::max(1u, std::thread::hardware_concurrency());
    options.max_body_bytes = c.server.max_body_bytes;
    options.tls.enabled = c.tls.enabled;
    options.tls.cert_file = c.tls.cert_file;
    options.tls.key_file = c.tls.key_file;
    if (!c.tls.redirect_listen.empty())
        split_host_port(c.tls.redirect_listen, options.tls.redirect_host,
                        options.tls.redirect_port);

    net::server server(options, pipeline);
    // Signals are handled on their own thread so a busy shard cannot delay shutdown.
    boost::asio::io_context signal_io;
    boost::asio::signal_set signals(signal_io, SIGINT, SIGTERM, SIGHUP);
    const auto grace = std::chrono::seconds(c.server.shutdown_grace_seconds);
    std::function<void()> wait_signal = [&] {
        signals.async_wait([&](const boost::system::error_code& ec, int sig) {
            if (ec) return;
            if (sig == SIGHUP) {
                if (c.tls.enabled) {
                    if (server.reload_tls())
                        log::info("tls reloaded");
                    else
                        log::error("tls reload failed; keeping the previous certificate");
                }
                wait_signal();
                return;
            }
            log::info("shutting down", {{"signal", sig}});
            server.stop(std::chrono::duration_cast<std::chrono::milliseconds>(grace));
        });
    };
    wait_signal();
    std::thread signal_thread([&] { signal_io.run(); });
    // Joins the signal thread on every way out, including a failed start().
    const std::unique_ptr<std::thread, void (*)(std::thread*)> signal_thread_guard(
        &signal_thread, [](std::thread* t) {
            if (t->joinable()) t->join();
        });
    struct stop_signals {
        boost::asio::io_context& io;
        ~stop_signals() { io.stop(); }
    } stop_signal_io{signal_io};
    server.start();

    const std::string scheme = c.tls.enabled ? "https" : "http";
    const std::string shown_host =
        options.host.find(':') != std::string::npos ? "[" + options.host + "]" : options.host;
    const std::string url = scheme + "://" + shown_host + ":" + std::to_string(server.port());
    json::object listening{{"url", url},
                           {"host", options.host},
                           {"port", server.port()},
                           {"shards", options.shards},
                           {"tls", c.tls.enabled}};
    if (!options.tls.redirect_host.empty()) listening["redirect_port"] = server.redirect_port();
    log::info("listening", std::move(listening));

    server.run();

    hashing.join();
    db->close();
    log::info("stopped");
    return 0;
}

}  // namespace driftway::app
