#pragma once
// Voice nodes registered in Redis, so text nodes can send each voice channel
// to one of them (voice_placement.hpp). A voice node announces its id and
// public signaling endpoint every ttl/3 with an expiry of ttl (Redis TIME,
// the clock every node shares) and withdraws on clean shutdown; a node that
// dies drops out when its expiry passes. Keys:
//   driftway:voice:nodes      sorted set node id -> expiry (ms)
//   driftway:voice:endpoints  hash node id -> endpoint
// Each operation is one Lua script, so readers never see a node without its
// endpoint. Calls may come from any thread; they run on the connection's
// executor and resume on the caller's.
#include "voice_placement.hpp"

#include "driftway/bus/redis_connection.hpp"

#include <chrono>
#include <mutex>
#include <optional>
#include <vector>

namespace driftway::app {

class voice_registry {
public:
    explicit voice_registry(bus::redis_connection& commands,
                            std::chrono::milliseconds ttl = std::chrono::seconds(15));

    std::chrono::milliseconds ttl() const noexcept { return ttl_; }

    // Registers or refreshes this node. False when Redis did not take it.
    boost::asio::awaitable<bool> announce(std::uint64_t node_id, std::string endpoint);
    // Removes this node at once (clean shutdown).
    boost::asio::awaitable<bool> withdraw(std::uint64_t node_id);
    // The nodes whose expiry has not passed; nullopt when Redis is unreachable.
    boost::asio::awaitable<std::optional<std::vector<voice_node>>> healthy();

    // The endpoint serving `channel_id`: from the healthy nodes, or, while
    // Redis is unreachable, from the last list it gave (voice keeps working
    // through a Redis blip). nullopt when there is no node.
    boost::asio::awaitable<std::optional<std::string>> endpoint_for(std::uint64_t channel_id);

private:
    bus::redis_connection& commands_;
    const std::chrono::milliseconds ttl_;
    std::mutex mutex_;
    std::vector<voice_node> last_known_;
};

}  // namespace driftway::app
