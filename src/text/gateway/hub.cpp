#include "gateway/hub.hpp"

#include "driftway/core/clock.hpp"
#include "driftway/core/json.hpp"
#include "gateway/client.hpp"
#include "gateway/core.hpp"
#include "gateway/session.hpp"

#include <algorithm>

namespace driftway::text::gw {

namespace {

// The `d` of an event body (`"t":…,"d":{…}}`).
std::optional<json::value> event_data(const bus::event& e) noexcept {
    if (!e.body) return std::nullopt;
    std::string text;
    try {
        text.reserve(e.body->size() + 1);
        text.push_back('{');
        text.append(*e.body);
    } catch (const std::exception&) {
        return std::nullopt;
    }
    auto parsed = json::parse(text, {.max_bytes = text.size() + 1, .max_depth = 64});
    if (!parsed || !parsed->is_object()) return std::nullopt;
    const auto* d = parsed->as_object().if_contains("d");
    if (!d) return std::nullopt;
    return *d;
}

id_t id_of(const json::value* v) noexcept {
    if (!v) return 0;
    if (const auto* s = v->if_string()) return json::parse_id(*s).value_or(0);
    return 0;
}

// d.id
id_t data_id(const bus::event& e) noexcept {
    const auto d = event_data(e);
    if (!d || !d->is_object()) return 0;
    return id_of(d->as_object().if_contains("id"));
}

// The user a MEMBER_* event is about: d.user.id, d.user (an id) or d.user_id.
id_t data_user(const bus::event& e) noexcept {
    const auto d = event_data(e);
    if (!d || !d->is_object()) return 0;
    const auto& o = d->as_object();
    if (const auto* u = o.if_contains("user")) {
        if (const auto* uo = u->if_object()) return id_of(uo->if_contains("id"));
        return id_of(u);
    }
    return id_of(o.if_contains("user_id"));
}

}  // namespace

event_facts classify(const bus::event& e) noexcept {
    using kind = event_facts::kind;
    event_facts f;
    const std::string_view t = e.type;
    if (t == "SPACE_CREATE") {
        f.what = kind::space_create;
        f.subject_id = e.space_id ? e.space_id : data_id(e);
    } else if (t == "SPACE_DELETE") {
        f.what = kind::space_delete;
        f.subject_id = e.space_id ? e.space_id : data_id(e);
    } else if (t == "MEMBER_REMOVE") {
        f.what = kind::member_remove;
        f.subject_user = data_user(e);
    } else if ((t == "MEMBER_ADD" || t == "MEMBER_UPDATE") && e.changes_access) {
        f.what = kind::member_change;
        f.subject_user = data_user(e);
    } else if (t == "CHANNEL_CREATE" && e.to == bus::event::audience::users && e.space_id == 0) {
        f.what = kind::dm_create;
        f.subject_id = data_id(e);
    } else if (e.changes_access) {
        f.what = kind::access;
    }
    return f;
}

hub::hub(gateway_core& core, boost::asio::io_context& io, unsigned index)
    : core_(core), io_(io), index_(index), sweep_timer_(io) {}

// A session and its attached client point at each other until the
// connection closes; break that at teardown so nothing outlives the gateway.
hub::~hub() {
    for (const auto& s : sessions_) s->release();
}

hub::index_map& hub::map(topic t) noexcept {
    switch (t) {
        case topic::channel:
            return channels_;
        case topic::space:
            return spaces_;
        case topic::user:
            return users_;
    }
    return channels_;
}

const hub::index_map& hub::map(topic t) const noexcept {
    return const_cast<hub*>(this)->map(t);
}

void hub::dispatch(const bus::event_ptr& e) {
    const std::uint64_t stamp = ++stamp_;
    const event_facts facts = classify(*e);
    const bool plain = facts.what == event_facts::kind::plain;

    // Offering never changes these lists synchronously (sessions that must
    // change their subscriptions do it in a handler of their own), so they
    // can be walked in place.
    auto offer_all = [&](const std::vector<session*>& list) {
        for (session* s : list) s->offer(e, facts, stamp);
    };
    switch (e->to) {
        case bus::event::audience::channel:
            if (const auto it = channels_.find(e->target); it != channels_.end())
                offer_all(it->second);
            break;
        case bus::event::audience::space:
            if (const auto it = spaces_.find(e->target); it != spaces_.end()) {
                if (plain && e->channel_filter) {
                    for (session* s : it->second)
                        if (s->sees(e->channel_filter)) s->offer(e, facts, stamp);
                } else {
                    offer_all(it->second);
                }
            }
            break;
        case bus::event::audience::users:
            for (const id_t u : e->users)
                if (const auto it = users_.find(u); it != users_.end()) offer_all(it->second);
            break;
    }
    // Index-based: a busy session never adds itself here while offered, but
    // a session that just became busy above may have.
    for (std::size_t i = 0; i < pending_.size(); ++i) pending_[i]->offer(e, facts, stamp);
    flush_metrics();
}

void hub::subscribe(topic t, id_t id, session* s) {
    map(t)[id].push_back(s);
}

void hub::unsubscribe(topic t, id_t id, session* s) {
    auto& m = map(t);
    const auto it = m.find(id);
    if (it == m.end()) return;
    auto& list = it->second;
    if (const auto pos = std::find(list.begin(), list.end(), s); pos != list.end()) {
        *pos = list.back();
        list.pop_back();
    }
    if (list.empty()) m.erase(it);
}

std::size_t hub::subscribers(topic t, id_t id) const {
    const auto& m = map(t);
    const auto it = m.find(id);
    return it == m.end() ? 0 : it->second.size();
}

void hub::add_pending(session* s) {
    pending_.push_back(s);
}

void hub::remove_pending(session* s) {
    if (const auto pos = std::find(pending_.begin(), pending_.end(), s); pos != pending_.end())
        pending_.erase(pos);
}

void hub::add_session(std::shared_ptr<session> s) {
    s->hub_slot = sessions_.size();
    sessions_.push_back(std::move(s));
}

void hub::remove_session(session* s) {
    const std::size_t slot = s->hub_slot;
    if (slot >= sessions_.size() || sessions_[slot].get() != s) return;
    if (slot + 1 != sessions_.size()) {
        sessions_[slot] = std::move(sessions_.back());
        sessions_[slot]->hub_slot = slot;
    }
    sessions_.pop_back();
}

void hub::add_client(client* c) {
    c->hub_slot = clients_.size();
    clients_.push_back(c);
}

void hub::remove_client(client* c) {
    const std::size_t slot = c->hub_slot;
    if (slot >= clients_.size() || clients_[slot] != c) return;
    clients_[slot] = clients_.back();
    clients_[slot]->hub_slot = slot;
    clients_.pop_back();
}

void hub::flush_metrics() noexcept {
    if (deliveries_) {
        core_.metrics().dispatched.inc(deliveries_);
        deliveries_ = 0;
    }
}

void hub::start_sweep() {
    sweeping_ = true;
    sweep_later();
}

void hub::stop_sweep() {
    sweeping_ = false;
    sweep_timer_.cancel();
}

void hub::sweep_later() {
    using namespace std::chrono;
    const auto& o = core_.options();
    // A quarter of the shortest deadline, between 5 ms and 1 s: deadlines
    // are enforced within 25% of their length.
    auto shortest = std::min({duration_cast<milliseconds>(o.heartbeat_interval),
                              duration_cast<milliseconds>(o.identify_timeout),
                              duration_cast<milliseconds>(o.resume_grace)});
    const auto period = std::clamp(shortest / 4, milliseconds(5), milliseconds(1000));
    sweep_timer_.expires_after(period);
    sweep_timer_.async_wait([this](const boost::system::error_code& ec) {
        if (ec || !sweeping_) return;
        sweep(clock::mono_ns());
        sweep_later();
    });
}

void hub::sweep(std::int64_t now_ns) {
    // Closing a client or dropping a session changes the lists: act on copies.
    std::vector<std::shared_ptr<client>> clients;
    clients.reserve(clients_.size());
    for (client* c : clients_) clients.push_back(c->shared_from_this());
    for (const auto& c : clients) c->check_deadlines(now_ns);

    const auto grace =
        std::chrono::duration_cast<std::chrono::nanoseconds>(core_.options().resume_grace).count();
    std::vector<std::shared_ptr<session>> expired;
    for (const auto& s : sessions_)
        if (!s->attached() && now_ns - s->detached_ns() > grace) expired.push_back(s);
    for (const auto& s : expired) s->drop();
}

}  // namespace driftway::text::gw
