#pragma once
// Registers API routes behind their access policy: who may call (anyone, a
// user token, a user token or an API key with a scope) and which rate-limit
// buckets apply (per IP always, per user or key once known, and an optional
// per-IP bucket of the route itself such as login). Every response of a
// guarded route carries the X-RateLimit-* headers of API.md.
#include "driftway/auth/authenticator.hpp"
#include "driftway/auth/principal.hpp"
#include "driftway/bus/rate_limiter.hpp"
#include "driftway/net/router.hpp"

#include <functional>
#include <optional>
#include <string>

namespace driftway::auth {

enum class access {
    anyone,       // no credentials needed (principal is empty)
    user_token,   // a user's access token; API keys are refused
    user_or_key,  // a user token, or an API key holding the route's scope
};

struct route_policy {
    access who = access::user_or_key;
    scope needs = scope::read;  // for API keys
    // A per-IP bucket of this route alone ("login", "register").
    std::string bucket;
    bus::gcra_limit bucket_limit{};
};

struct rate_limits {
    bool enabled = true;
    bus::gcra_limit ip{50, 100};
    bus::gcra_limit user{50, 100};
    bus::gcra_limit key{50, 100};
};

using api_handler =
    std::function<boost::asio::awaitable<net::response>(net::request&, const principal&)>;

class api_router {
public:
    api_router(net::router& router, authenticator& authn, bus::rate_limiter& limiter,
               rate_limits limits);

    void add(net::method m, std::string pattern, route_policy policy, api_handler h);

    // Shorthands: GET needs scope read, the others scope write.
    void get(std::string pattern, api_handler h, access who = access::user_or_key);
    void post(std::string pattern, api_handler h, access who = access::user_or_key);
    void patch(std::string pattern, api_handler h, access who = access::user_or_key);
    void put(std::string pattern, api_handler h, access who = access::user_or_key);
    void del(std::string pattern, api_handler h, access who = access::user_or_key);

private:
    net::router& router_;
    authenticator& authn_;
    bus::rate_limiter& limiter_;
    rate_limits limits_;
};

}  // namespace driftway::auth
