#include "gateway_node.hpp"

#include "ops_routes.hpp"
#include "settings.hpp"
#include "signals.hpp"

#include "driftway/auth/crypto.hpp"
#include "driftway/auth/jwt.hpp"
#include "driftway/bus/rate_limiter.hpp"
#include "driftway/core/log.hpp"
#include "driftway/core/process.hpp"
#include "driftway/gateway/health_checker.hpp"
#include "driftway/net/server.hpp"

#include <algorithm>
#include <thread>

namespace driftway::app {

namespace {

// Segments a proxied path may have below /api/v1; the router matches at most
// 32 segments in all.
constexpr int max_proxied_depth = 30;

bus::gcra_limit gcra_of(const rate_rule& r) {
    return {r.per_second, std::max(1.0, r.burst)};
}

// The router has no wildcard: /api/v1/{p1}, /api/v1/{p1}/{p2}, … each lead to
// the proxy, for every method the API uses (HEAD goes with GET).
void add_proxy_routes(net::router& router, gateway::proxy& p) {
    const net::handler h = [&p](net::request& req) { return p.handle(req); };
    std::string pattern = "/api/v1";
    for (int depth = 1; depth <= max_proxied_depth; ++depth) {
        pattern += "/{p" + std::to_string(depth) + "}";
        for (const auto m : {net::method::get, net::method::post, net::method::put,
                             net::method::patch, net::method::delete_, net::method::options})
            router.add(m, pattern, h);
    }
}

health_check upstreams_check(const gateway::upstream_group& group) {
    return {"upstreams", [&group]() -> boost::asio::awaitable<store::health> {
                const std::size_t healthy = group.healthy_count();
                store::health h;
                h.ok = healthy > 0;
                h.detail = std::to_string(healthy) + "/" + std::to_string(group.members().size()) +
                           " " + group.name() + " upstreams healthy";
                co_return h;
            }};
}

}  // namespace

gateway::proxy_options proxy_options_from(const config& c) {
    const auto& p = c.proxy;
    return {.request_timeout = std::chrono::milliseconds(p.request_timeout_ms),
            .retries = p.retries,
            .backoff = {.base_ms = p.backoff_base_ms, .max_ms = p.backoff_max_ms},
            .cache_ttl_ms = static_cast<std::int64_t>(p.cache_ttl_seconds) * 1000,
            .cache_max_entries = p.cache_max_entries};
}

int serve_gateway(const config& c, const std::string& version) {
    if (c.proxy.text_upstreams.empty())
        throw std::invalid_argument("proxy.text_upstreams: list at least one HOST:PORT");
    auth::init_crypto();
    log::info("starting api gateway", {{"version", version}});

    // Tokens are verified with the instance key the text nodes sign them
    // with (the same key file, shared between nodes), only to find the
    // caller's rate-limit bucket; the text node authenticates for real.
    const auto signer = auth::jwt_signer::load_or_create(jwt_key_path(c));
    const auth::jwt_verifier verifier({signer.public_key()});

    const gateway::breaker_options breaker{
        .failures_to_open = c.proxy.breaker_failures,
        .open_ms = static_cast<std::int64_t>(c.proxy.breaker_open_ms)};
    gateway::upstream_group text_group("text", c.proxy.text_upstreams, breaker);
    // Voice nodes serve only the /voice WebSocket, which nginx routes to them
    // directly; they are listed for health reporting alone.
    gateway::upstream_group voice_group("voice", c.proxy.voice_upstreams, breaker);

    net::http_client client({.connect_timeout = std::chrono::milliseconds(
                                 std::min(c.proxy.health_timeout_ms, c.proxy.request_timeout_ms))});
    // Process-local until the wiring swaps in bus::redis_rate_limiter.
    bus::memory_rate_limiter limiter;
    gateway::caller_limits limits(&verifier, limiter,
                                  {.enabled = c.rate_limits.enabled,
                                   .ip = gcra_of(c.rate_limits.ip),
                                   .user = gcra_of(c.rate_limits.user),
                                   .key = gcra_of(c.rate_limits.key)});
    gateway::proxy proxy(text_group, client, limits, proxy_options_from(c));
    std::vector<gateway::upstream_group*> groups{&text_group};
    if (!voice_group.members().empty()) groups.push_back(&voice_group);
    gateway::health_checker health(
        groups, client,
        {.interval = std::chrono::milliseconds(c.proxy.health_interval_ms),
         .timeout = std::chrono::milliseconds(c.proxy.health_timeout_ms)});

    net::router router;
    std::vector<health_check> checks{upstreams_check(text_group)};
    add_ops_routes(router, std::move(checks), version);
    add_proxy_routes(router, proxy);
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
    options.max_upload_bytes = c.instance.max_upload_bytes;
    options.upload_path_prefixes = {"/api/v1/attachments"};
    options.tls.enabled = c.tls.enabled;
    options.tls.cert_file = c.tls.cert_file;
    options.tls.key_file = c.tls.key_file;
    net::server server(options, pipeline);

    signal_watcher signals(
        [&](int sig) {
            log::info("shutting down", {{"signal", sig}});
            health.stop();
            server.stop(std::chrono::seconds(c.server.shutdown_grace_seconds));
        },
        [&] {
            if (c.tls.enabled) server.reload_tls();
        });
    server.start();
    health.start(*server.shards().front());
    log::info("listening", {{"host", options.host},
                            {"port", server.port()},
                            {"shards", options.shards},
                            {"text_upstreams", text_group.members().size()}});
    server.run();
    log::info("stopped");
    return 0;
}

}  // namespace driftway::app
