#include "voice_node.hpp"

#include "distribution.hpp"
#include "ops_routes.hpp"
#include "settings.hpp"
#include "signals.hpp"

#include "driftway/auth/crypto.hpp"
#include "driftway/auth/jwt.hpp"
#include "driftway/bus/event_bus.hpp"
#include "driftway/bus/voice_commands.hpp"
#include "driftway/bus/voice_states.hpp"
#include "driftway/core/log.hpp"
#include "driftway/core/process.hpp"
#include "driftway/net/server.hpp"

#include <thread>

namespace driftway::app {

voice::service_options voice_service_options(const config& c) {
    const auto& v = c.voice;
    voice::service_options o;
    std::string host;
    std::uint16_t port = 0;
    if (!split_host_port(v.media_listen, host, port))
        throw std::invalid_argument("voice.media_listen: expected HOST:PORT");
    o.media.host = host;
    o.media.port = port;
    o.media.announced_ips = v.announced_ips;
    o.media.consent_timeout = std::chrono::milliseconds(v.consent_timeout_ms);
    o.media.speaking_level_threshold = static_cast<int>(v.speaking_level_threshold);
    o.media.speaking_hangover = std::chrono::milliseconds(v.speaking_hangover_ms);
    o.turn_urls = v.turn_urls;
    o.turn_secret = v.turn_secret;
    o.turn_ttl_seconds = v.turn_ttl_seconds;
    return o;
}

int serve_voice(const config& c, const std::string& version) {
    auth::init_crypto();
    log::info("starting voice node", {{"version", version}});
    // Voice tokens are checked with the instance key that text nodes sign
    // them with: the same key file, shared between the nodes.
    const auto signer = auth::jwt_signer::load_or_create(jwt_key_path(c));
    const auth::jwt_verifier verifier({signer.public_key()});

    // Voice states, their events and moderation commands reach the text
    // nodes through Redis; without [redis] url they stay in this process.
    distribution dist(c);
    if (dist.clustered() && c.voice.endpoint.empty())
        throw std::invalid_argument(
            "voice.endpoint: required with [redis] url (the URL clients reach this node at)");
    voice::service voice(voice_service_options(c), verifier, dist.voice_states(), dist.events(),
                         dist.voice_commands());

    net::router router;
    add_ops_routes(router, dist.checks(), version);
    process::register_metrics(metrics::global(), version);
    net::pipeline pipeline(std::move(router), {.access_log = c.log.access_log});

    net::server_options options;
    options.host = c.listen_host();
    options.port = c.listen_port();
    options.shards = c.server.shards ? c.server.shards : 1;
    net::server server(options, pipeline);
    server.add_websocket("/voice", voice.acceptor(), voice::service::socket_options());

    signal_watcher signals(
        [&](int sig) {
            log::info("shutting down", {{"signal", sig}});
            server.stop(std::chrono::seconds(c.server.shutdown_grace_seconds));
        },
        [] {});
    server.start();
    if (!dist.wait_ready(std::chrono::seconds(5)))
        log::warn("redis is not reachable yet; registering once it is");
    if (dist.clustered()) dist.register_voice_node(c.server.node_id, c.voice.endpoint);
    log::info(
        "listening",
        {{"host", options.host}, {"port", server.port()}, {"media_port", voice.media().port()}});
    server.run();
    dist.shutdown();  // withdraws the registration: joins go elsewhere at once
    log::info("stopped");
    return 0;
}

}  // namespace driftway::app
