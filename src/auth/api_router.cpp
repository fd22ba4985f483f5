#include "driftway/auth/api_router.hpp"

#include "driftway/core/json.hpp"
#include "driftway/core/log.hpp"
#include "driftway/core/metrics.hpp"

#include <cmath>
#include <cstdio>

namespace driftway::auth {

namespace {

struct bucket_state {
    std::string name;   // X-RateLimit-Bucket
    std::string scope;  // scope in a 429 body
    bus::gcra_decision decision;
};

std::string seconds_text(double s) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3f", s < 0 ? 0.0 : s);
    return buf;
}

metrics::counter& hits(const std::string& scope) {
    return metrics::global().get_counter("rate_limit_hits_total",
                                         "Requests refused by a rate limit", {{"scope", scope}});
}

void set_headers(net::response& res, const bucket_state& b) {
    res.headers.set("X-RateLimit-Limit", std::to_string(b.decision.limit));
    res.headers.set("X-RateLimit-Remaining", std::to_string(b.decision.remaining));
    res.headers.set("X-RateLimit-Reset-After", seconds_text(b.decision.reset_after));
    res.headers.set("X-RateLimit-Bucket", b.name);
}

net::response too_many(const bucket_state& b) {
    hits(b.scope).inc();
    json::object body;
    body["code"] = "rate_limited";
    body["message"] = "You are being rate limited.";
    body["retry_after"] = std::ceil(b.decision.retry_after * 1000) / 1000;
    body["scope"] = b.scope;
    auto res = net::response::json(429, body);
    res.headers.set("Retry-After",
                    std::to_string(static_cast<long long>(std::ceil(b.decision.retry_after))));
    set_headers(res, b);
    return res;
}

}  // namespace

api_router::api_router(net::router& router, authenticator& authn, bus::rate_limiter& limiter,
                       rate_limits limits)
    : router_(router), authn_(authn), limiter_(limiter), limits_(limits) {}

void api_router::add(net::method m, std::string pattern, route_policy policy, api_handler h) {
    router_.add(
        m, std::move(pattern),
        [this, policy = std::move(policy),
         h = std::move(h)](net::request& req) -> boost::asio::awaitable<net::response> {
            // The bucket closest to its limit is the one reported in the headers.
            std::optional<bucket_state> tightest;
            auto consider = [&](bucket_state b) {
                if (!tightest || b.decision.remaining < tightest->decision.remaining)
                    tightest = std::move(b);
            };
            auto finish = [&](net::response res) {
                if (tightest) set_headers(res, *tightest);
                return res;
            };

            if (limits_.enabled) {
                auto d = co_await limiter_.check("ip:" + req.remote_ip, limits_.ip);
                bucket_state b{"ip", "ip", d};
                if (!d.allowed) co_return too_many(b);
                consider(std::move(b));
                if (!policy.bucket.empty()) {
                    auto rd = co_await limiter_.check(
                        "route:" + policy.bucket + ":" + req.remote_ip, policy.bucket_limit);
                    bucket_state rb{"route:" + policy.bucket, "ip", rd};
                    if (!rd.allowed) co_return too_many(rb);
                    consider(std::move(rb));
                }
            }

            principal who{};
            if (policy.who != access::anyone) {
                auto authed = co_await authn_.authenticate(req);
                if (!authed) co_return finish(net::response::from_error(authed.error()));
                who = *authed;
                if (policy.who == access::user_token && !who.is_user_token())
                    co_return finish(net::response::from_error(error::forbidden(
                        "user_token_required", "this route needs a user's access token")));
                if (!who.has(policy.needs))
                    co_return finish(net::response::from_error(error::forbidden(
                        "missing_scope", "the API key lacks the scope '" +
                                             std::string(to_string(policy.needs)) + "'")));
                if (limits_.enabled) {
                    const bool by_key = !who.is_user_token();
                    const auto key = by_key ? "key:" + std::to_string(who.api_key_id)
                                            : "user:" + std::to_string(who.user_id);
                    auto d = co_await limiter_.check(key, by_key ? limits_.key : limits_.user);
                    bucket_state b{by_key ? "key" : "user", by_key ? "key" : "user", d};
                    if (!d.allowed) co_return too_many(b);
                    consider(std::move(b));
                }
            }

            try {
                co_return finish(co_await h(req, who));
            } catch (const error_exception& e) {
                co_return finish(net::response::from_error(e.get()));
            }
        });
}

void api_router::get(std::string pattern, api_handler h, access who) {
    add(net::method::get, std::move(pattern), {who, scope::read, {}, {}}, std::move(h));
}
void api_router::post(std::string pattern, api_handler h, access who) {
    add(net::method::post, std::move(pattern), {who, scope::write, {}, {}}, std::move(h));
}
void api_router::patch(std::string pattern, api_handler h, access who) {
    add(net::method::patch, std::move(pattern), {who, scope::write, {}, {}}, std::move(h));
}
void api_router::put(std::string pattern, api_handler h, access who) {
    add(net::method::put, std::move(pattern), {who, scope::write, {}, {}}, std::move(h));
}
void api_router::del(std::string pattern, api_handler h, access who) {
    add(net::method::delete_, std::move(pattern), {who, scope::write, {}, {}}, std::move(h));
}

}  // namespace driftway::auth
