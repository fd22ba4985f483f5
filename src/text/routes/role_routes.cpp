// GET|POST|PATCH /spaces/{space_id}/roles (PATCH with an array reorders),
// PATCH|DELETE /spaces/{space_id}/roles/{role_id}. A member manages only roles
// below their highest and grants only permissions they hold themselves.
#include "driftway/text/json_shapes.hpp"
#include "routes/audit.hpp"
#include "routes/common.hpp"
#include "routes/route_groups.hpp"

#include <algorithm>

namespace driftway::text::routes {

namespace {

using auth::principal;
namespace perm = auth::perm;

constexpr std::size_t max_roles_per_space = 250;
constexpr std::int64_t max_position = 100000;
constexpr json::string_rule role_name_rule{
    .min_length = 1, .max_length = 100, .trim = true, .single_line = true};

error hierarchy_error(std::string message) {
    return error::forbidden("role_hierarchy", std::move(message));
}

std::optional<auth::permission_set> read_permissions(json::object_reader& in) {
    const json::value* v = in.optional_raw("permissions");
    if (!v) return std::nullopt;
    auto p = v->is_string() ? auth::parse_permissions(v->get_string()) : std::nullopt;
    if (!p) in.fail("permissions", "must be a permission bit set (a decimal string of known bits)");
    return p;
}

// Every role but @everyone, with its position, as the hierarchy rules take them.
std::vector<role_position> positions_of(const space_snapshot& sp) {
    std::vector<role_position> out;
    for (const auto& r : sp.roles)
        if (r.id != sp.space.id) out.push_back({r.id, r.position});
    return out;
}

// The roles whose position differs between before and after.
std::vector<std::pair<id_t, int>> moved_roles(const std::vector<role_position>& before,
                                              const std::vector<role_position>& after) {
    std::vector<std::pair<id_t, int>> out;
    for (const auto& a : after) {
        auto it = std::find_if(before.begin(), before.end(),
                               [&](const role_position& b) { return b.id == a.id; });
        if (it == before.end() || it->position != a.position) out.emplace_back(a.id, a.position);
    }
    return out;
}

// Stores a set of position changes and announces and records each moved role
// (except `skip`, which the caller reports itself).
task<void> store_moves(text_services& s, const space_context& ctx, id_t actor,
                       const std::vector<std::pair<id_t, int>>& moves, const std::string& reason,
                       id_t skip = 0) {
    if (moves.empty()) co_return;
    co_await s.db.roles().set_positions(ctx.id(), moves);
    s.dir.forget_space(ctx.id());
    for (const auto& [id, position] : moves) {
        if (id == skip) continue;
        const store::role* r = ctx.space->role(id);
        if (!r) continue;
        store::role moved = *r;
        moved.position = position;
        json::object changes;
        changes["position"] = change(json::value(r->position), json::value(position));
        co_await append_audit(s, {.space_id = ctx.id(),
                                  .actor_id = actor,
                                  .action = "role_update",
                                  .target_id = id,
                                  .changes = std::move(changes),
                                  .reason = reason});
        json::object d;
        d["space_id"] = json::id_string(ctx.id());
        d["role"] = role_json(moved);
        s.events.to_space(ctx.id(), "ROLE_UPDATE", d, true);
    }
}

void publish_role(text_services& s, std::string_view type, const store::role& r) {
    json::object d;
    d["space_id"] = json::id_string(r.space_id);
    d["role"] = role_json(r);
    s.events.to_space(r.space_id, type, d, true);
}

awaitable_response list_roles(text_services& s, request& req, const principal& who) {
    auto ctx = co_await load_space(s, who.user_id, path_id(req, "space_id", "space"));
    json::array out;
    for (const auto& r : ctx.space->roles) out.emplace_back(role_json(r));
    co_return response::json(200, out);
}

awaitable_response create_role(text_services& s, request& req, const principal& who) {
    auto ctx = co_await load_space(s, who.user_id, path_id(req, "space_id", "space"));
    auto body = read_body(req, s);
    json::object_reader in(body);
    auto name = in.optional_string("name", role_name_rule);
    auto permissions = read_permissions(in);
    auto color = in.optional_int("color", 0, 0xFFFFFF);
    auto hoist = in.optional_bool("hoist");
    auto mentionable = in.optional_bool("mentionable");
    auto position = in.optional_int("position", 1, max_position);
    in.finish().value();
    const auto reason = audit_reason(req);

    ctx.require(perm::manage_roles);
    if (ctx.space->roles.size() >= max_roles_per_space + 1)
        fail(error::bad_request(
            "too_many_roles",
            "a space has at most " + std::to_string(max_roles_per_space) + " roles"));
    const rank actor = ctx.rank();
    if (auto missing = ungrantable(actor, permissions.value_or(0)))
        fail(missing_permission(missing));

    auto before = positions_of(*ctx.space);
    int top_position = 0;
    for (const auto& r : before) top_position = std::max(top_position, r.position);
    const int at = std::min<int>(static_cast<int>(position.value_or(1)), top_position + 1);
    // The new role pushes the roles at and above its position up by one, so it
    // lands strictly below the creator's highest role when at <= their top.
    if (!actor.owner && at > actor.top)
        fail(hierarchy_error("you may only create roles below your highest role"));

    std::vector<std::pair<id_t, int>> shifted;
    for (const auto& r : before)
        if (r.position >= at) shifted.emplace_back(r.id, r.position + 1);

    store::role role;
    role.id = s.ids.next();
    role.space_id = ctx.id();
    role.name = name.value_or("new role");
    role.permissions = permissions.value_or(0);
    role.position = at;
    role.color = static_cast<std::uint32_t>(color.value_or(0));
    role.hoist = hoist.value_or(false);
    role.mentionable = mentionable.value_or(false);

    co_await store_moves(s, ctx, who.user_id, shifted, reason);
    co_await s.db.roles().create(role);
    s.dir.forget_space(ctx.id());

    json::object changes;
    changes["name"] = role.name;
    changes["permissions"] = auth::to_string(role.permissions);
    changes["color"] = role.color;
    changes["hoist"] = role.hoist;
    changes["mentionable"] = role.mentionable;
    changes["position"] = role.position;
    co_await append_audit(s, {.space_id = ctx.id(),
                              .actor_id = who.user_id,
                              .action = "role_create",
                              .target_id = role.id,
                              .changes = std::move(changes),
                              .reason = reason});
    publish_role(s, "ROLE_CREATE", role);
    co_return response::json(201, role_json(role));
}

awaitable_response patch_role(text_services& s, request& req, const principal& who) {
    auto ctx = co_await load_space(s, who.user_id, path_id(req, "space_id", "space"));
    const id_t role_id = path_id(req, "role_id", "role");
    const store::role* current = ctx.space->role(role_id);
    if (!current) fail(error::not_found("role"));
    const bool everyone = role_id == ctx.id();

    auto body = read_body(req, s);
    json::object_reader in(body);
    auto name = in.optional_string("name", role_name_rule);
    auto permissions = read_permissions(in);
    auto color = in.optional_int("color", 0, 0xFFFFFF);
    auto hoist = in.optional_bool("hoist");
    auto mentionable = in.optional_bool("mentionable");
    auto position = in.optional_int("position", 1, max_position);
    if (everyone && name) in.fail("name", "the @everyone role cannot be renamed");
    if (everyone && position) in.fail("position", "the @everyone role stays at position 0");
    in.finish().value();
    const auto reason = audit_reason(req);

    ctx.require(perm::manage_roles);
    const rank actor = ctx.rank();
    if (!can_manage_role(actor, current->position, everyone))
        fail(hierarchy_error("you may only edit roles below your highest role"));

    store::role updated = *current;
    json::object changes;
    if (name && *name != current->name) {
        changes["name"] = change(json::value(current->name), json::value(*name));
        updated.name = std::move(*name);
    }
    if (permissions && *permissions != current->permissions) {
        if (auto missing = ungrantable(actor, *permissions ^ current->permissions))
            fail(missing_permission(missing));
        changes["permissions"] = change(json::value(auth::to_string(current->permissions)),
                                        json::value(auth::to_string(*permissions)));
        updated.permissions = *permissions;
    }
    if (color && static_cast<std::uint32_t>(*color) != current->color) {
        changes["color"] = change(json::value(current->color), json::value(*color));
        updated.color = static_cast<std::uint32_t>(*color);
    }
    if (hoist && *hoist != current->hoist) {
        changes["hoist"] = change(json::value(current->hoist), json::value(*hoist));
        updated.hoist = *hoist;
    }
    if (mentionable && *mentionable != current->mentionable) {
        changes["mentionable"] =
            change(json::value(current->mentionable), json::value(*mentionable));
        updated.mentionable = *mentionable;
    }
    std::vector<std::pair<id_t, int>> moves;
    if (position) {
        const auto before = positions_of(*ctx.space);
        const auto after = reorder(before, {{role_id, static_cast<int>(*position)}});
        if (!forbidden_moves(actor, before, after).empty())
            fail(hierarchy_error("you may only move roles below your highest role"));
        moves = moved_roles(before, after);
        for (const auto& [id, p] : moves)
            if (id == role_id) {
                changes["position"] = change(json::value(current->position), json::value(p));
                updated.position = p;
            }
    }
    if (changes.empty()) co_return response::json(200, role_json(*current));

    co_await store_moves(s, ctx, who.user_id, moves, reason, role_id);
    co_await s.db.roles().update(updated);
    s.dir.forget_space(ctx.id());
    co_await append_audit(s, {.space_id = ctx.id(),
                              .actor_id = who.user_id,
                              .action = "role_update",
                              .target_id = role_id,
                              .changes = std::move(changes),
                              .reason = reason});
    publish_role(s, "ROLE_UPDATE", updated);
    co_return response::json(200, role_json(updated));
}

// PATCH /spaces/{space_id}/roles [{id, position}, …]
awaitable_response reorder_roles(text_services& s, request& req, const principal& who) {
    auto ctx = co_await load_space(s, who.user_id, path_id(req, "space_id", "space"));
    auto body = read_body(req, s);
    if (!body.is_array()) fail(error::validation("body", "must be an array of {id, position}"));
    const auto& items = body.get_array();
    if (items.empty() || items.size() > max_roles_per_space)
        fail(error::validation("body",
                               "must hold 1 to " + std::to_string(max_roles_per_space) + " items"));
    std::vector<role_position> requested;
    error problems = error::validation("body", "");
    problems.fields.clear();
    for (std::size_t i = 0; i < items.size(); ++i) {
        const std::string at = "[" + std::to_string(i) + "]";
        if (!items[i].is_object()) {
            problems.with_field(at, "must be an object {id, position}");
            continue;
        }
        json::object_reader item(items[i]);
        auto id = item.required_id("id");
        auto position = item.optional_int("position", 1, max_position);
        if (!item.has("position")) item.fail("position", "is required");
        if (auto done = item.finish(); !done) {
            for (const auto& [field, why] : done.error().fields)
                problems.with_field(at + "." + field, why);
            continue;
        }
        if (*id == ctx.id()) {
            problems.with_field(at + ".id", "the @everyone role stays at position 0");
            continue;
        }
        if (!ctx.space->role(*id)) {
            problems.with_field(at + ".id", "unknown role " + json::id_string(*id));
            continue;
        }
        requested.push_back({*id, static_cast<int>(*position)});
    }
    if (!problems.fields.empty()) fail(std::move(problems));
    const auto reason = audit_reason(req);

    ctx.require(perm::manage_roles);
    const auto before = positions_of(*ctx.space);
    const auto after = reorder(before, requested);
    if (!forbidden_moves(ctx.rank(), before, after).empty())
        fail(hierarchy_error("you may only move roles below your highest role"));
    co_await store_moves(s, ctx, who.user_id, moved_roles(before, after), reason);

    json::array out;
    auto snapshot = co_await s.dir.space(ctx.id());
    for (const auto& r : (snapshot ? snapshot : ctx.space)->roles) out.emplace_back(role_json(r));
    co_return response::json(200, out);
}

awaitable_response delete_role(text_services& s, request& req, const principal& who) {
    auto ctx = co_await load_space(s, who.user_id, path_id(req, "space_id", "space"));
    const id_t role_id = path_id(req, "role_id", "role");
    const store::role* current = ctx.space->role(role_id);
    if (!current) fail(error::not_found("role"));
    if (role_id == ctx.id())
        fail(error::bad_request("cannot_delete_everyone", "the @everyone role cannot be deleted"));
    const auto reason = audit_reason(req);
    ctx.require(perm::manage_roles);
    if (!can_manage_role(ctx.rank(), current->position, false))
        fail(hierarchy_error("you may only delete roles below your highest role"));

    const store::role gone = *current;
    if (!co_await s.db.roles().remove(ctx.id(), role_id)) fail(error::not_found("role"));
    s.dir.forget_space(ctx.id());
    json::object changes;
    changes["name"] = gone.name;
    changes["permissions"] = auth::to_string(gone.permissions);
    co_await append_audit(s, {.space_id = ctx.id(),
                              .actor_id = who.user_id,
                              .action = "role_delete",
                              .target_id = role_id,
                              .changes = std::move(changes),
                              .reason = reason});
    json::object d;
    d["space_id"] = json::id_string(ctx.id());
    d["role_id"] = json::id_string(role_id);
    s.events.to_space(ctx.id(), "ROLE_DELETE", d, true);
    co_return response::no_content();
}

}  // namespace

void add_role_routes(auth::api_router& api, text_services& s) {
    api.get("/api/v1/spaces/{space_id}/roles",
            [&s](request& req, const principal& who) { return list_roles(s, req, who); });
    api.post("/api/v1/spaces/{space_id}/roles",
             [&s](request& req, const principal& who) { return create_role(s, req, who); });
    api.patch("/api/v1/spaces/{space_id}/roles",
              [&s](request& req, const principal& who) { return reorder_roles(s, req, who); });
    api.patch("/api/v1/spaces/{space_id}/roles/{role_id}",
              [&s](request& req, const principal& who) { return patch_role(s, req, who); });
    api.del("/api/v1/spaces/{space_id}/roles/{role_id}",
            [&s](request& req, const principal& who) { return delete_role(s, req, who); });
}

}  // namespace driftway::text::routes
