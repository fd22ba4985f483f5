#include "gateway/session.hpp"

#include "driftway/core/clock.hpp"
#include "driftway/core/log.hpp"
#include "gateway/client.hpp"
#include "gateway/core.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>

namespace driftway::text::gw {

namespace asio = boost::asio;

namespace {

std::shared_ptr<const std::string> body_of(std::string_view type, const json::value& d) {
    return bus::make_event_body(type, json::serialize(d));
}

bool contains(const std::vector<id_t>& sorted, id_t id) noexcept {
    return std::binary_search(sorted.begin(), sorted.end(), id);
}

}  // namespace

session::session(gateway_core& core, hub& home, id_t user_id, std::string id)
    : core_(core),
      home_(home),
      user_(user_id),
      id_(std::move(id)),
      replay_(core.options().replay_events) {}

// Destruction has no side effects beyond memory (it may happen after the
// shards stopped); drop() does the unsubscribing.
session::~session() = default;

bool session::sees(id_t channel) const noexcept {
    const auto it =
        std::lower_bound(channels_.begin(), channels_.end(), std::pair<id_t, id_t>{channel, 0});
    return it != channels_.end() && it->first == channel;
}

bool session::in_space(id_t space) const noexcept {
    return contains(spaces_, space);
}

// ---------------------------------------------------------------- delivery

void session::offer(const bus::event_ptr& e, const event_facts& f, std::uint64_t stamp) {
    if (stamp == last_stamp_) return;
    last_stamp_ = stamp;
    if (dropped_) return;
    // The fan-out hot path: the hub already checked the audience.
    if (!busy_ && f.what == event_facts::kind::plain) {
        deliver(e->body);
        return;
    }
    queue_.push_back({e, f});
    if (!busy_) {
        become_busy();
        asio::post(home_.io(), [self = shared_from_this()] { self->pump(); });
    }
}

void session::become_busy() {
    busy_ = true;
    home_.add_pending(this);
}

void session::deliver(std::shared_ptr<const std::string> body) {
    const std::uint64_t seq = replay_.end();
    home_.count_delivery();
    if (client_) send_to_client(seq, body);
    replay_.push(std::move(body));
}

void session::deliver_own(std::shared_ptr<const std::string> body) {
    if (dropped_) return;
    deliver(std::move(body));
    home_.flush_metrics();
}

void session::send_to_client(std::uint64_t seq, const std::shared_ptr<const std::string>& body) {
    if (&client_->shard() == &home_) {
        client_->send_dispatch(seq, body);
    } else {
        asio::post(client_->shard().io(),
                   [c = client_, seq, body] { c->send_dispatch(seq, body); });
    }
}

void session::close_client(const std::shared_ptr<client>& c, std::uint16_t code,
                           std::string reason) {
    if (&c->shard() == &home_) {
        c->close(code, reason);
    } else {
        asio::post(c->shard().io(),
                   [c, code, reason = std::move(reason)] { c->close(code, reason); });
    }
}

void session::pop() {
    queue_[head_].e.reset();
    ++head_;
}

bool session::in_audience(const bus::event& e) const noexcept {
    switch (e.to) {
        case bus::event::audience::channel:
            return sees(e.target);
        case bus::event::audience::space:
            return in_space(e.target);
        case bus::event::audience::users:
            return std::find(e.users.begin(), e.users.end(), user_) != e.users.end();
    }
    return false;
}

bool session::deliverable(const bus::event& e, bool had_filter) const noexcept {
    switch (e.to) {
        case bus::event::audience::channel:
            return sees(e.target);
        case bus::event::audience::space:
            if (!in_space(e.target)) return false;
            if (!e.channel_filter || sees(e.channel_filter)) return true;
            // Those who could see a deleted channel learn that it is gone.
            return had_filter && e.type == "CHANNEL_DELETE";
        case bus::event::audience::users:
            return true;
    }
    return false;
}

session::change session::change_for(const bus::event& e, const event_facts& f) const noexcept {
    using kind = event_facts::kind;
    switch (f.what) {
        case kind::plain:
            return {};
        case kind::space_delete:
            if (f.subject_id && in_space(f.subject_id))
                return {change_kind::drop_space, f.subject_id};
            return {};
        case kind::member_remove:
            if (f.subject_user == user_ && in_space(e.space_id))
                return {change_kind::drop_space, e.space_id};
            if (f.subject_user == 0 && e.space_id) return {change_kind::recompute, e.space_id};
            return {};
        case kind::member_change:
            if ((f.subject_user == user_ || f.subject_user == 0) && e.space_id)
                return {change_kind::recompute, e.space_id};
            return {};
        case kind::space_create:
            if (f.subject_id) return {change_kind::recompute, f.subject_id};
            return {};
        case kind::dm_create:
            if (f.subject_id && !sees(f.subject_id))
                return {change_kind::add_channel, f.subject_id};
            return {};
        case kind::access: {
            const id_t space = e.space_id                            ? e.space_id
                               : e.to == bus::event::audience::space ? e.target
                                                                     : 0;
            if (space) return {change_kind::recompute, space};
            return {};
        }
    }
    return {};
}

void session::pump() {
    if (waiting_ || dropped_) return;
    while (head_ < queue_.size()) {
        const bus::event_ptr e = queue_[head_].e;
        const event_facts f = queue_[head_].f;
        if (!in_audience(*e)) {
            pop();
            continue;
        }
        const change c = change_for(*e, f);
        if (c.what == change_kind::recompute) {
            start_recompute(c.id);
            return;
        }
        const bool had = e->channel_filter && sees(e->channel_filter);
        if (c.what == change_kind::drop_space)
            drop_space(c.id);
        else if (c.what == change_kind::add_channel)
            add_channel(c.id, 0);
        // Members of a deleted space are told; a removed member is not
        // told about the space any more (SPACE_DELETE reaches them directly).
        const bool to_deliver = f.what == event_facts::kind::space_delete || deliverable(*e, had);
        if (to_deliver) deliver(e->body);
        pop();
    }
    queue_.clear();
    head_ = 0;
    busy_ = false;
    home_.remove_pending(this);
    home_.flush_metrics();
}

// ---------------------------------------------------------------- access

void session::start_recompute(id_t space) {
    waiting_ = true;
    asio::co_spawn(home_.io(), recompute(shared_from_this(), space),
                   [self = shared_from_this()](std::exception_ptr ex) {
                       if (!ex) return;
                       try {
                           std::rethrow_exception(ex);
                       } catch (const std::exception& x) {
                           log::error("gateway recompute failed",
                                      {{"session", self->id()}, {"error", x.what()}});
                       }
                       self->fail();
                   });
}

// self keeps the session alive while the coroutine waits.
task<void> session::recompute([[maybe_unused]] std::shared_ptr<session> self, id_t space) {
    const space_access now = co_await core_.data().access(user_, space);
    if (dropped_) co_return;

    const std::vector<id_t> before = channels_of(space);
    const bool was_member = in_space(space);
    std::vector<id_t> after = now.channels;
    std::sort(after.begin(), after.end());
    after.erase(std::unique(after.begin(), after.end()), after.end());

    const id_t filter = queue_[head_].e->channel_filter;
    std::vector<id_t> lost;
    std::vector<id_t> gained;
    std::set_difference(before.begin(), before.end(), after.begin(), after.end(),
                        std::back_inserter(lost));
    std::set_difference(after.begin(), after.end(), before.begin(), before.end(),
                        std::back_inserter(gained));

    // Channels that appear or vanish for an existing member without an
    // event about them (a role or overwrite changed) are announced to this
    // session alone. A new member learns them from SPACE_CREATE.
    const bool announce = was_member && now.member;
    std::vector<std::string> appeared;
    if (announce) {
        for (const id_t g : gained) {
            if (g == filter) continue;
            auto text = co_await core_.data().channel_json(g);
            if (!text.empty()) appeared.push_back(std::move(text));
        }
        if (dropped_) co_return;
    }

    const bus::event_ptr e = queue_[head_].e;
    const bool had = filter && sees(filter);
    if (now.member)
        set_space(space, std::move(after));
    else
        drop_space(space);

    if (deliverable(*e, had)) deliver(e->body);
    if (announce) {
        for (const id_t l : lost) {
            if (l == filter && e->type == "CHANNEL_DELETE") continue;
            json::object d{{"id", json::id_string(l)}, {"space_id", json::id_string(space)}};
            deliver(body_of("CHANNEL_DELETE", d));
        }
        for (auto& text : appeared) deliver(bus::make_event_body("CHANNEL_CREATE", text));
    }
    pop();
    waiting_ = false;
    pump();
}

// A recompute failed (storage unavailable): rather than guess what the
// session may see, end it; the client identifies again and gets a fresh READY.
void session::fail() {
    drop();
}

std::vector<id_t> session::channels_of(id_t space) const {
    std::vector<id_t> out;
    for (const auto& [channel, owner] : channels_)
        if (owner == space) out.push_back(channel);
    return out;
}

void session::set_space(id_t space, std::vector<id_t> channels) {
    if (!in_space(space)) {
        spaces_.insert(std::lower_bound(spaces_.begin(), spaces_.end(), space), space);
        home_.subscribe(hub::topic::space, space, this);
    }
    // channels is sorted: drop what is not in it, then add what is new.
    std::erase_if(channels_, [&](const std::pair<id_t, id_t>& c) {
        if (c.second != space || contains(channels, c.first)) return false;
        home_.unsubscribe(hub::topic::channel, c.first, this);
        return true;
    });
    for (const id_t c : channels) add_channel(c, space);
}

void session::drop_space(id_t space) {
    std::erase_if(channels_, [&](const std::pair<id_t, id_t>& c) {
        if (c.second != space) return false;
        home_.unsubscribe(hub::topic::channel, c.first, this);
        return true;
    });
    if (const auto it = std::lower_bound(spaces_.begin(), spaces_.end(), space);
        it != spaces_.end() && *it == space) {
        spaces_.erase(it);
        home_.unsubscribe(hub::topic::space, space, this);
    }
}

void session::add_channel(id_t channel, id_t space) {
    const std::pair<id_t, id_t> entry{channel, space};
    const auto it =
        std::lower_bound(channels_.begin(), channels_.end(), std::pair<id_t, id_t>{channel, 0});
    if (it != channels_.end() && it->first == channel) return;
    channels_.insert(it, entry);
    home_.subscribe(hub::topic::channel, channel, this);
}

// ---------------------------------------------------------------- lifecycle

void session::start(std::shared_ptr<client> c) {
    client_ = std::move(c);
    home_.subscribe(hub::topic::user, user_, this);
    become_busy();
    waiting_ = true;
}

void session::ready(ready_state state) {
    if (dropped_) return;
    for (auto& s : state.subscriptions) {
        std::sort(s.channels.begin(), s.channels.end());
        s.channels.erase(std::unique(s.channels.begin(), s.channels.end()), s.channels.end());
        set_space(s.id, std::move(s.channels));
    }
    for (const id_t dm : state.private_channel_ids) add_channel(dm, 0);

    status_ = parse_presence(state.status).value_or(presence_status::online);
    core_.presence().add(user_, status_);
    presence_on_ = true;

    auto& presence = core_.presence();
    for (std::size_t i = 0; i < state.subscriptions.size() && i < state.spaces.size(); ++i) {
        const auto& sub = state.subscriptions[i];
        auto* space = state.spaces[i].if_object();
        if (!space || !sub.small) continue;
        json::array presences;
        for (const id_t m : sub.members) {
            std::string_view shown = presence.shown(m);
            if (shown == "offline") {
                const auto remote = state.cluster_presences.find(m);
                if (remote == state.cluster_presences.end()) continue;
                shown = remote->second;
            }
            presences.push_back(json::object{{"user_id", json::id_string(m)}, {"status", shown}});
        }
        (*space)["presences"] = std::move(presences);
    }

    json::object d{{"session_id", id_},
                   {"user", std::move(state.user)},
                   {"spaces", std::move(state.spaces)},
                   {"private_channels", std::move(state.private_channels)},
                   {"read_states", std::move(state.read_states)}};
    deliver(body_of("READY", d));
    // READY is never replayed (a resume starts from it at the earliest) and
    // is the largest frame a session gets: keeping it until the first
    // heartbeat would make an idle session cost as much as its spaces' member
    // lists.
    replay_.trim_through(replay_.end() - 1);
    core_.publish_presence(user_, home_.io().get_executor());

    waiting_ = false;
    pump();
}

session::resume_outcome session::resume(std::shared_ptr<client> c, std::uint64_t seq) {
    if (dropped_) return resume_outcome::invalid_session;
    if (seq > last_seq()) return resume_outcome::invalid_seq;
    if (!replay_.covers_after(seq)) {
        drop();
        return resume_outcome::invalid_session;
    }
    if (client_ && client_ != c)
        close_client(client_, net::ws::close_normal, "session resumed elsewhere");
    client_ = std::move(c);
    detached_ns_ = 0;
    replay_.for_each_after(seq,
                           [&](std::uint64_t s, const std::shared_ptr<const std::string>& body) {
                               send_to_client(s, body);
                           });
    deliver(body_of("RESUMED", json::object{}));
    home_.flush_metrics();
    return resume_outcome::resumed;
}

void session::detach(const client* c) {
    if (client_.get() != c) return;
    client_.reset();
    detached_ns_ = clock::mono_ns();
}

void session::acknowledge(const client* c, std::uint64_t seq) {
    if (client_.get() != c || seq > last_seq()) return;
    replay_.trim_through(seq);
}

void session::set_status(const client* c, presence_status s) {
    if (client_.get() != c || dropped_ || s == status_) return;
    if (presence_on_) core_.presence().change(user_, status_, s);
    status_ = s;
    if (presence_on_) core_.publish_presence(user_, home_.io().get_executor());
}

void session::end(const client* c) {
    if (client_.get() != c) return;
    client_.reset();
    drop();
}

void session::release() noexcept {
    client_.reset();
    queue_.clear();
    head_ = 0;
}

void session::drop() {
    if (dropped_) return;
    const auto self = shared_from_this();
    dropped_ = true;
    for (const auto& [channel, space] : channels_)
        home_.unsubscribe(hub::topic::channel, channel, this);
    for (const id_t space : spaces_) home_.unsubscribe(hub::topic::space, space, this);
    home_.unsubscribe(hub::topic::user, user_, this);
    channels_.clear();
    spaces_.clear();
    if (busy_) home_.remove_pending(this);
    busy_ = false;
    queue_.clear();
    head_ = 0;
    if (presence_on_) {
        presence_on_ = false;
        core_.presence().remove(user_, status_);
        core_.publish_presence(user_, home_.io().get_executor());
    }
    if (client_) {
        close_client(client_, close_code::unknown_error, "session ended");
        client_.reset();
    }
    replay_.trim_through(last_seq());
    core_.forget_session(id_);
    home_.remove_session(this);
}

}  // namespace driftway::text::gw
