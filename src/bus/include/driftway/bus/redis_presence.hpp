#pragma once
// Presence across nodes. Each node records, per user it holds, its own
// aggregated status (gateway/presence.hpp's shown status for its sessions)
// with an expiry it refreshes by heartbeat; a user's status is the best over
// the nodes whose entries have not expired (online > dnd > idle > offline),
// so a dead node's users go offline once its entries expire.
//
// Redis: presence:{user} is a hash node → status, presence:expiry:{user} a
// sorted set node → expiry (Redis TIME, ms), presence:shown:{user} the last
// status published. One Lua script sets, prunes, aggregates and, when the
// shown status changed, PUBLISHes {"user_id":"…","status":"…"} on
// channel:presence:{space_id} for each space given, atomically, so two nodes
// cannot publish a user's changes out of order.
#include "driftway/bus/redis_connection.hpp"

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

namespace driftway::bus {

class redis_presence {
public:
    static std::string topic(std::uint64_t space_id) {
        return "channel:presence:" + std::to_string(space_id);
    }

    redis_presence(redis_connection& commands, std::uint64_t node_id,
                   std::chrono::milliseconds ttl = std::chrono::seconds(60));

    // This node's status for `user` ("online" | "idle" | "dnd" | "offline";
    // offline removes the node's entry). Returns the user's status over all
    // nodes, or nullopt when Redis is unreachable.
    boost::asio::awaitable<std::optional<std::string>> set(std::uint64_t user, std::string status,
                                                           std::vector<std::uint64_t> spaces);
    // The user's status over all nodes; drops expired node entries and, if
    // that changes the status, publishes it to `spaces`.
    boost::asio::awaitable<std::optional<std::string>> status_of(
        std::uint64_t user, std::vector<std::uint64_t> spaces = {});
    // Extends the expiry of every user this node holds; call every ttl/3.
    boost::asio::awaitable<bool> heartbeat();

    static const std::string& script();

private:
    boost::asio::awaitable<std::optional<std::string>> run(std::uint64_t user, std::string status,
                                                           std::vector<std::uint64_t> spaces);
    redis_connection& commands_;
    const std::uint64_t node_id_;
    const std::chrono::milliseconds ttl_;
    std::mutex mutex_;
    std::unordered_set<std::uint64_t> held_;
};

}  // namespace driftway::bus
