#include "signaling/participant.hpp"

#include "driftway/auth/permissions.hpp"
#include "driftway/core/clock.hpp"
#include "driftway/core/log.hpp"
#include "signaling/context.hpp"

#include <boost/asio/post.hpp>

namespace driftway::voice {

namespace asio = boost::asio;
namespace cc = signaling::close_code;

namespace {

std::uint16_t close_code_of(end_reason why) {
    switch (why) {
        case end_reason::left:
            return net::ws::close_normal;
        case end_reason::replaced:
            return cc::replaced;
        case end_reason::kicked:
            return cc::disconnected;
        case end_reason::shutdown:
            return net::ws::close_going_away;
        case end_reason::consent_lost:
        case end_reason::connect_timeout:
        case end_reason::dtls_failed:
            return cc::transport_lost;
    }
    return cc::transport_lost;
}

json::object state_json(std::uint64_t user, const mute_state& s) {
    return {{"user_id", json::id_string(user)},
            {"self_mute", s.self_mute},
            {"self_deaf", s.self_deaf},
            {"server_mute", s.server_mute},
            {"server_deaf", s.server_deaf}};
}

}  // namespace

participant::participant(signaling_context& ctx) : ctx_(ctx) {}

participant::~participant() = default;

void participant::opened(net::ws::connection& c) {
    conn_ = &c;
    executor_ = c.executor();
    join_timer_ = std::make_unique<asio::steady_timer>(executor_, ctx_.options.join_timeout);
    join_timer_->async_wait([weak = weak_from_this()](boost::system::error_code ec) {
        auto self = weak.lock();
        if (ec || !self || self->joined_) return;
        self->close(cc::not_joined, "join timed out");
    });
}

void participant::message(std::string_view text) {
    if (!conn_ || closing_) return;
    auto parsed = signaling::parse_inbound(text);
    if (auto* err = std::get_if<signaling::frame_error>(&parsed))
        return close(err->code, err->reason);
    auto& op = std::get<signaling::inbound>(parsed);
    if (!joined_ && !std::holds_alternative<signaling::join_op>(op))
        return close(cc::not_joined, "join first");
    std::visit([this](auto&& o) { handle(std::move(o)); }, std::move(op));
}

void participant::closed() {
    conn_ = nullptr;
    closing_ = true;
    if (join_timer_) join_timer_->cancel();
    if (!joined_) return;
    joined_ = false;
    if (peer_) peer_->leave();
    peer_.reset();
    ctx_.unregister_joined(grant_.user_id, this);
    if (!replaced_) publish_state({}, true);
}

void participant::shutting_down() {
    // The SFU ends its peers itself; the transport closes with 1001.
}

void participant::send(std::string_view op, json::object d) {
    if (conn_ && !closing_) conn_->send(signaling::frame(op, std::move(d)));
}

void participant::close(std::uint16_t code, std::string_view reason) {
    if (!conn_ || closing_) return;
    closing_ = true;
    conn_->close(code, reason);
}

void participant::move_to(std::uint64_t channel_id) {
    if (!joined_) return;
    send("moved", {{"channel_id", json::id_string(channel_id)}});
    close(cc::moved, "moved");
}

void participant::disconnect(std::uint16_t code, std::string_view reason) {
    close(code, reason);
}

// ---------------------------------------------------------------- ops

void participant::handle(signaling::join_op op) {
    if (joined_) return close(cc::already_joined, "already joined");
    auto grant = auth::verify_voice_token(ctx_.verifier, op.token, clock::unix_seconds());
    if (!grant) return close(cc::authentication_failed, "invalid voice token");
    grant_ = *grant;
    joined_ = true;
    join_timer_->cancel();

    const mute_state initial{.server_mute = grant_.server_mute,
                             .server_deaf = grant_.server_deaf,
                             .can_speak = (grant_.perms & auth::perm::speak) != 0};
    ctx_.register_joined(grant_.user_id, shared_from_this());
    peer_ = ctx_.media.join(
        {.channel_id = grant_.channel_id, .user_id = grant_.user_id, .state = initial},
        make_events(), [weak = weak_from_this()](std::vector<participant_info> others) {
            auto self = weak.lock();
            if (!self) return;
            asio::post(self->executor_, [weak, others = std::move(others)] {
                if (auto p = weak.lock()) p->ready(others);
            });
        });
    publish_state(initial, false);
}

void participant::handle(signaling::answer_op op) {
    if (peer_) peer_->on_answer(std::move(op.sdp));
}

void participant::handle(signaling::offer_op op) {
    if (peer_) peer_->on_offer(std::move(op.sdp));
}

// The server is ICE-lite: it learns the client's address from its checks.
void participant::handle(signaling::candidate_op op) {
    if (peer_ && !op.candidate.empty()) peer_->on_candidate(std::move(op.candidate));
}

void participant::handle(signaling::mute_op op) {
    if (peer_) peer_->set_self_state(op.self_mute, op.self_deaf);
}

void participant::handle(signaling::stats_op) {
    if (peer_) peer_->request_stats();
}

void participant::handle(signaling::leave_op) {
    close(net::ws::close_normal, "left");
}

// ---------------------------------------------------------------- SFU side

void participant::ready(const std::vector<participant_info>& others) {
    json::array list;
    for (const auto& o : others) {
        auto entry = state_json(o.user_id, o.state);
        entry["ssrc"] = o.ssrc;
        entry["speaking"] = o.speaking;
        list.push_back(std::move(entry));
    }
    json::array ice_servers;
    const auto& opt = ctx_.options;
    if (!opt.turn_urls.empty() && !opt.turn_secret.empty()) {
        auto turn = auth::make_turn_credentials(opt.turn_secret, opt.turn_urls, grant_.user_id,
                                                opt.turn_ttl_seconds, clock::unix_seconds());
        json::array urls;
        for (auto& u : turn.urls) urls.push_back(json::value(u));
        ice_servers.push_back(json::object{{"urls", std::move(urls)},
                                           {"username", turn.username},
                                           {"credential", turn.credential}});
    }
    send("ready", {{"user_id", json::id_string(grant_.user_id)},
                   {"channel_id", json::id_string(grant_.channel_id)},
                   {"participants", std::move(list)},
                   {"ice_servers", std::move(ice_servers)}});
}

void participant::peer_ended(end_reason why) {
    if (why == end_reason::replaced) replaced_ = true;
    log::info("voice peer ended", {{"user_id", json::id_string(grant_.user_id)},
                                   {"reason", std::string(to_string(why))}});
    close(close_code_of(why), to_string(why));
}

void participant::publish_state(const mute_state& s, bool left) {
    bus::voice_state v{.user_id = grant_.user_id,
                       .space_id = grant_.space_id,
                       .channel_id = grant_.channel_id,
                       .self_mute = s.self_mute,
                       .self_deaf = s.self_deaf,
                       .server_mute = s.server_mute,
                       .server_deaf = s.server_deaf};
    if (left)
        ctx_.states.remove(grant_.user_id);
    else
        ctx_.states.put(v);
    ctx_.events.publish(bus::make_voice_state_event(v, left));
}

// The SFU calls these on its thread; each hops to this connection's shard.
peer_events participant::make_events() {
    auto weak = weak_from_this();
    auto exec = executor_;
    peer_events e;
    e.send = [weak, exec](std::string op, json::object d) {
        asio::post(exec, [weak, op = std::move(op), d = std::move(d)]() mutable {
            if (auto p = weak.lock()) p->send(op, std::move(d));
        });
    };
    e.ended = [weak, exec](end_reason why) {
        asio::post(exec, [weak, why] {
            if (auto p = weak.lock()) p->peer_ended(why);
        });
    };
    e.state_changed = [weak, exec](const mute_state& s) {
        asio::post(exec, [weak, s] {
            auto p = weak.lock();
            if (!p || !p->joined_ || p->replaced_) return;
            // The SFU tells the channel's members itself (`state`); this is
            // for everyone else, on the main gateway.
            p->publish_state(s, false);
        });
    };
    return e;
}

}  // namespace driftway::voice
