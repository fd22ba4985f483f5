// POST|GET /spaces, GET|PATCH|DELETE /spaces/{space_id}; registers the
// member, role and moderation routes of a space as well.
#include "driftway/core/clock.hpp"
#include "driftway/text/json_shapes.hpp"
#include "driftway/text/services.hpp"
#include "routes/audit.hpp"
#include "routes/common.hpp"
#include "routes/membership.hpp"
#include "routes/route_groups.hpp"

#include <algorithm>

namespace driftway::text {

namespace {

using namespace routes;
using auth::principal;

constexpr std::size_t max_owned_spaces = 100;
constexpr json::string_rule space_name_rule{
    .min_length = 1, .max_length = 100, .trim = true, .single_line = true};

// "icon": an attachment id (an uploaded image) or null.
std::optional<std::optional<id_t>> read_icon(json::object_reader& in) {
    const json::value* v = in.optional_raw("icon");
    if (!v) return std::nullopt;
    if (v->is_null()) return std::optional<id_t>{};
    if (v->is_string())
        if (auto id = json::parse_id(v->get_string())) return std::optional<id_t>{*id};
    in.fail("icon", "must be an attachment id or null");
    return std::nullopt;
}

task<void> check_icon(text_services& s, id_t icon) {
    auto a = co_await s.db.attachments().get(icon);
    if (!a) fail(error::validation("icon", "unknown attachment"));
    if (!a->content_type.starts_with("image/")) fail(error::validation("icon", "must be an image"));
}

awaitable_response create_space(text_services& s, request& req, const principal& who) {
    auto body = read_body(req, s);
    json::object_reader in(body);
    auto name = in.required_string("name", space_name_rule);
    auto icon = read_icon(in);
    in.finish().value();
    if (icon && *icon) co_await check_icon(s, **icon);

    const auto mine = co_await s.db.spaces().for_user(who.user_id);
    if (std::count_if(mine.begin(), mine.end(), [&](const store::space& sp) {
            return sp.owner_id == who.user_id;
        }) >= static_cast<std::ptrdiff_t>(max_owned_spaces))
        fail(error::bad_request("too_many_spaces", "you own the most spaces one may own (" +
                                                       std::to_string(max_owned_spaces) + ")"));

    const auto now = clock::unix_ms();
    store::space sp;
    sp.id = s.ids.next();
    sp.name = std::move(*name);
    sp.icon = icon ? *icon : std::nullopt;
    sp.owner_id = who.user_id;
    sp.created_at = now;

    store::role everyone;
    everyone.id = sp.id;
    everyone.space_id = sp.id;
    everyone.name = "@everyone";
    everyone.permissions = auth::perm::default_everyone;
    everyone.position = 0;

    auto first_channel = [&](std::string channel_name, store::channel_type type, int position) {
        store::channel c;
        c.id = s.ids.next();
        c.space_id = sp.id;
        c.name = std::move(channel_name);
        c.type = type;
        c.position = position;
        c.created_at = now;
        return c;
    };
    std::vector<store::channel> channels;
    channels.push_back(first_channel("general", store::channel_type::text, 0));
    channels.push_back(first_channel("General", store::channel_type::voice, 1));

    store::member owner;
    owner.space_id = sp.id;
    owner.user_id = who.user_id;
    owner.joined_at = now;

    const id_t space_id = sp.id;
    co_await s.db.spaces().create(std::move(sp), std::move(everyone), std::move(channels),
                                  std::move(owner));
    // Someone may have asked for the id before it existed.
    s.dir.forget_space(space_id);
    s.dir.forget_member(space_id, who.user_id);
    auto payload = co_await space_payload(s, who.user_id, space_id);
    s.events.to_users({who.user_id}, "SPACE_CREATE", payload, space_id, true);
    co_return response::json(201, payload);
}

awaitable_response list_spaces(text_services& s, const principal& who) {
    json::array out;
    for (const auto& sp : co_await s.db.spaces().for_user(who.user_id)) {
        auto snapshot = co_await s.dir.space(sp.id);
        out.emplace_back(space_json(sp, snapshot ? snapshot->member_count : 0));
    }
    co_return response::json(200, out);
}

awaitable_response get_space(text_services& s, request& req, const principal& who) {
    auto ctx = co_await load_space(s, who.user_id, path_id(req, "space_id", "space"));
    co_return response::json(200, co_await space_payload(s, who.user_id, ctx.id()));
}

awaitable_response patch_space(text_services& s, request& req, const principal& who) {
    auto ctx = co_await load_space(s, who.user_id, path_id(req, "space_id", "space"));
    auto body = read_body(req, s);
    json::object_reader in(body);
    auto name = in.optional_string("name", space_name_rule);
    auto icon = read_icon(in);
    auto owner_id = in.optional_id("owner_id");
    in.finish().value();
    const auto reason = audit_reason(req);

    if (name || icon) ctx.require(auth::perm::manage_space);
    if (owner_id) {
        if (!ctx.owner())
            fail(error::forbidden("not_owner", "only the owner may transfer the space"));
        if (!co_await s.dir.member(ctx.id(), *owner_id)) fail(error::not_found("member"));
    }
    if (icon && *icon && *icon != ctx.space->space.icon) co_await check_icon(s, **icon);

    const store::space& before = ctx.space->space;
    store::space after = before;
    json::object changes;
    if (name && *name != before.name) {
        changes["name"] = change(json::value(before.name), json::value(*name));
        after.name = std::move(*name);
    }
    if (icon && *icon != before.icon) {
        auto id_json = [](const std::optional<id_t>& i) {
            return i ? json::value(json::id_string(*i)) : json::value(nullptr);
        };
        changes["icon"] = change(id_json(before.icon), id_json(*icon));
        after.icon = *icon;
    }
    const bool transfer = owner_id && *owner_id != before.owner_id;
    if (transfer) {
        changes["owner_id"] = change(json::value(json::id_string(before.owner_id)),
                                     json::value(json::id_string(*owner_id)));
        after.owner_id = *owner_id;
    }
    if (changes.empty()) co_return response::json(200, space_json(before, ctx.space->member_count));

    co_await s.db.spaces().update(after);
    s.dir.forget_space(after.id);
    co_await append_audit(s, {.space_id = after.id,
                              .actor_id = who.user_id,
                              .action = "space_update",
                              .target_id = after.id,
                              .changes = std::move(changes),
                              .reason = reason});
    auto out = space_json(after, ctx.space->member_count);
    // A new owner holds every permission: sessions recompute what they see.
    s.events.to_space(after.id, "SPACE_UPDATE", out, transfer);
    co_return response::json(200, out);
}

awaitable_response delete_space(text_services& s, request& req, const principal& who) {
    auto ctx = co_await load_space(s, who.user_id, path_id(req, "space_id", "space"));
    if (!ctx.owner()) fail(error::forbidden("not_owner", "only the owner may delete the space"));
    const id_t space_id = ctx.id();
    co_await s.db.spaces().remove(space_id);
    s.dir.forget_space(space_id);
    for (const auto& c : ctx.space->channels) s.dir.forget_channel(c.id);
    json::object d;
    d["id"] = json::id_string(space_id);
    s.events.to_space(space_id, "SPACE_DELETE", d, true);
    co_return response::no_content();
}

}  // namespace

void add_space_routes(auth::api_router& api, text_services& s) {
    api.post("/api/v1/spaces",
             [&s](request& req, const principal& who) { return create_space(s, req, who); });
    api.get("/api/v1/spaces", [&s](request&, const principal& who) { return list_spaces(s, who); });
    api.get("/api/v1/spaces/{space_id}",
            [&s](request& req, const principal& who) { return get_space(s, req, who); });
    api.patch("/api/v1/spaces/{space_id}",
              [&s](request& req, const principal& who) { return patch_space(s, req, who); });
    api.del("/api/v1/spaces/{space_id}",
            [&s](request& req, const principal& who) { return delete_space(s, req, who); });
    routes::add_member_routes(api, s);
    routes::add_role_routes(api, s);
    routes::add_moderation_routes(api, s);
}

}  // namespace driftway::text
