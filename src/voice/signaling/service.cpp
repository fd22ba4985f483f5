#include "driftway/voice/service.hpp"

#include "driftway/core/log.hpp"
#include "signaling/context.hpp"
#include "signaling/participant.hpp"

#include <boost/asio/post.hpp>

namespace driftway::voice {

namespace asio = boost::asio;

void signaling_context::register_joined(std::uint64_t user, const std::shared_ptr<participant>& p) {
    std::lock_guard lock(mutex);
    joined[user] = p;
}

void signaling_context::unregister_joined(std::uint64_t user, const participant* p) {
    std::lock_guard lock(mutex);
    auto it = joined.find(user);
    if (it == joined.end()) return;
    auto current = it->second.lock();
    if (!current || current.get() == p) joined.erase(it);
}

std::shared_ptr<participant> signaling_context::find_joined(std::uint64_t user) {
    std::lock_guard lock(mutex);
    auto it = joined.find(user);
    return it == joined.end() ? nullptr : it->second.lock();
}

namespace {

// The transport's handler: owns the participant for the connection's life.
class handler final : public net::ws::handler {
public:
    explicit handler(signaling_context& ctx) : p_(std::make_shared<participant>(ctx)) {}
    void on_open(net::ws::connection& c) override { p_->opened(c); }
    void on_message(net::ws::connection&, std::string_view text) override { p_->message(text); }
    void on_close(std::uint16_t) override { p_->closed(); }
    void on_shutdown(net::ws::connection&) override { p_->shutting_down(); }

private:
    std::shared_ptr<participant> p_;
};

}  // namespace

struct service::impl {
    impl(service_options o, const auth::jwt_verifier& verifier, bus::voice_state_store& states,
         bus::event_bus& events)
        : options(std::move(o)),
          media(options.media),
          context{.options = options,
                  .verifier = verifier,
                  .states = states,
                  .events = events,
                  .media = media,
                  .mutex = {},
                  .joined = {}} {}

    // Moderation: the SFU enforces mute and deafen; moves and disconnects
    // also end the signaling connection, on its own shard.
    void on_command(const bus::voice_command& c) {
        using kind = bus::voice_command::kind;
        switch (c.what) {
            case kind::server_state:
                media.set_server_state(c.user_id, c.server_mute, c.server_deaf);
                return;
            case kind::can_speak:
                media.set_can_speak(c.user_id, c.can_speak);
                return;
            case kind::disconnect:
            case kind::move:
                break;
        }
        auto p = context.find_joined(c.user_id);
        if (!p || (c.channel_id && p->channel_id() != c.channel_id)) return;
        asio::post(p->executor(), [p, c] {
            if (c.what == kind::move)
                p->move_to(c.target_channel_id);
            else
                p->disconnect(signaling::close_code::disconnected, "disconnected by a moderator");
        });
    }

    service_options options;
    sfu media;
    signaling_context context;
};

service::service(service_options options, const auth::jwt_verifier& verifier,
                 bus::voice_state_store& states, bus::event_bus& events,
                 bus::voice_commands& commands)
    : impl_(std::make_shared<impl>(std::move(options), verifier, states, events)) {
    commands.set_receiver([weak = std::weak_ptr<impl>(impl_)](const bus::voice_command& c) {
        if (auto i = weak.lock()) i->on_command(c);
    });
    log::info("voice media listening",
              {{"host", impl_->options.media.host}, {"port", impl_->media.port()}});
}

service::~service() = default;

net::ws::acceptor service::acceptor() {
    return [weak = std::weak_ptr<impl>(impl_)](
               const net::request&) -> std::unique_ptr<net::ws::handler> {
        auto i = weak.lock();
        if (!i) return nullptr;
        return std::make_unique<handler>(i->context);
    };
}

net::ws::options service::socket_options() {
    // Frames are small JSON; SDP of a large channel is the biggest (~1 KB per participant).
    return {
        .max_message_bytes = 64 << 10, .max_queued_bytes = 1 << 20, .overflow_close_code = 4008};
}

sfu& service::media() {
    return impl_->media;
}

}  // namespace driftway::voice
