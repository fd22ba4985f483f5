#pragma once
// Per-IP and per-user/key rate limits at the gateway, before any upstream is
// bothered: the same GCRA buckets and 429 body as auth::api_router (API.md).
// The gateway has no database, so a user is known from a verified access
// token (the instance's public key) and an API key by its SHA-256 alone; the
// upstream still authenticates every request.
#include "driftway/auth/jwt.hpp"
#include "driftway/bus/rate_limiter.hpp"
#include "driftway/net/http.hpp"

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace driftway::gateway {

struct caller_limit_options {
    bool enabled = true;
    bus::gcra_limit ip{50, 100};
    bus::gcra_limit user{50, 100};
    bus::gcra_limit key{50, 100};
};

// "user:<id>" for a valid access token, "key:<sha256 hex>" for an X-API-Key,
// empty when the request carries neither (or a token that does not verify:
// the upstream will refuse it, and the IP bucket still applies).
std::string caller_bucket(const net::request& req, const auth::jwt_verifier* verifier,
                          std::int64_t now_seconds);

class caller_limits {
public:
    // verifier may be null: then tokens are not inspected.
    caller_limits(const auth::jwt_verifier* verifier, bus::rate_limiter& limiter,
                  caller_limit_options options);

    struct verdict {
        std::optional<net::response> refused;  // the 429 to send
        net::header_list headers;              // X-RateLimit-* for the answer
    };
    // Runs on the caller's shard.
    boost::asio::awaitable<verdict> check(const net::request& req);

private:
    const auth::jwt_verifier* verifier_;
    bus::rate_limiter& limiter_;
    caller_limit_options options_;
};

}  // namespace driftway::gateway
