#include "gateway/client.hpp"

#include "driftway/core/clock.hpp"
#include "driftway/core/log.hpp"
#include "gateway/core.hpp"
#include "gateway/hub.hpp"
#include "gateway/session.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/json/serialize.hpp>

namespace driftway::text::gw {

namespace asio = boost::asio;

namespace {

std::int64_t ns_of(std::chrono::nanoseconds d) {
    return d.count();
}

// Completion of the client's coroutines: failures are logged, and the
// connection (if still open) is closed as an unknown error.
struct log_failure {
    std::weak_ptr<client> who;
    const char* what;
    void operator()(std::exception_ptr e) const {
        if (!e) return;
        try {
            std::rethrow_exception(e);
        } catch (const std::exception& x) {
            log::error("gateway operation failed", {{"op", what}, {"error", x.what()}});
        } catch (...) {
            log::error("gateway operation failed", {{"op", what}});
        }
        if (auto c = who.lock()) c->close(close_code::unknown_error, "internal error");
    }
};

// Cluster: the status of members not connected here, from the other nodes.
// Only users this node shows offline are asked about, in one round trip.
task<std::unordered_map<id_t, std::string>> remote_presences(gateway_core& core,
                                                             const std::vector<id_t>& users) {
    std::unordered_map<id_t, std::string> out;
    auto* cluster = core.options().presence;
    if (!cluster) co_return out;
    std::vector<id_t> ask;
    for (const id_t u : users)
        if (core.presence().shown(u) == "offline") ask.push_back(u);
    if (ask.empty()) co_return out;
    const auto statuses = co_await cluster->statuses(ask);
    for (std::size_t i = 0; i < ask.size() && i < statuses.size(); ++i)
        if (statuses[i] != "offline") out.emplace(ask[i], statuses[i]);
    co_return out;
}

}  // namespace

client::client(gateway_core& core, hub& shard) : core_(core), shard_(shard) {}

client::~client() = default;

template <class Fn>
void client::on_session(Fn&& fn) {
    if (!session_) return;
    auto s = session_;
    if (&s->home() == &shard_) {
        fn(*s);
    } else {
        asio::post(s->home().io(), [s, f = std::forward<Fn>(fn)]() mutable { f(*s); });
    }
}

void client::opened(net::ws::connection& c) {
    conn_ = &c;
    const auto now = clock::mono_ns();
    last_heartbeat_ns_ = now;
    identify_deadline_ns_ = now + ns_of(core_.options().identify_timeout);
    shard_.add_client(this);
    core_.metrics().connections.inc();
    const auto interval =
        std::chrono::duration_cast<std::chrono::milliseconds>(core_.options().heartbeat_interval);
    send(hello_frame(interval.count()));
}

void client::message(std::string_view text) {
    if (!conn_ || closing_) return;
    const auto& o = core_.options();
    const auto window_ms = std::max<std::int64_t>(
        1, std::chrono::duration_cast<std::chrono::milliseconds>(o.inbound_window).count());
    if (!inbound_.admit(clock::mono_ns() / 1'000'000, o.inbound_frames, window_ms)) {
        close(close_code::rate_limited, "too many frames");
        return;
    }
    auto parsed = parse_inbound(text);
    if (const auto* err = std::get_if<frame_error>(&parsed)) {
        fail(err->code, err->reason);
        return;
    }
    std::visit([this](auto&& op) { handle(std::move(op)); }, std::get<inbound>(std::move(parsed)));
}

void client::closed(std::uint16_t) {
    if (!conn_) return;
    conn_ = nullptr;
    closing_ = true;
    shard_.remove_client(this);
    on_session([self = shared_from_this()](session& s) { s.detach(self.get()); });
    session_.reset();
}

void client::shutting_down(net::ws::connection& c) {
    if (conn_ && !closing_) c.send(reconnect_frame());
}

void client::send(std::string frame) {
    if (conn_ && !closing_) conn_->send(std::move(frame));
}

void client::send_dispatch(std::uint64_t seq, const std::shared_ptr<const std::string>& body) {
    if (!conn_ || closing_) return;
    char buf[dispatch_head_capacity];
    if (conn_->send(dispatch_head(seq, buf), body) == net::ws::send_result::overflow) {
        // The transport closes the connection with 4010 (resumable).
        closing_ = true;
        core_.metrics().slow_consumers.inc();
    }
}

void client::close(std::uint16_t code, std::string_view reason) {
    if (!conn_ || closing_) return;
    closing_ = true;
    conn_->close(code, reason);
}

// Protocol violations end the session too: the client must identify again.
void client::fail(std::uint16_t code, std::string_view reason) {
    close(code, reason);
    if (code == close_code::unknown_op || code == close_code::decode_error ||
        code == close_code::already_authenticated) {
        on_session([self = shared_from_this()](session& s) { s.end(self.get()); });
        session_.reset();
    }
}

void client::invalid_session() {
    state_ = state::fresh;
    identify_deadline_ns_ = clock::mono_ns() + ns_of(core_.options().identify_timeout);
    send(invalid_session_frame());
}

void client::check_deadlines(std::int64_t now_ns) {
    if (!conn_ || closing_) return;
    if (state_ != state::identified && now_ns > identify_deadline_ns_) {
        close(close_code::not_authenticated, "identify timed out");
        return;
    }
    // API.md: a client that misses two heartbeat intervals is closed.
    if (now_ns - last_heartbeat_ns_ > 2 * ns_of(core_.options().heartbeat_interval))
        close(close_code::session_timed_out, "heartbeat timed out");
}

// ---------------------------------------------------------------- ops

void client::handle(identify_op op) {
    if (state_ != state::fresh)
        return fail(close_code::already_authenticated, "already identified");
    state_ = state::authenticating;
    asio::co_spawn(shard_.io(), identify(shared_from_this(), std::move(op.token)),
                   log_failure{weak_from_this(), "identify"});
}

void client::handle(resume_op op) {
    if (state_ != state::fresh)
        return fail(close_code::already_authenticated, "already identified");
    state_ = state::authenticating;
    asio::co_spawn(shard_.io(), resume(shared_from_this(), std::move(op)),
                   log_failure{weak_from_this(), "resume"});
}

void client::handle(heartbeat_op op) {
    last_heartbeat_ns_ = clock::mono_ns();
    send(heartbeat_ack_frame());
    if (op.seq && state_ == state::identified) {
        on_session([self = shared_from_this(), seq = *op.seq](session& s) {
            s.acknowledge(self.get(), seq);
        });
    }
}

void client::handle(typing_op op) {
    if (state_ != state::identified) return fail(close_code::not_authenticated, "identify first");
    asio::co_spawn(shard_.io(), core_.data().typing(user_, op.channel_id),
                   log_failure{{}, "typing"});
}

void client::handle(presence_op op) {
    if (state_ != state::identified) return fail(close_code::not_authenticated, "identify first");
    on_session([self = shared_from_this(), status = op.status](session& s) {
        s.set_status(self.get(), status);
    });
}

void client::handle(request_members_op op) {
    if (state_ != state::identified) return fail(close_code::not_authenticated, "identify first");
    asio::co_spawn(shard_.io(), request_members(shared_from_this(), std::move(op)),
                   log_failure{{}, "request_members"});
}

// channel_id null: leave voice (a disconnect command to the voice node).
// Other values are accepted and ignored: joining is REST + the voice socket.
void client::handle(voice_state_op op) {
    if (state_ != state::identified) return fail(close_code::not_authenticated, "identify first");
    if (op.leave) core_.data().leave_voice(user_);
}

// ---------------------------------------------------------------- coroutines

task<void> client::identify(std::shared_ptr<client> self, std::string token) {
    const auto who = co_await core_.data().authenticate(std::move(token));
    if (!conn_ || closing_) co_return;
    if (!who) {
        close(close_code::authentication_failed, "authentication failed");
        co_return;
    }
    user_ = *who;
    auto s = std::make_shared<session>(core_, shard_, user_, gateway_core::new_session_id());
    core_.register_session(s);
    shard_.add_session(s);
    session_ = s;
    state_ = state::identified;
    s->start(self);

    std::optional<ready_state> state;
    try {
        state = co_await core_.data().ready(user_, core_.options().large_space_threshold);
    } catch (const std::exception& x) {
        log::error("gateway ready failed", {{"user_id", user_}, {"error", x.what()}});
        s->drop();  // closes the connection with 4000
        co_return;
    }
    if (!state) {
        close(close_code::authentication_failed, "unknown user");
        s->drop();
        co_return;
    }
    if (core_.options().presence) {
        std::vector<id_t> members;
        for (const auto& sub : state->subscriptions)
            if (sub.small) members.insert(members.end(), sub.members.begin(), sub.members.end());
        state->cluster_presences = co_await remote_presences(core_, members);
    }
    s->ready(std::move(*state));
}

task<void> client::resume(std::shared_ptr<client> self, resume_op op) {
    const auto who = co_await core_.data().authenticate(std::move(op.token));
    if (!conn_ || closing_) co_return;
    if (!who) {
        close(close_code::authentication_failed, "authentication failed");
        co_return;
    }
    auto s = core_.find_session(op.session_id);
    if (!s || s->user_id() != *who) {
        invalid_session();
        co_return;
    }
    user_ = *who;
    session_ = s;
    state_ = state::identified;
    on_session([self, seq = op.seq](session& target) {
        const auto outcome = target.resume(self, seq);
        if (outcome == session::resume_outcome::resumed) return;
        const bool bad_seq = outcome == session::resume_outcome::invalid_seq;
        if (&self->shard() == &target.home()) {
            self->resume_failed(&target, bad_seq);
        } else {
            asio::post(self->shard().io(), [self, s = target.shared_from_this(), bad_seq] {
                self->resume_failed(s.get(), bad_seq);
            });
        }
    });
}

void client::resume_failed(const session* s, bool invalid_seq) {
    if (session_.get() != s) return;
    session_.reset();
    if (invalid_seq)
        fail(close_code::invalid_seq, "seq is ahead of the session");
    else
        invalid_session();
}

task<void> client::request_members([[maybe_unused]] std::shared_ptr<client> self,
                                   request_members_op op) {
    auto page = co_await core_.data().members(user_, op.space_id, std::move(op.query), op.limit);
    json::array members;
    json::array presences;
    if (page) {
        members = std::move(page->members);
        const auto remote = co_await remote_presences(core_, page->user_ids);
        for (const id_t u : page->user_ids) {
            std::string_view shown = core_.presence().shown(u);
            if (const auto it = remote.find(u); shown == "offline" && it != remote.end())
                shown = it->second;
            if (shown == "offline") continue;
            presences.push_back(json::object{{"user_id", json::id_string(u)}, {"status", shown}});
        }
    }
    json::object d{{"space_id", json::id_string(op.space_id)},
                   {"members", std::move(members)},
                   {"presences", std::move(presences)}};
    auto body = bus::make_event_body("MEMBERS_CHUNK", json::serialize(d));
    on_session([body = std::move(body)](session& s) mutable { s.deliver_own(std::move(body)); });
}

}  // namespace driftway::text::gw
