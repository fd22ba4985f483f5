// GET|POST /api-keys, DELETE /api-keys/{id}. Only a user's own token manages
// keys: a leaked key must not be able to mint more keys.
#include "driftway/auth/account_routes.hpp"
#include "driftway/auth/crypto.hpp"
#include "driftway/core/clock.hpp"
#include "driftway/net/json_body.hpp"

#include <algorithm>

namespace driftway::auth {

namespace {

using net::request;
using net::response;
using awaitable_response = boost::asio::awaitable<response>;

constexpr std::size_t max_keys_per_user = 50;

json::object key_json(const store::api_key& k) {
    json::object o;
    o["id"] = json::id_string(k.id);
    o["name"] = k.name;
    json::array scopes;
    for (const auto& sc : k.scopes) scopes.emplace_back(sc);
    o["scopes"] = std::move(scopes);
    o["created_at"] = clock::iso8601(k.created_at);
    o["last_used"] = k.last_used ? json::value(clock::iso8601(k.last_used)) : json::value(nullptr);
    return o;
}

awaitable_response list_keys(account_services& s, const principal& who) {
    auto keys = co_await s.db.api_keys().list_for(who.user_id);
    json::array out;
    for (const auto& k : keys)
        if (!k.revoked) out.emplace_back(key_json(k));
    co_return response::json(200, out);
}

awaitable_response create_key(account_services& s, request& req, const principal& who) {
    auto body = net::json_body(req, s.limits).value();
    json::object_reader in(body);
    auto name = in.required_string(
        "name", {.min_length = 1, .max_length = 64, .trim = true, .single_line = true});
    std::uint32_t mask = 0;
    if (!in.has("scopes"))
        in.fail("scopes", "is required");
    else if (auto scopes =
                 in.optional_string_array("scopes", 8, {.min_length = 1, .max_length = 32})) {
        for (const auto& sc : *scopes) {
            if (auto parsed = parse_scope(sc))
                mask |= static_cast<std::uint32_t>(*parsed);
            else
                in.fail("scopes", "unknown scope '" + sc + "' (read, write, gateway)");
        }
        if (scopes->empty()) in.fail("scopes", "must name at least one scope");
    }
    in.finish().value();

    const auto existing = co_await s.db.api_keys().list_for(who.user_id);
    if (std::count_if(existing.begin(), existing.end(), [](const auto& k) { return !k.revoked; }) >=
        static_cast<std::ptrdiff_t>(max_keys_per_user))
        co_return response::from_error(
            error::bad_request("too_many_api_keys", "revoke an API key before creating another"));

    const std::string secret = make_api_key_secret();
    store::api_key k;
    k.id = s.ids.next();
    k.owner_id = who.user_id;
    k.name = std::move(*name);
    k.scopes = scope_names(mask);
    k.key_hash = sha256_hex(secret);
    k.created_at = clock::unix_ms();
    co_await s.db.api_keys().insert(k);
    auto out = key_json(k);
    out.erase("last_used");  // never used yet; the list shows it
    out["key"] = secret;
    co_return response::json(201, out);
}

awaitable_response revoke_key(account_services& s, request& req, const principal& who) {
    auto id = json::parse_id(req.param("key_id"));
    if (!id) co_return response::from_error(error::not_found("api_key"));
    // The hash is needed to drop the key from the authenticator's cache.
    std::string hash;
    for (const auto& k : co_await s.db.api_keys().list_for(who.user_id))
        if (k.id == *id && !k.revoked) hash = k.key_hash;
    if (hash.empty() || !co_await s.db.api_keys().revoke(who.user_id, *id))
        co_return response::from_error(error::not_found("api_key"));
    s.authn.forget_api_key(hash);
    co_return response::no_content();
}

}  // namespace

void add_api_key_routes(api_router& api, account_services& s) {
    api.get(
        "/api/v1/api-keys", [&s](request&, const principal& who) { return list_keys(s, who); },
        access::user_token);
    api.post(
        "/api/v1/api-keys",
        [&s](request& req, const principal& who) { return create_key(s, req, who); },
        access::user_token);
    api.del(
        "/api/v1/api-keys/{key_id}",
        [&s](request& req, const principal& who) { return revoke_key(s, req, who); },
        access::user_token);
}

}  // namespace driftway::auth
