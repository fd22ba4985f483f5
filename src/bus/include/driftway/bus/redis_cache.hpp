#pragma once
// Shared cache entries and refresh sessions in Redis: cache:user:{id},
// cache:channel:{id}, session:{user_id}. Values are opaque strings (the
// caller serializes). invalidate() deletes the entry and publishes its key on
// cache:invalidate, so every node (this one too) drops its local copy through
// the handler given to on_invalidate.
#include "driftway/bus/redis_connection.hpp"
#include "driftway/bus/redis_subscriber.hpp"

#include <chrono>
#include <functional>
#include <optional>
#include <string>

namespace driftway::bus {

class redis_cache {
public:
    static constexpr std::string_view topic = "cache:invalidate";
    static std::string user_key(std::uint64_t id) { return "cache:user:" + std::to_string(id); }
    static std::string channel_key(std::uint64_t id) {
        return "cache:channel:" + std::to_string(id);
    }
    static std::string session_key(std::uint64_t user_id) {
        return "session:" + std::to_string(user_id);
    }

    redis_cache(redis_connection& commands, redis_subscriber& subscriber);
    ~redis_cache();

    // nullopt when absent or when Redis is unreachable (a cache miss).
    boost::asio::awaitable<std::optional<std::string>> get(std::string key);
    boost::asio::awaitable<bool> set(std::string key, std::string value,
                                     std::chrono::milliseconds ttl);
    boost::asio::awaitable<bool> invalidate(std::string key);
    // Runs on the subscriber's executor with each invalidated key.
    void on_invalidate(std::function<void(std::string_view key)> handler);

private:
    redis_connection& commands_;
    redis_subscriber& subscriber_;
};

}  // namespace driftway::bus
