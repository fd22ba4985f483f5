#include "routes/membership.hpp"

#include "driftway/auth/account_routes.hpp"
#include "driftway/text/json_shapes.hpp"
#include "routes/member_voice.hpp"

namespace driftway::text::routes {

task<json::object> space_payload(text_services& s, id_t user_id, id_t space_id) {
    auto snapshot = co_await s.dir.space(space_id);
    if (!snapshot) co_return json::object{};
    json::object o = space_json(snapshot->space, snapshot->member_count);
    json::array roles;
    for (const auto& r : snapshot->roles) roles.emplace_back(role_json(r));
    o["roles"] = std::move(roles);
    json::array channels;
    for (const auto& a : co_await s.dir.visible_channels(user_id, space_id))
        if (a.channel) channels.emplace_back(channel_json(*a.channel));
    o["channels"] = std::move(channels);
    co_return o;
}

task<json::object> member_payload(text_services& s, const store::member& m) {
    auto user = co_await s.dir.user(m.user_id);
    co_return member_json(m, user.get());
}

task<void> announce_join(text_services& s, const store::member& m) {
    // The member count lives in the space snapshot.
    s.dir.forget_member(m.space_id, m.user_id);
    s.dir.forget_space(m.space_id);
    const auto member = co_await member_payload(s, m);
    s.events.to_space(m.space_id, "MEMBER_ADD", member, true);
    const auto space = co_await space_payload(s, m.user_id, m.space_id);
    s.events.to_users({m.user_id}, "SPACE_CREATE", space, m.space_id, true);
}

task<void> announce_leave(text_services& s, id_t space_id, id_t user_id) {
    disconnect_from_space_voice(s, space_id, user_id);  // kicked, banned or gone: out of voice
    s.dir.forget_member(space_id, user_id);
    s.dir.forget_space(space_id);
    json::object removed;
    removed["space_id"] = json::id_string(space_id);
    if (auto user = co_await s.dir.user(user_id)) {
        removed["user"] = auth::public_user_json(*user);
    } else {
        json::object gone;
        gone["id"] = json::id_string(user_id);
        removed["user"] = std::move(gone);
    }
    s.events.to_space(space_id, "MEMBER_REMOVE", removed, true);
    json::object deleted;
    deleted["id"] = json::id_string(space_id);
    s.events.to_users({user_id}, "SPACE_DELETE", deleted, space_id, true);
}

}  // namespace driftway::text::routes
