#include "driftway/bus/redis_cache.hpp"

namespace driftway::bus {

redis_cache::redis_cache(redis_connection& commands, redis_subscriber& subscriber)
    : commands_(commands), subscriber_(subscriber) {}

redis_cache::~redis_cache() = default;

boost::asio::awaitable<std::optional<std::string>> redis_cache::get(std::string key) {
    auto r = co_await commands_.command({"GET", std::move(key)});
    if (r.type != redis_reply::kind::string) co_return std::nullopt;
    co_return std::move(r.str);
}

boost::asio::awaitable<bool> redis_cache::set(std::string key, std::string value,
                                              std::chrono::milliseconds ttl) {
    const auto r =
        co_await commands_.command({"SET", std::move(key), std::move(value), "PX",
                                    std::to_string(std::max<long long>(ttl.count(), 1))});
    co_return r.ok();
}

boost::asio::awaitable<bool> redis_cache::invalidate(std::string key) {
    // DEL and PUBLISH in one script, atomically: no node re-reads the old value after
    // hearing of the invalidation.
    auto r = co_await commands_.command(
        {"EVAL", "redis.call('DEL', KEYS[1]); return redis.call('PUBLISH', ARGV[1], KEYS[1])", "1",
         key, std::string(topic)});
    co_return r.ok();
}

void redis_cache::on_invalidate(std::function<void(std::string_view key)> handler) {
    subscriber_.subscribe(std::string(topic), std::move(handler));
}

}  // namespace driftway::bus
