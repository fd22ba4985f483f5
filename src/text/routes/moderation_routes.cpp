// PUT|DELETE /spaces/{space_id}/bans/{user_id}, GET /spaces/{space_id}/bans,
// GET /spaces/{space_id}/audit-log. (Kicks and timeouts are member routes.)
#include "driftway/auth/account_routes.hpp"
#include "driftway/core/clock.hpp"
#include "driftway/text/json_shapes.hpp"
#include "routes/audit.hpp"
#include "routes/common.hpp"
#include "routes/membership.hpp"
#include "routes/route_groups.hpp"

namespace driftway::text::routes {

namespace {

using auth::principal;
namespace perm = auth::perm;

constexpr std::int64_t max_delete_message_seconds = 7 * 24 * 3600;

awaitable_response put_ban(text_services& s, request& req, const principal& who) {
    auto ctx = co_await load_space(s, who.user_id, path_id(req, "space_id", "space"));
    const id_t target_id = path_id(req, "user_id", "user");
    auto body = read_body(req, s);
    json::object_reader in(body);
    auto reason = in.optional_string("reason", {.max_length = max_audit_reason, .trim = true});
    auto delete_seconds = in.optional_int("delete_message_seconds", 0, max_delete_message_seconds);
    in.finish().value();
    std::string why = reason ? std::move(*reason) : audit_reason(req);

    ctx.require(perm::ban_members);
    if (target_id == who.user_id)
        fail(error::bad_request("cannot_ban_self", "you cannot ban yourself"));
    if (!co_await s.dir.user(target_id)) fail(error::not_found("user"));
    auto target = co_await s.dir.member(ctx.id(), target_id);
    // Someone who is not a member can be banned pre-emptively; the owner never.
    const bool target_owner = target_id == ctx.space->space.owner_id;
    int target_top = 0;
    if (target) target_top = co_await s.dir.top_role_position(ctx.id(), target_id);
    if (!can_act_on(ctx.rank(), target_owner, target_top))
        fail(
            error::forbidden("role_hierarchy", "you may only ban members below your highest role"));

    store::ban b;
    b.space_id = ctx.id();
    b.user_id = target_id;
    b.reason = why;
    b.banned_by = who.user_id;
    b.created_at = clock::unix_ms();
    co_await s.db.bans().put(std::move(b));
    bool was_member = false;
    if (target) was_member = co_await s.db.members().remove(ctx.id(), target_id);

    std::vector<std::pair<id_t, id_t>> deleted;
    if (delete_seconds && *delete_seconds > 0)
        deleted = co_await s.db.messages().remove_recent_by(
            ctx.id(), target_id, clock::unix_ms() - *delete_seconds * 1000);

    json::object changes;
    changes["delete_message_seconds"] = delete_seconds.value_or(0);
    changes["deleted_messages"] = static_cast<std::int64_t>(deleted.size());
    co_await append_audit(s, {.space_id = ctx.id(),
                              .actor_id = who.user_id,
                              .action = "member_ban_add",
                              .target_id = target_id,
                              .changes = std::move(changes),
                              .reason = why});
    if (was_member)
        co_await announce_leave(s, ctx.id(), target_id);
    else
        s.dir.forget_member(ctx.id(), target_id);
    for (const auto& [channel_id, message_id] : deleted) {
        json::object d;
        d["id"] = json::id_string(message_id);
        d["channel_id"] = json::id_string(channel_id);
        s.events.to_channel(ctx.id(), channel_id, "MESSAGE_DELETE", d);
    }
    co_return response::no_content();
}

awaitable_response delete_ban(text_services& s, request& req, const principal& who) {
    auto ctx = co_await load_space(s, who.user_id, path_id(req, "space_id", "space"));
    const id_t target_id = path_id(req, "user_id", "ban");
    const auto reason = audit_reason(req);
    ctx.require(perm::ban_members);
    if (!co_await s.db.bans().remove(ctx.id(), target_id)) fail(error::not_found("ban"));
    co_await append_audit(s, {.space_id = ctx.id(),
                              .actor_id = who.user_id,
                              .action = "member_ban_remove",
                              .target_id = target_id,
                              .changes = {},
                              .reason = reason});
    co_return response::no_content();
}

awaitable_response list_bans(text_services& s, request& req, const principal& who) {
    auto ctx = co_await load_space(s, who.user_id, path_id(req, "space_id", "space"));
    ctx.require(perm::ban_members);
    json::array out;
    for (const auto& b : co_await s.db.bans().list(ctx.id())) {
        json::object o;
        if (auto u = co_await s.dir.user(b.user_id)) {
            o["user"] = auth::public_user_json(*u);
        } else {
            json::object gone;
            gone["id"] = json::id_string(b.user_id);
            o["user"] = std::move(gone);
        }
        o["reason"] = b.reason.empty() ? json::value(nullptr) : json::value(b.reason);
        o["banned_by"] =
            b.banned_by ? json::value(json::id_string(b.banned_by)) : json::value(nullptr);
        o["created_at"] = clock::iso8601(b.created_at);
        out.emplace_back(std::move(o));
    }
    co_return response::json(200, out);
}

awaitable_response audit_log(text_services& s, request& req, const principal& who) {
    auto ctx = co_await load_space(s, who.user_id, path_id(req, "space_id", "space"));
    const id_t before = query_id(req, "before");
    const int limit = query_int(req, "limit", 1, 100, 50);
    ctx.require(perm::view_audit_log);
    json::array out;
    for (const auto& e : co_await s.db.audit().list(ctx.id(), before, limit))
        out.emplace_back(audit_json(e));
    co_return response::json(200, out);
}

}  // namespace

void add_moderation_routes(auth::api_router& api, text_services& s) {
    api.put("/api/v1/spaces/{space_id}/bans/{user_id}",
            [&s](request& req, const principal& who) { return put_ban(s, req, who); });
    api.del("/api/v1/spaces/{space_id}/bans/{user_id}",
            [&s](request& req, const principal& who) { return delete_ban(s, req, who); });
    api.get("/api/v1/spaces/{space_id}/bans",
            [&s](request& req, const principal& who) { return list_bans(s, req, who); });
    api.get("/api/v1/spaces/{space_id}/audit-log",
            [&s](request& req, const principal& who) { return audit_log(s, req, who); });
}

}  // namespace driftway::text::routes
