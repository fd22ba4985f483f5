#pragma once
// What crosses nodes, chosen from the config: with [redis] url empty, the
// in-process event bus, rate limiter, voice states and commands of a single
// node (nothing else runs, nothing costs more); with a URL, their Redis
// implementations (docs/decisions/0011) on one io_context thread of their
// own, plus cross-node presence, the voice node registry and a "redis"
// /health check.
//
// Shutdown order (redis_connection.hpp, redis_voice.hpp): stop the Redis
// thread, then destroy the users of the connections (bus, states, commands,
// presence), then the connections, then the io_context. The destructor does
// exactly that; destroy this object after everything that uses it.
#include "ops_routes.hpp"
#include "voice_registry.hpp"

#include "driftway/bus/event_bus.hpp"
#include "driftway/bus/rate_limiter.hpp"
#include "driftway/bus/voice_commands.hpp"
#include "driftway/bus/voice_states.hpp"
#include "driftway/core/config.hpp"
#include "driftway/text/gateway/gateway.hpp"
#include "driftway/text/shared_cache.hpp"

#include <functional>
#include <memory>
#include <vector>

namespace driftway::app {

class distribution {
public:
    // Connects in the background (and keeps reconnecting); never waits for
    // Redis. Throws std::invalid_argument on a malformed URL.
    explicit distribution(const config& c);
    ~distribution();
    distribution(const distribution&) = delete;
    distribution& operator=(const distribution&) = delete;

    bool clustered() const noexcept;

    bus::event_bus& events() noexcept;
    bus::rate_limiter& limiter() noexcept;
    bus::voice_state_store& voice_states() noexcept;
    bus::voice_commands& voice_commands() noexcept;
    // Null on a single node.
    text::cluster_presence* presence() noexcept;
    voice_registry* voice_nodes() noexcept;
    // Redis entries behind text::directory (cache:user:*, cache:channel:*).
    text::shared_cache* shared_cache() noexcept;
    // {"redis"} when clustered, else none.
    std::vector<health_check> checks();

    // Runs for every event that arrives from another node, on the Redis
    // thread, before the event reaches this node's sessions. Set once,
    // before the gateway takes the bus's receiver.
    void on_remote_event(std::function<void(const bus::event&)> f);

    // Voice nodes: registers (node id -> endpoint) now and every ttl/3 until
    // shutdown(), which withdraws it.
    void register_voice_node(std::uint64_t node_id, std::string endpoint);

    // Waits up to `deadline` for the subscriptions, so a node that reports
    // ready receives other nodes' events. False on timeout (Redis down:
    // the node still starts; delivery begins when Redis comes back).
    bool wait_ready(std::chrono::milliseconds deadline);

    // Withdraws a registered voice node (bounded wait) and stops the Redis
    // thread. Idempotent; the destructor calls it.
    void shutdown();

    struct impl;

private:
    std::unique_ptr<impl> impl_;
};

}  // namespace driftway::app
