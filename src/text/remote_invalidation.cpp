#include "driftway/text/remote_invalidation.hpp"

#include "driftway/core/json.hpp"

namespace driftway::text {

namespace {

bool starts_with(std::string_view s, std::string_view p) noexcept {
    return s.substr(0, p.size()) == p;
}

// The `d` object of an event body (`"t":…,"d":{…}}`); null when unreadable.
std::optional<json::object> data_of(const bus::event& e) noexcept {
    if (!e.body) return std::nullopt;
    try {
        std::string text;
        text.reserve(e.body->size() + 1);
        text.push_back('{');
        text.append(*e.body);
        auto parsed = json::parse(text, {.max_bytes = text.size() + 1, .max_depth = 64});
        if (!parsed || !parsed->is_object()) return std::nullopt;
        const auto* d = parsed->as_object().if_contains("d");
        if (!d || !d->is_object()) return std::nullopt;
        return d->as_object();
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

id_t id_in(const json::value* v) noexcept {
    if (!v) return 0;
    if (const auto* s = v->if_string()) return json::parse_id(*s).value_or(0);
    if (const auto* o = v->if_object()) return id_in(o->if_contains("id"));
    return 0;
}

}  // namespace

bus::event_ptr make_forget_user_event(id_t user_id) {
    auto e = std::make_shared<bus::event>();
    // No recipients: the hubs deliver it to nobody; other nodes forget.
    e->to = bus::event::audience::users;
    e->type = std::string(forget_user_event);
    const json::object d{{"id", json::id_string(user_id)}};
    e->body = bus::make_event_body(e->type, json::serialize(d));
    return e;
}

void forget_for_event(directory& dir, const bus::event& e) noexcept {
    const std::string_view t = e.type;
    const bool channel_kind = starts_with(t, "CHANNEL_") || t == "THREAD_CREATE";
    const bool member_kind = starts_with(t, "MEMBER_");
    const bool space_kind = starts_with(t, "SPACE_") || starts_with(t, "ROLE_");
    const bool user_kind = t == forget_user_event;
    if (!channel_kind && !member_kind && !space_kind && !user_kind && !e.changes_access) return;

    const auto d = data_of(e);
    if (user_kind) {
        if (d) dir.forget_user_here(id_in(d->if_contains("id")));
        return;
    }
    // Roles, overwrites, channel lists and the space row live in the space's
    // snapshot: every kind above may have changed it.
    if (e.space_id) dir.forget_space(e.space_id);
    if (channel_kind) {
        if (e.channel_filter) dir.forget_channel_here(e.channel_filter);
        if (d)
            if (const id_t c = id_in(d->if_contains("id"))) dir.forget_channel_here(c);
    }
    if (member_kind && e.space_id && d) {
        // MEMBER_*: d.user is the member's user object (or id), or d.user_id.
        id_t user = id_in(d->if_contains("user"));
        if (!user) user = id_in(d->if_contains("user_id"));
        if (user) dir.forget_member(e.space_id, user);
    }
    // SPACE_CREATE / SPACE_DELETE to one user: they joined or left.
    if ((t == "SPACE_CREATE" || t == "SPACE_DELETE") && e.to == bus::event::audience::users &&
        e.space_id)
        for (const id_t u : e.users) dir.forget_member(e.space_id, u);
}

}  // namespace driftway::text
