#include "driftway/bus/redis_codec.hpp"
#include "driftway/bus/redis_voice.hpp"
#include "driftway/core/log.hpp"

#include <mutex>

namespace driftway::bus {

struct redis_voice_commands::impl {
    impl(redis_connection& c, redis_subscriber& s, std::uint64_t node)
        : commands(c), subscriber(s), node_id(node) {}
    redis_connection& commands;
    redis_subscriber& subscriber;
    const std::uint64_t node_id;
    mutable std::mutex mutex;
    std::shared_ptr<const receiver> deliver;

    std::shared_ptr<const receiver> current() const {
        std::lock_guard lock(mutex);
        return deliver;
    }
    void on_frame(std::string_view payload) const {
        const auto f = codec::decode_command(payload);
        if (!f) {
            log::warn("redis voice commands: malformed frame", {{"bytes", payload.size()}});
            return;
        }
        if (f->node_id == node_id) return;  // delivered when sent
        if (const auto r = current(); r && *r) (*r)(f->command);
    }
};

redis_voice_commands::redis_voice_commands(redis_connection& commands, redis_subscriber& subscriber,
                                           std::uint64_t node_id)
    : impl_(std::make_shared<impl>(commands, subscriber, node_id)) {
    subscriber.subscribe(std::string(topic), [w = std::weak_ptr<impl>(impl_)](auto payload) {
        if (auto self = w.lock()) self->on_frame(payload);
    });
}

redis_voice_commands::~redis_voice_commands() {
    impl_->subscriber.unsubscribe(std::string(topic));
}

void redis_voice_commands::send(const voice_command& c) {
    if (const auto r = impl_->current(); r && *r) (*r)(c);
    impl_->commands.send({"PUBLISH", std::string(topic), codec::encode_command(impl_->node_id, c)},
                         [](redis_reply r) {
                             if (!r.ok())
                                 log::warn("redis voice command not published", {{"error", r.str}});
                         });
}

void redis_voice_commands::set_receiver(receiver r) {
    auto p = std::make_shared<const receiver>(std::move(r));
    std::lock_guard lock(impl_->mutex);
    impl_->deliver = std::move(p);
}

bool redis_voice_commands::ready() const {
    return impl_->subscriber.subscribed(std::string(topic));
}

}  // namespace driftway::bus
