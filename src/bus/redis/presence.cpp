#include "driftway/bus/redis_presence.hpp"

namespace driftway::bus {

namespace {

// KEYS: presence:{u}, presence:expiry:{u}, presence:shown:{u}
// ARGV: node, status ('' = no change of this node), ttl ms, user id, space ids…
constexpr const char* presence_lua = R"lua(
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ttl = tonumber(ARGV[3])
if ARGV[2] == 'offline' then
  redis.call('HDEL', KEYS[1], ARGV[1])
  redis.call('ZREM', KEYS[2], ARGV[1])
elseif ARGV[2] ~= '' then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
  redis.call('ZADD', KEYS[2], now + ttl, ARGV[1])
end
for _, node in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now)) do
  redis.call('HDEL', KEYS[1], node)
end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
local rank = {offline = 0, idle = 1, dnd = 2, online = 3}
local shown = 'offline'
for _, s in ipairs(redis.call('HVALS', KEYS[1])) do
  if (rank[s] or 0) > rank[shown] then shown = s end
end
local before = redis.call('GET', KEYS[3]) or 'offline'
if shown == 'offline' then
  redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
else
  local keep = redis.call('ZRANGE', KEYS[2], -1, -1, 'WITHSCORES')
  -- Kept a ttl longer than the last entry, so whoever reads after a dead
  -- node's entries lapse still finds the old status and publishes the change.
  local until_ms = tonumber(keep[2]) - now + ttl
  redis.call('PEXPIRE', KEYS[1], until_ms)
  redis.call('PEXPIRE', KEYS[2], until_ms)
  redis.call('SET', KEYS[3], shown, 'PX', until_ms)
end
if shown ~= before then
  local body = '{"user_id":"' .. ARGV[4] .. '","status":"' .. shown .. '"}'
  for i = 5, #ARGV do redis.call('PUBLISH', 'channel:presence:' .. ARGV[i], body) end
end
return shown
)lua";

// KEYS: (presence:{u}, presence:expiry:{u}, presence:shown:{u})… ARGV: node,
// ttl ms. Extends this node's entries and the keys that hold them.
constexpr const char* heartbeat_lua = R"lua(
local t = redis.call('TIME')
local ttl = tonumber(ARGV[2])
local until_ms = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + ttl
for i = 1, #KEYS, 3 do
  if redis.call('ZSCORE', KEYS[i + 1], ARGV[1]) then
    redis.call('ZADD', KEYS[i + 1], until_ms, ARGV[1])
    for j = 0, 2 do
      if redis.call('PTTL', KEYS[i + j]) < 2 * ttl then redis.call('PEXPIRE', KEYS[i + j], 2 * ttl) end
    end
  end
end
return #KEYS / 3
)lua";

}  // namespace

const std::string& redis_presence::script() {
    static const std::string s = presence_lua;
    return s;
}

redis_presence::redis_presence(redis_connection& commands, std::uint64_t node_id,
                               std::chrono::milliseconds ttl)
    : commands_(commands), node_id_(node_id), ttl_(ttl) {}

boost::asio::awaitable<std::optional<std::string>> redis_presence::run(
    std::uint64_t user, std::string status, std::vector<std::uint64_t> spaces) {
    const auto u = std::to_string(user);
    std::vector<std::string> args{"EVAL",
                                  script(),
                                  "3",
                                  "presence:" + u,
                                  "presence:expiry:" + u,
                                  "presence:shown:" + u,
                                  std::to_string(node_id_),
                                  std::move(status),
                                  std::to_string(ttl_.count()),
                                  u};
    for (const auto s : spaces) args.push_back(std::to_string(s));
    const auto r = co_await commands_.command(std::move(args));
    if (r.type != redis_reply::kind::string) co_return std::nullopt;
    co_return r.str;
}

boost::asio::awaitable<std::optional<std::string>> redis_presence::set(
    std::uint64_t user, std::string status, std::vector<std::uint64_t> spaces) {
    {
        std::lock_guard lock(mutex_);
        if (status == "offline")
            held_.erase(user);
        else
            held_.insert(user);
    }
    co_return co_await run(user, std::move(status), std::move(spaces));
}

boost::asio::awaitable<std::optional<std::string>> redis_presence::status_of(
    std::uint64_t user, std::vector<std::uint64_t> spaces) {
    co_return co_await run(user, "", std::move(spaces));
}

boost::asio::awaitable<bool> redis_presence::heartbeat() {
    std::vector<std::string> args{"EVAL", heartbeat_lua, "0"};
    {
        std::lock_guard lock(mutex_);
        args[2] = std::to_string(held_.size() * 3);
        for (const auto user : held_) {
            const auto u = std::to_string(user);
            args.push_back("presence:" + u);
            args.push_back("presence:expiry:" + u);
            args.push_back("presence:shown:" + u);
        }
    }
    args.push_back(std::to_string(node_id_));
    args.push_back(std::to_string(ttl_.count()));
    const auto r = co_await commands_.command(std::move(args));
    co_return r.ok();
}

}  // namespace driftway::bus
