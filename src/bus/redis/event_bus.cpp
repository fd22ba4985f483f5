#include "driftway/bus/redis_event_bus.hpp"

#include "driftway/bus/redis_codec.hpp"
#include "driftway/core/log.hpp"

#include <boost/asio/post.hpp>

#include <mutex>

namespace driftway::bus {

namespace asio = boost::asio;

struct redis_event_bus::impl : std::enable_shared_from_this<impl> {
    impl(redis_connection& c, redis_subscriber& s, std::uint64_t node)
        : commands(c), subscriber(s), node_id(node) {}

    redis_connection& commands;
    redis_subscriber& subscriber;
    const std::uint64_t node_id;

    mutable std::mutex mutex;
    std::shared_ptr<const receiver> deliver;
    std::vector<event_ptr> queue;
    bool scheduled = false;  // a flush is posted
    bool in_flight = false;  // a flush awaits its replies
    counters stats;

    std::shared_ptr<const receiver> current_receiver() const {
        std::lock_guard lock(mutex);
        return deliver;
    }

    // Under the mutex.
    void schedule_locked() {
        if (scheduled || in_flight || queue.empty()) return;
        scheduled = true;
        asio::post(commands.executor(), [self = shared_from_this()] { self->flush(); });
    }

    // On the connection's executor.
    void flush() {
        std::vector<event_ptr> batch;
        {
            std::lock_guard lock(mutex);
            scheduled = false;
            batch.swap(queue);
            if (batch.empty()) return;
            in_flight = true;
        }
        std::array<std::vector<event_ptr>, topics.size()> by_topic;
        for (auto& e : batch) by_topic[static_cast<std::size_t>(e->to)].push_back(std::move(e));
        std::vector<std::vector<std::string>> publishes;
        std::vector<std::size_t> sizes;
        for (std::size_t t = 0; t < by_topic.size(); ++t) {
            const std::span<const event_ptr> all(by_topic[t]);
            for (std::size_t i = 0; i < all.size(); i += max_events_per_frame) {
                const auto part = all.subspan(i, std::min(max_events_per_frame, all.size() - i));
                publishes.push_back(
                    {"PUBLISH", std::string(topics[t]), codec::encode_events(node_id, part)});
                sizes.push_back(part.size());
            }
        }
        {
            std::lock_guard lock(mutex);
            ++stats.flushes;
            stats.publish_commands += publishes.size();
        }
        commands.send_pipeline(std::move(publishes), [self = shared_from_this(),
                                                      sizes](std::vector<redis_reply> replies) {
            std::uint64_t dropped = 0;
            for (std::size_t i = 0; i < replies.size(); ++i)
                if (!replies[i].ok()) dropped += sizes[i];
            if (dropped) log::debug("redis bus dropped events", {{"count", dropped}});
            std::lock_guard lock(self->mutex);
            self->stats.dropped += dropped;
            self->in_flight = false;
            self->schedule_locked();
        });
    }

    // On the subscriber's executor.
    void on_frame(std::string_view payload) {
        auto frame = codec::decode_events(payload);
        if (!frame) {
            log::warn("redis bus: malformed frame", {{"bytes", payload.size()}});
            return;
        }
        if (frame->node_id == node_id) return;  // delivered locally when published
        const auto r = current_receiver();
        {
            std::lock_guard lock(mutex);
            stats.received += frame->events.size();
        }
        if (!r || !*r) return;
        for (const auto& e : frame->events) (*r)(e);
    }
};

redis_event_bus::redis_event_bus(redis_connection& commands, redis_subscriber& subscriber,
                                 std::uint64_t node_id)
    : impl_(std::make_shared<impl>(commands, subscriber, node_id)) {
    for (const auto topic : topics)
        subscriber.subscribe(std::string(topic), [w = std::weak_ptr<impl>(impl_)](auto payload) {
            if (auto self = w.lock()) self->on_frame(payload);
        });
}

redis_event_bus::~redis_event_bus() {
    for (const auto topic : topics) impl_->subscriber.unsubscribe(std::string(topic));
}

void redis_event_bus::publish(event_ptr e) {
    if (!e) return;
    if (const auto r = impl_->current_receiver(); r && *r) (*r)(e);
    std::lock_guard lock(impl_->mutex);
    ++impl_->stats.published;
    impl_->queue.push_back(std::move(e));
    impl_->schedule_locked();
}

void redis_event_bus::set_receiver(receiver r) {
    auto p = std::make_shared<const receiver>(std::move(r));
    std::lock_guard lock(impl_->mutex);
    impl_->deliver = std::move(p);
}

redis_event_bus::counters redis_event_bus::stats() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->stats;
}

bool redis_event_bus::ready() const {
    for (const auto topic : topics)
        if (!impl_->subscriber.subscribed(std::string(topic))) return false;
    return true;
}

}  // namespace driftway::bus
