// GET /spaces/{space_id}/members, GET|PATCH|DELETE /spaces/{space_id}/members/{user_id}
// (nick, roles, timeout; kick; "@me" to leave).
#include "driftway/core/clock.hpp"
#include "driftway/text/json_shapes.hpp"
#include "routes/audit.hpp"
#include "routes/common.hpp"
#include "routes/field_rules.hpp"
#include "routes/member_voice.hpp"
#include "routes/membership.hpp"
#include "routes/route_groups.hpp"

#include <algorithm>

namespace driftway::text::routes {

namespace {

using auth::principal;
namespace perm = auth::perm;

constexpr std::int64_t max_timeout_ms = 28LL * 24 * 3600 * 1000;  // as Discord's
constexpr std::size_t max_roles_per_member = 250;

error hierarchy_error(std::string message) {
    return error::forbidden("role_hierarchy", std::move(message));
}

json::array id_array(const std::vector<id_t>& ids) {
    json::array a;
    for (auto id : ids) a.emplace_back(json::id_string(id));
    return a;
}

awaitable_response list_members(text_services& s, request& req, const principal& who) {
    auto ctx = co_await load_space(s, who.user_id, path_id(req, "space_id", "space"));
    const id_t after = query_id(req, "after");
    const int limit = query_int(req, "limit", 1, 1000, 100);
    json::array out;
    for (const auto& m : co_await s.db.members().list(ctx.id(), after, limit))
        out.emplace_back(co_await member_payload(s, m));
    co_return response::json(200, out);
}

awaitable_response get_member(text_services& s, request& req, const principal& who) {
    auto ctx = co_await load_space(s, who.user_id, path_id(req, "space_id", "space"));
    const id_t user_id = path_user_id(req, "user_id", who.user_id, "member");
    auto m = co_await s.dir.member(ctx.id(), user_id);
    if (!m) fail(error::not_found("member"));
    co_return response::json(200, co_await member_payload(s, *m));
}

// "roles": an array of role ids, without duplicates kept.
std::optional<std::vector<id_t>> read_role_ids(json::object_reader& in) {
    const json::value* v = in.optional_raw("roles");
    if (!v) return std::nullopt;
    if (!v->is_array()) {
        in.fail("roles", "must be an array of role ids");
        return std::nullopt;
    }
    const auto& arr = v->get_array();
    if (arr.size() > max_roles_per_member) {
        in.fail("roles", "must have at most " + std::to_string(max_roles_per_member) + " items");
        return std::nullopt;
    }
    std::vector<id_t> ids;
    for (const auto& item : arr) {
        auto id = item.is_string() ? json::parse_id(item.get_string()) : std::nullopt;
        if (!id) {
            in.fail("roles", "must be an array of role ids");
            return std::nullopt;
        }
        if (std::find(ids.begin(), ids.end(), *id) == ids.end()) ids.push_back(*id);
    }
    return ids;
}

// "communication_disabled_until": an RFC 3339 time at most 28 days ahead, or
// null to lift a timeout. Unix ms, 0 for null.
std::optional<std::int64_t> read_timeout(json::object_reader& in, std::int64_t now) {
    const json::value* v = in.optional_raw("communication_disabled_until");
    if (!v) return std::nullopt;
    if (v->is_null()) return std::int64_t{0};
    auto t = v->is_string() ? parse_rfc3339_ms(v->get_string()) : std::nullopt;
    if (!t) {
        in.fail("communication_disabled_until", "must be an ISO 8601 time or null");
        return std::nullopt;
    }
    if (*t <= now || *t > now + max_timeout_ms) {
        in.fail("communication_disabled_until", "must be in the future, at most 28 days ahead");
        return std::nullopt;
    }
    return *t;
}

awaitable_response patch_member(text_services& s, request& req, const principal& who) {
    auto ctx = co_await load_space(s, who.user_id, path_id(req, "space_id", "space"));
    const id_t target_id = path_user_id(req, "user_id", who.user_id, "member");
    auto target = co_await s.dir.member(ctx.id(), target_id);
    if (!target) fail(error::not_found("member"));

    const auto now = clock::unix_ms();
    auto body = read_body(req, s);
    json::object_reader in(body);
    auto nick = in.nullable_string(
        "nick", {.min_length = 1, .max_length = 32, .trim = true, .single_line = true});
    auto roles = read_role_ids(in);
    auto timeout = read_timeout(in, now);
    auto voice = read_voice_patch(in);
    in.finish().value();
    const auto reason = audit_reason(req);

    const bool self = target_id == who.user_id;
    const bool target_owner = target_id == ctx.space->space.owner_id;
    const int target_top = co_await s.dir.top_role_position(ctx.id(), target_id);
    const rank actor = ctx.rank();

    store::member_update u;
    json::object nick_changes;
    json::object role_changes;
    json::object timeout_changes;

    if (nick) {
        if (self) {
            if (!ctx.can(perm::change_nickname) && !ctx.can(perm::manage_nicknames))
                fail(missing_permission(perm::change_nickname));
        } else {
            ctx.require(perm::manage_nicknames);
            if (!can_act_on(actor, target_owner, target_top))
                fail(hierarchy_error("you may only rename members below your highest role"));
        }
        if (*nick != target->nick) {
            auto as_json = [](const std::optional<std::string>& n) {
                return n ? json::value(*n) : json::value(nullptr);
            };
            nick_changes["nick"] = change(as_json(target->nick), as_json(*nick));
            u.nick = *nick;
        }
    }

    if (roles) {
        ctx.require(perm::manage_roles);
        for (auto id : *roles) {
            if (id == ctx.id()) fail(error::validation("roles", "@everyone is not assignable"));
            if (!ctx.space->role(id))
                fail(error::validation("roles", "unknown role " + json::id_string(id)));
        }
        std::vector<id_t> added;
        std::vector<id_t> removed;
        for (auto id : *roles)
            if (std::find(target->role_ids.begin(), target->role_ids.end(), id) ==
                target->role_ids.end())
                added.push_back(id);
        for (auto id : target->role_ids)
            if (std::find(roles->begin(), roles->end(), id) == roles->end()) removed.push_back(id);
        for (auto id : added) {
            if (!can_manage_role(actor, ctx.space->role(id)->position, false))
                fail(hierarchy_error("you may only assign roles below your highest role"));
        }
        for (auto id : removed) {
            // A role deleted meanwhile is no longer anyone's to guard.
            const store::role* r = ctx.space->role(id);
            if (r && !can_manage_role(actor, r->position, false))
                fail(hierarchy_error("you may only remove roles below your highest role"));
        }
        if (!added.empty() || !removed.empty()) {
            role_changes["added"] = id_array(added);
            role_changes["removed"] = id_array(removed);
            u.role_ids = std::move(*roles);
        }
    }

    if (timeout) {
        ctx.require(perm::moderate_members);
        if (!can_act_on(actor, target_owner, target_top))
            fail(hierarchy_error("you may only time out members below your highest role"));
        auto target_permissions = co_await s.dir.space_permissions(target_id, ctx.id());
        if (target_permissions && auth::has(*target_permissions, perm::administrator))
            fail(hierarchy_error("administrators cannot be timed out"));
        const auto before =
            target->communication_disabled_until > now ? target->communication_disabled_until : 0;
        if (*timeout != before) {
            auto as_json = [](std::int64_t t) {
                return t ? json::value(clock::iso8601(t)) : json::value(nullptr);
            };
            timeout_changes["communication_disabled_until"] =
                change(as_json(before), as_json(*timeout));
            u.communication_disabled_until = *timeout;
        }
    }

    co_await check_voice_patch(s, ctx, target_id, voice);
    if (voice.mute && *voice.mute != target->mute) u.mute = voice.mute;
    if (voice.deaf && *voice.deaf != target->deaf) u.deaf = voice.deaf;

    const bool row_changes =
        u.nick || u.role_ids || u.communication_disabled_until || u.mute || u.deaf;
    if (!row_changes) {
        co_await apply_voice_patch(s, ctx, who.user_id, *target, voice, reason);
        co_return response::json(200, co_await member_payload(s, *target));
    }

    auto updated = co_await s.db.members().update(ctx.id(), target_id, std::move(u));
    if (!updated) fail(updated.error());
    s.dir.forget_member(ctx.id(), target_id);
    co_await apply_voice_patch(s, ctx, who.user_id, *target, voice, reason);

    auto record = [&](std::string_view action, json::object changes) {
        return append_audit(s, {.space_id = ctx.id(),
                                .actor_id = who.user_id,
                                .action = action,
                                .target_id = target_id,
                                .changes = std::move(changes),
                                .reason = reason});
    };
    if (!nick_changes.empty()) co_await record("member_update", std::move(nick_changes));
    if (!role_changes.empty()) co_await record("member_role_update", std::move(role_changes));
    if (!timeout_changes.empty()) co_await record("member_timeout", std::move(timeout_changes));

    auto out = co_await member_payload(s, *updated);
    s.events.to_space(ctx.id(), "MEMBER_UPDATE", out, true);
    co_return response::json(200, out);
}

// DELETE of oneself (or "@me") is leaving; of someone else, a kick.
awaitable_response remove_member(text_services& s, request& req, const principal& who) {
    auto ctx = co_await load_space(s, who.user_id, path_id(req, "space_id", "space"));
    const id_t target_id = path_user_id(req, "user_id", who.user_id, "member");

    if (target_id == who.user_id) {
        if (ctx.owner())
            fail(error::bad_request("owner_cannot_leave",
                                    "the owner cannot leave the space; transfer it first"));
        co_await s.db.members().remove(ctx.id(), who.user_id);
        co_await announce_leave(s, ctx.id(), who.user_id);
        co_return response::no_content();
    }

    ctx.require(perm::kick_members);
    auto target = co_await s.dir.member(ctx.id(), target_id);
    if (!target) fail(error::not_found("member"));
    const int target_top = co_await s.dir.top_role_position(ctx.id(), target_id);
    if (!can_act_on(ctx.rank(), target_id == ctx.space->space.owner_id, target_top))
        fail(hierarchy_error("you may only kick members below your highest role"));
    const auto reason = audit_reason(req);
    if (!co_await s.db.members().remove(ctx.id(), target_id)) fail(error::not_found("member"));
    co_await append_audit(s, {.space_id = ctx.id(),
                              .actor_id = who.user_id,
                              .action = "member_kick",
                              .target_id = target_id,
                              .changes = {},
                              .reason = reason});
    co_await announce_leave(s, ctx.id(), target_id);
    co_return response::no_content();
}

}  // namespace

void add_member_routes(auth::api_router& api, text_services& s) {
    api.get("/api/v1/spaces/{space_id}/members",
            [&s](request& req, const principal& who) { return list_members(s, req, who); });
    api.get("/api/v1/spaces/{space_id}/members/{user_id}",
            [&s](request& req, const principal& who) { return get_member(s, req, who); });
    api.patch("/api/v1/spaces/{space_id}/members/{user_id}",
              [&s](request& req, const principal& who) { return patch_member(s, req, who); });
    api.del("/api/v1/spaces/{space_id}/members/{user_id}",
            [&s](request& req, const principal& who) { return remove_member(s, req, who); });
}

}  // namespace driftway::text::routes
