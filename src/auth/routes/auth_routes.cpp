// POST /auth/register, /auth/login, /auth/refresh, /auth/logout; GET /auth/jwks.
#include "driftway/auth/account_routes.hpp"
#include "driftway/auth/account_rules.hpp"
#include "driftway/core/clock.hpp"
#include "driftway/core/run_on.hpp"
#include "driftway/net/json_body.hpp"

namespace driftway::auth {

namespace {

using net::request;
using net::response;
using awaitable_response = boost::asio::awaitable<response>;

response session_response(int status, const store::user& u, const token_pair& t) {
    json::object body;
    body["user"] = private_user_json(u);
    body["access_token"] = t.access_token;
    body["refresh_token"] = t.refresh_token;
    body["expires_in"] = t.expires_in;
    return response::json(status, body);
}

awaitable_response register_user(account_services& s, request& req) {
    auto body = net::json_body(req, s.limits).value();
    json::object_reader in(body);
    auto username =
        in.required_string("username", {.min_length = username_min, .max_length = username_max});
    auto email = in.required_string(
        "email",
        {.min_length = email_min, .max_length = email_max, .trim = true, .single_line = true});
    auto password =
        in.required_string("password", {.min_length = password_min, .max_length = password_max});
    auto invite = in.optional_string("invite", {.min_length = 1, .max_length = 64});
    if (username && !valid_username_chars(*username))
        in.fail("username", "may contain only letters, digits, '_', '.' and '-'");
    if (email && !valid_email(*email)) in.fail("email", "is not an email address");
    in.finish().value();

    const auto settings = co_await s.db.instance().get();
    // The very first account may always register: it becomes the owner.
    if (co_await s.db.users().count() > 0) {
        if (settings.registration == "closed")
            co_return response::from_error(
                error::forbidden("registration_closed", "registration is closed on this instance"));
        if (settings.registration == "invite") {
            if (!invite)
                co_return response::from_error(error::forbidden(
                    "invite_required", "registration needs an invite on this instance"));
            const bool ok = s.invite_is_valid ? co_await s.invite_is_valid(*invite) : false;
            if (!ok)
                co_return response::from_error(
                    error::forbidden("invalid_invite", "the invite is unknown or has expired"));
        }
    }

    const auto cost = s.cost;
    std::string hash = co_await run_on(
        s.hashing, [pw = std::move(*password), cost] { return hash_password(pw, cost); });

    store::user u;
    u.id = s.ids.next();
    u.username = *username;
    u.email = lower_ascii(*email);
    u.password_hash = std::move(hash);
    u.display_name = *username;
    u.created_at = clock::unix_ms();
    u.last_active = u.created_at;
    auto created = co_await s.db.users().create(std::move(u), true);
    if (!created) co_return response::from_error(created.error());
    if (invite && s.join_with_invite) co_await s.join_with_invite(created->id, *invite);
    const auto tokens = co_await s.sessions.start(created->id);
    co_return session_response(201, *created, tokens);
}

awaitable_response login(account_services& s, request& req) {
    auto body = net::json_body(req, s.limits).value();
    json::object_reader in(body);
    auto login_name = in.required_string(
        "login", {.min_length = 1, .max_length = 254, .trim = true, .single_line = true});
    auto password = in.required_string("password", {.min_length = 1, .max_length = 256});
    in.finish().value();

    auto found = co_await s.db.users().by_login(*login_name);
    // Unknown users cost a verification too, so timing does not tell who exists.
    const std::string hash = found ? found->password_hash : dummy_hash(s.cost);
    const bool ok =
        co_await run_on(s.hashing, [&hash, &password] { return verify_password(hash, *password); });
    if (!found || !ok)
        co_return response::from_error(
            error::unauthorized("invalid_credentials", "the login or password is wrong"));
    co_await s.db.users().touch(found->id, clock::unix_ms());
    const auto tokens = co_await s.sessions.start(found->id);
    co_return session_response(200, *found, tokens);
}

awaitable_response refresh(account_services& s, request& req) {
    auto body = net::json_body(req, s.limits).value();
    json::object_reader in(body);
    auto token = in.required_string("refresh_token", {.min_length = 1, .max_length = 256});
    in.finish().value();

    auto refreshed = co_await s.sessions.refresh(std::move(*token));
    if (!refreshed) co_return response::from_error(refreshed.error());
    auto user = co_await s.db.users().by_id(refreshed->user_id);
    if (!user)
        co_return response::from_error(error::unauthorized(
            "invalid_refresh_token", "the refresh token is unknown, expired or revoked"));
    co_return session_response(200, *user, refreshed->tokens);
}

awaitable_response logout(account_services& s, request& req) {
    auto body = net::json_body(req, s.limits).value();
    json::object_reader in(body);
    auto token = in.required_string("refresh_token", {.min_length = 1, .max_length = 256});
    in.finish().value();
    co_await s.sessions.end(std::move(*token));
    co_return response::no_content();
}

}  // namespace

void add_auth_routes(api_router& api, account_services& s) {
    api.add(net::method::post, "/api/v1/auth/register",
            {access::anyone, scope::write, "register", s.register_limit},
            [&s](request& req, const principal&) { return register_user(s, req); });
    api.add(net::method::post, "/api/v1/auth/login",
            {access::anyone, scope::write, "login", s.login_limit},
            [&s](request& req, const principal&) { return login(s, req); });
    api.post(
        "/api/v1/auth/refresh", [&s](request& req, const principal&) { return refresh(s, req); },
        access::anyone);
    api.post(
        "/api/v1/auth/logout", [&s](request& req, const principal&) { return logout(s, req); },
        access::anyone);
    api.get(
        "/api/v1/auth/jwks",
        [&s](request&, const principal&) -> awaitable_response {
            co_return response::json(200, s.verifier.jwks());
        },
        access::anyone);
}

}  // namespace driftway::auth
