#include "voice_registry.hpp"

#include <charconv>

namespace driftway::app {

namespace {

constexpr const char* nodes_key = "driftway:voice:nodes";
constexpr const char* endpoints_key = "driftway:voice:endpoints";

// KEYS: nodes, endpoints. ARGV: node id, endpoint, ttl ms.
constexpr const char* announce_lua = R"lua(
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
return 1
)lua";

// KEYS: nodes, endpoints. Drops expired nodes; returns id, endpoint, … of the rest.
constexpr const char* healthy_lua = R"lua(
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now)) do
  redis.call('HDEL', KEYS[2], id)
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local out = {}
for _, id in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local ep = redis.call('HGET', KEYS[2], id)
  if ep then
    out[#out + 1] = id
    out[#out + 1] = ep
  end
end
return out
)lua";

}  // namespace

voice_registry::voice_registry(bus::redis_connection& commands, std::chrono::milliseconds ttl)
    : commands_(commands), ttl_(ttl) {}

boost::asio::awaitable<bool> voice_registry::announce(std::uint64_t node_id, std::string endpoint) {
    const auto r = co_await commands_.command({"EVAL", announce_lua, "2", nodes_key, endpoints_key,
                                               std::to_string(node_id), std::move(endpoint),
                                               std::to_string(ttl_.count())});
    co_return r.ok();
}

boost::asio::awaitable<bool> voice_registry::withdraw(std::uint64_t node_id) {
    const auto id = std::to_string(node_id);
    const auto a = co_await commands_.command({"ZREM", nodes_key, id});
    const auto b = co_await commands_.command({"HDEL", endpoints_key, id});
    co_return a.ok() && b.ok();
}

boost::asio::awaitable<std::optional<std::vector<voice_node>>> voice_registry::healthy() {
    const auto r = co_await commands_.command({"EVAL", healthy_lua, "2", nodes_key, endpoints_key});
    if (r.type != bus::redis_reply::kind::array) co_return std::nullopt;
    std::vector<voice_node> nodes;
    for (std::size_t i = 0; i + 1 < r.elements.size(); i += 2) {
        const auto& id = r.elements[i].str;
        voice_node n;
        auto [p, ec] = std::from_chars(id.data(), id.data() + id.size(), n.id);
        if (ec != std::errc{} || p != id.data() + id.size()) continue;
        n.endpoint = r.elements[i + 1].str;
        nodes.push_back(std::move(n));
    }
    co_return nodes;
}

boost::asio::awaitable<std::optional<std::string>> voice_registry::endpoint_for(
    std::uint64_t channel_id) {
    auto nodes = co_await healthy();
    std::lock_guard lock(mutex_);
    if (nodes) last_known_ = std::move(*nodes);
    const auto* chosen = choose_voice_node(channel_id, last_known_);
    if (!chosen) co_return std::nullopt;
    co_return chosen->endpoint;
}

}  // namespace driftway::app
