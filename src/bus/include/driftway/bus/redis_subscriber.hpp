#pragma once
// The pub/sub side of Redis: a connection of its own (a subscribed hiredis
// context accepts no other commands) that remembers its channels and
// subscribes to them again after every reconnect, so delivery resumes by
// itself when Redis comes back.
#include "driftway/bus/redis_connection.hpp"

#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace driftway::bus {

class redis_subscriber {
public:
    // Runs on the subscriber's executor; must only decode and hand off.
    using handler = std::function<void(std::string_view payload)>;

    redis_subscriber(boost::asio::any_io_executor executor, redis_options options);
    ~redis_subscriber();
    redis_subscriber(const redis_subscriber&) = delete;
    redis_subscriber& operator=(const redis_subscriber&) = delete;

    void start();
    // Thread-safe. One handler per channel; a second subscribe replaces it.
    void subscribe(std::string channel, handler h);
    void unsubscribe(std::string channel);

    // Whether Redis confirmed the subscription on the current connection.
    bool subscribed(const std::string& channel) const;
    bool connected() const noexcept;
    std::uint64_t connect_count() const noexcept;

    struct impl;

private:
    std::shared_ptr<impl> impl_;
};

}  // namespace driftway::bus
