#include "driftway/gateway/caller_limits.hpp"

#include "driftway/auth/crypto.hpp"
#include "driftway/core/clock.hpp"
#include "driftway/core/json.hpp"
#include "driftway/core/metrics.hpp"

#include <cmath>
#include <cstdio>

namespace driftway::gateway {

namespace {

std::string seconds_text(double s) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3f", s < 0 ? 0.0 : s);
    return buf;
}

void set_headers(net::header_list& h, const std::string& bucket, const bus::gcra_decision& d) {
    h.set("X-RateLimit-Limit", std::to_string(d.limit));
    h.set("X-RateLimit-Remaining", std::to_string(d.remaining));
    h.set("X-RateLimit-Reset-After", seconds_text(d.reset_after));
    h.set("X-RateLimit-Bucket", bucket);
}

net::response too_many(const std::string& bucket, const std::string& scope,
                       const bus::gcra_decision& d) {
    metrics::global()
        .get_counter("rate_limit_hits_total", "Requests refused by a rate limit",
                     {{"scope", scope}})
        .inc();
    json::object body;
    body["code"] = "rate_limited";
    body["message"] = "You are being rate limited.";
    body["retry_after"] = std::ceil(d.retry_after * 1000) / 1000;
    body["scope"] = scope;
    auto res = net::response::json(429, body);
    res.headers.set("Retry-After",
                    std::to_string(static_cast<long long>(std::ceil(d.retry_after))));
    set_headers(res.headers, bucket, d);
    return res;
}

}  // namespace

std::string caller_bucket(const net::request& req, const auth::jwt_verifier* verifier,
                          std::int64_t now_seconds) {
    if (const auto key = req.header("X-API-Key"); key && !key->empty())
        return "key:" + auth::sha256_hex(*key);
    const auto authz = req.header("Authorization");
    constexpr std::string_view bearer = "Bearer ";
    if (!verifier || !authz || !authz->starts_with(bearer)) return {};
    const auto outcome = verifier->verify(authz->substr(bearer.size()), now_seconds);
    if (!outcome.ok) return {};
    return "user:" + std::to_string(outcome.claims.user_id);
}

caller_limits::caller_limits(const auth::jwt_verifier* verifier, bus::rate_limiter& limiter,
                             caller_limit_options options)
    : verifier_(verifier), limiter_(limiter), options_(options) {}

boost::asio::awaitable<caller_limits::verdict> caller_limits::check(const net::request& req) {
    verdict v;
    if (!options_.enabled) co_return v;
    // The bucket closest to its limit is the one the headers report.
    std::optional<bus::gcra_decision> tightest;
    std::string tightest_name;

    const auto ip = co_await limiter_.check("ip:" + req.remote_ip, options_.ip);
    if (!ip.allowed) {
        v.refused = too_many("ip", "ip", ip);
        co_return v;
    }
    tightest = ip;
    tightest_name = "ip";

    const std::string caller = caller_bucket(req, verifier_, clock::unix_seconds());
    if (!caller.empty()) {
        const bool by_key = caller.starts_with("key:");
        const auto d = co_await limiter_.check(caller, by_key ? options_.key : options_.user);
        const std::string name = by_key ? "key" : "user";
        if (!d.allowed) {
            v.refused = too_many(name, name, d);
            co_return v;
        }
        if (d.remaining < tightest->remaining) {
            tightest = d;
            tightest_name = name;
        }
    }
    set_headers(v.headers, tightest_name, *tightest);
    co_return v;
}

}  // namespace driftway::gateway
