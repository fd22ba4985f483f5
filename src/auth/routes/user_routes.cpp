// GET|PATCH /users/@me, GET /users/{id}.
#include "driftway/auth/account_routes.hpp"
#include "driftway/net/json_body.hpp"

namespace driftway::auth {

namespace {

using net::request;
using net::response;
using awaitable_response = boost::asio::awaitable<response>;

constexpr std::size_t max_preferences_bytes = 16 << 10;

awaitable_response get_me(account_services& s, const principal& who) {
    auto u = co_await s.db.users().by_id(who.user_id);
    if (!u) co_return response::from_error(error::not_found("user"));
    co_return response::json(200, private_user_json(*u));
}

awaitable_response patch_me(account_services& s, request& req, const principal& who) {
    auto body = net::json_body(req, s.limits).value();
    json::object_reader in(body);
    store::user_update changes;
    if (auto name = in.nullable_string(
            "display_name", {.min_length = 1, .max_length = 32, .trim = true, .single_line = true}))
        changes.display_name = name->value_or(std::string{});
    if (in.has("avatar")) {
        const json::value* v = in.optional_raw("avatar");
        if (v->is_null())
            changes.avatar = std::optional<store::id_t>{};
        else if (auto id = v->is_string() ? json::parse_id(v->get_string()) : std::nullopt)
            changes.avatar = std::optional<store::id_t>{*id};
        else
            in.fail("avatar", "must be an attachment id or null");
    }
    if (in.has("preferences")) {
        const json::value* v = in.optional_raw("preferences");
        if (!v->is_object())
            in.fail("preferences", "must be an object");
        else {
            auto text = json::serialize(*v);
            if (text.size() > max_preferences_bytes)
                in.fail("preferences", "is larger than 16 KiB");
            else
                changes.preferences = std::move(text);
        }
    }
    if (auto status = in.optional_string("status")) {
        if (*status != "online" && *status != "idle" && *status != "dnd" && *status != "invisible")
            in.fail("status", "must be one of online, idle, dnd, invisible");
        else
            changes.status = std::move(*status);
    }
    in.finish().value();
    auto updated = co_await s.db.users().update(who.user_id, std::move(changes));
    if (!updated) co_return response::from_error(updated.error());
    if (s.user_changed) s.user_changed(who.user_id);
    co_return response::json(200, private_user_json(*updated));
}

awaitable_response get_user(account_services& s, request& req) {
    auto id = json::parse_id(req.param("user_id"));
    if (!id) co_return response::from_error(error::not_found("user"));
    auto u = co_await s.db.users().by_id(*id);
    if (!u) co_return response::from_error(error::not_found("user"));
    co_return response::json(200, public_user_json(*u));
}

}  // namespace

void add_user_routes(api_router& api, account_services& s) {
    api.get("/api/v1/users/@me", [&s](request&, const principal& who) { return get_me(s, who); });
    api.patch("/api/v1/users/@me",
              [&s](request& req, const principal& who) { return patch_me(s, req, who); });
    api.get("/api/v1/users/{user_id}",
            [&s](request& req, const principal&) { return get_user(s, req); });
}

}  // namespace driftway::auth
