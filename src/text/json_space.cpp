// JSON shapes of spaces, roles, channels, members, invites, audit entries and
// read states (json_shapes.hpp).
#include "driftway/auth/account_routes.hpp"
#include "driftway/auth/permissions.hpp"
#include "driftway/core/clock.hpp"
#include "driftway/text/json_shapes.hpp"

namespace driftway::text {

namespace {

json::value id_or_null(std::uint64_t id) {
    return id ? json::value(json::id_string(id)) : json::value(nullptr);
}

json::value time_or_null(std::int64_t unix_ms) {
    return unix_ms ? json::value(clock::iso8601(unix_ms)) : json::value(nullptr);
}

json::value string_or_null(const std::string& s) {
    return s.empty() ? json::value(nullptr) : json::value(s);
}

}  // namespace

std::string_view to_string(store::channel_type t) noexcept {
    switch (t) {
        case store::channel_type::text:
            return "text";
        case store::channel_type::voice:
            return "voice";
        case store::channel_type::category:
            return "category";
        case store::channel_type::thread:
            return "thread";
        case store::channel_type::dm:
            return "dm";
        case store::channel_type::group_dm:
            return "group_dm";
    }
    return "text";
}

std::optional<store::channel_type> parse_channel_type(std::string_view s) noexcept {
    using store::channel_type;
    for (auto t : {channel_type::text, channel_type::voice, channel_type::category,
                   channel_type::thread, channel_type::dm, channel_type::group_dm})
        if (to_string(t) == s) return t;
    return std::nullopt;
}

json::object space_json(const store::space& s, std::int64_t member_count) {
    json::object o;
    o["id"] = json::id_string(s.id);
    o["name"] = s.name;
    o["icon"] = s.icon ? json::value(json::id_string(*s.icon)) : json::value(nullptr);
    o["owner_id"] = json::id_string(s.owner_id);
    o["created_at"] = clock::iso8601(s.created_at);
    o["member_count"] = member_count;
    return o;
}

json::object role_json(const store::role& r) {
    json::object o;
    o["id"] = json::id_string(r.id);
    o["space_id"] = json::id_string(r.space_id);
    o["name"] = r.name;
    o["permissions"] = auth::to_string(r.permissions);
    o["position"] = r.position;
    o["color"] = r.color;
    o["hoist"] = r.hoist;
    o["mentionable"] = r.mentionable;
    return o;
}

json::object channel_json(const store::channel& c) {
    json::object o;
    o["id"] = json::id_string(c.id);
    o["type"] = to_string(c.type);
    o["space_id"] = id_or_null(c.space_id);
    o["name"] = c.name;
    o["topic"] = c.topic;
    o["parent_id"] = id_or_null(c.parent_id);
    o["position"] = c.position;
    json::array overwrites;
    for (const auto& ow : c.overwrites) {
        json::object w;
        w["id"] = json::id_string(ow.id);
        w["type"] = ow.is_member ? "member" : "role";
        w["allow"] = auth::to_string(ow.allow);
        w["deny"] = auth::to_string(ow.deny);
        overwrites.emplace_back(std::move(w));
    }
    o["permission_overwrites"] = std::move(overwrites);
    if (c.type == store::channel_type::dm || c.type == store::channel_type::group_dm) {
        json::array recipients;
        for (auto id : c.recipients) recipients.emplace_back(json::id_string(id));
        o["recipients"] = std::move(recipients);
    }
    o["owner_id"] = id_or_null(c.owner_id);
    o["origin_message_id"] = id_or_null(c.origin_message_id);
    o["last_message_id"] = id_or_null(c.last_message_id);
    o["created_at"] = clock::iso8601(c.created_at);
    return o;
}

json::object member_json(const store::member& m, const store::user* u) {
    json::object o;
    o["space_id"] = json::id_string(m.space_id);
    if (u) {
        o["user"] = auth::public_user_json(*u);
    } else {
        // The account is gone but its membership row is still being cleaned up.
        json::object gone;
        gone["id"] = json::id_string(m.user_id);
        gone["username"] = nullptr;
        gone["display_name"] = nullptr;
        gone["avatar"] = nullptr;
        gone["created_at"] = nullptr;
        o["user"] = std::move(gone);
    }
    o["nick"] = m.nick ? json::value(*m.nick) : json::value(nullptr);
    json::array roles;
    for (auto id : m.role_ids) roles.emplace_back(json::id_string(id));
    o["roles"] = std::move(roles);
    o["joined_at"] = clock::iso8601(m.joined_at);
    // A timeout that has run out is no timeout: clients need not compare clocks.
    o["communication_disabled_until"] = m.communication_disabled_until > clock::unix_ms()
                                            ? time_or_null(m.communication_disabled_until)
                                            : json::value(nullptr);
    o["mute"] = m.mute;  // server mute and deafen (docs/voice.md)
    o["deaf"] = m.deaf;
    return o;
}

json::object invite_json(const store::invite& i, const store::space* s, std::int64_t member_count) {
    json::object o;
    o["code"] = i.code;
    json::object space;
    space["id"] = json::id_string(i.space_id);
    space["name"] = s ? json::value(s->name) : json::value(nullptr);
    space["icon"] = s && s->icon ? json::value(json::id_string(*s->icon)) : json::value(nullptr);
    o["space"] = std::move(space);
    o["member_count"] = member_count;
    o["uses"] = i.uses;
    o["max_uses"] = i.max_uses;
    o["expires_at"] = time_or_null(i.expires_at);
    o["created_at"] = clock::iso8601(i.created_at);
    o["creator_id"] = json::id_string(i.creator_id);
    return o;
}

json::object audit_json(const store::audit_entry& e) {
    json::object o;
    o["id"] = json::id_string(e.id);
    o["space_id"] = json::id_string(e.space_id);
    o["actor_id"] = json::id_string(e.actor_id);
    o["action"] = e.action;
    o["target_id"] = id_or_null(e.target_id);
    auto changes = json::parse(e.changes);
    o["changes"] =
        changes && changes->is_object() ? std::move(*changes) : json::value(json::object{});
    o["reason"] = string_or_null(e.reason);
    o["created_at"] = clock::iso8601(e.created_at);
    return o;
}

json::object read_state_json(const store::read_state& r) {
    json::object o;
    o["channel_id"] = json::id_string(r.channel_id);
    o["last_read_id"] = id_or_null(r.last_read_id);
    o["mention_count"] = r.mention_count;
    return o;
}

}  // namespace driftway::text
