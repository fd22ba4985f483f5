#include "driftway/bus/redis_subscriber.hpp"

#include "driftway/core/log.hpp"

#include <boost/asio/post.hpp>

#include <mutex>
#include <set>
#include <unordered_map>

namespace driftway::bus {

namespace asio = boost::asio;

struct redis_subscriber::impl final : redis_connection::persistent_handler {
    impl(asio::any_io_executor ex, redis_options o)
        : connection(std::make_unique<redis_connection>(std::move(ex), std::move(o))) {}

    std::unique_ptr<redis_connection> connection;
    std::unordered_map<std::string, handler> handlers;  // on the executor
    mutable std::mutex confirmed_mutex;
    std::set<std::string, std::less<>> confirmed;

    void send_subscribe(const std::string& channel) {
        if (!connection->send_persistent({"SUBSCRIBE", channel}, this))
            log::debug("redis subscribe deferred until reconnect", {{"channel", channel}});
    }

    void on_connected() {
        {
            std::lock_guard lock(confirmed_mutex);
            confirmed.clear();
        }
        for (const auto& [channel, h] : handlers) send_subscribe(channel);
    }

    // On the executor, from inside hiredis: ["message", channel, payload],
    // ["subscribe", channel, n], ["unsubscribe", channel, n]; null on disconnect.
    void on_reply(const void* raw) override {
        if (!raw) return;
        const auto r = to_redis_reply(raw);
        if (r.type != redis_reply::kind::array || r.elements.size() < 3) return;
        const auto& kind = r.elements[0].str;
        const auto& channel = r.elements[1].str;
        if (kind == "message") {
            const auto it = handlers.find(channel);
            if (it == handlers.end() || !it->second) return;
            try {
                it->second(r.elements[2].str);
            } catch (const std::exception& e) {
                log::error("redis message handler failed",
                           {{"channel", channel}, {"error", e.what()}});
            }
        } else if (kind == "subscribe") {
            std::lock_guard lock(confirmed_mutex);
            confirmed.insert(channel);
        } else if (kind == "unsubscribe") {
            std::lock_guard lock(confirmed_mutex);
            confirmed.erase(channel);
        }
    }
};

redis_subscriber::redis_subscriber(asio::any_io_executor executor, redis_options options)
    : impl_(std::make_shared<impl>(std::move(executor), std::move(options))) {
    impl_->connection->on_connect([i = impl_.get()] { i->on_connected(); });
}

redis_subscriber::~redis_subscriber() {
    // Free the hiredis context (which calls on_reply with null) while the
    // handler object is still whole.
    impl_->connection.reset();
}

void redis_subscriber::start() {
    impl_->connection->start();
}

void redis_subscriber::subscribe(std::string channel, handler h) {
    asio::post(impl_->connection->executor(),
               [self = impl_, channel = std::move(channel), h = std::move(h)]() mutable {
                   const bool fresh = self->handlers.find(channel) == self->handlers.end();
                   self->handlers[channel] = std::move(h);
                   if (fresh && self->connection && self->connection->connected())
                       self->send_subscribe(channel);
               });
}

void redis_subscriber::unsubscribe(std::string channel) {
    asio::post(impl_->connection->executor(), [self = impl_, channel = std::move(channel)] {
        if (self->handlers.erase(channel) == 0 || !self->connection) return;
        // The reply arrives through the SUBSCRIBE callback hiredis keeps.
        // hiredis registers no callback of its own for UNSUBSCRIBE.
        (void)self->connection->send_persistent({"UNSUBSCRIBE", channel}, self.get());
    });
}

bool redis_subscriber::subscribed(const std::string& channel) const {
    if (!connected()) return false;
    std::lock_guard lock(impl_->confirmed_mutex);
    return impl_->confirmed.contains(channel);
}

bool redis_subscriber::connected() const noexcept {
    return impl_->connection && impl_->connection->connected();
}

std::uint64_t redis_subscriber::connect_count() const noexcept {
    return impl_->connection ? impl_->connection->connect_count() : 0;
}

}  // namespace driftway::bus
