#include "driftway/gateway/proxy.hpp"

#include "driftway/core/clock.hpp"
#include "driftway/core/error.hpp"
#include "driftway/core/log.hpp"
#include "driftway/gateway/forwarding.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>

#include <random>
#include <vector>

namespace driftway::gateway {

namespace asio = boost::asio;

namespace {

std::int64_t now_ms() {
    return clock::mono_ns() / 1'000'000;
}

double unit_random() {
    thread_local std::mt19937_64 rng{std::random_device{}()};
    return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
}

// A failure the breaker counts: no answer, or a gateway-class status. A 503
// from a node whose database is down is that node answering correctly.
bool breaker_failure(const net::client_result& r) {
    if (!r.ok()) {
        // Too large or malformed is about this response, not the node's health.
        return r.failure != net::client_failure::too_large &&
               r.failure != net::client_failure::pool_full;
    }
    return r.res.status == 502 || r.res.status == 504 ||
           (r.res.status == 503 && !is_database_unavailable(r.res));
}

net::response stale_copy(net::response cached) {
    cached.headers.set("X-Driftway-Cache", "stale");
    return cached;
}

void add_all(net::header_list& to, const net::header_list& from) {
    for (const auto& [name, value] : from.items()) to.set(name, value);
}

}  // namespace

bool is_database_unavailable(const net::response& res) {
    if (res.status != 503 || res.body.empty() || res.body.size() > 64 * 1024) return false;
    boost::system::error_code ec;
    const auto v = boost::json::parse(res.body, ec);
    if (ec || !v.is_object()) return false;
    const auto* code = v.as_object().if_contains("code");
    return code && code->is_string() && code->as_string() == "database_unavailable";
}

proxy::proxy(upstream_group& group, net::http_client& client, caller_limits& limits,
             proxy_options options)
    : group_(group),
      client_(client),
      limits_(limits),
      options_(options),
      cache_(options.cache_max_entries, static_cast<std::int64_t>(options.cache_ttl_ms)) {}

asio::awaitable<net::response> proxy::handle(net::request& req) {
    auto verdict = co_await limits_.check(req);
    if (verdict.refused) co_return std::move(*verdict.refused);

    const std::string request_id =
        req.request_id.empty() ? request_id_for(req.header("X-Request-Id")) : req.request_id;
    const net::request upstream_req = upstream_request(req, request_id);
    const bool cacheable = req.verb == net::method::get;
    const std::string key = cacheable ? cache_key(req) : std::string();

    std::vector<upstream*> tried;
    std::optional<net::response> answer;  // the last response an upstream gave
    bool timed_out = false;
    const unsigned max_attempts = 1 + options_.retries;
    for (unsigned attempt = 0; attempt < max_attempts; ++attempt) {
        upstream* u = group_.pick(now_ms(), tried);
        if (u == nullptr) break;  // every breaker is open
        if (attempt > 0) u->count_retry();
        tried.push_back(u);

        const auto started = clock::mono_ns();
        net::client_result r = co_await client_.send(u->address().host, u->address().port,
                                                     upstream_req, options_.request_timeout);
        const double seconds = static_cast<double>(clock::mono_ns() - started) / 1e9;
        u->count_request(r.ok() ? std::to_string(r.res.status) : std::string(to_string(r.failure)),
                         seconds);
        if (breaker_failure(r)) {
            u->on_failure(now_ms());
        } else if (r.ok()) {
            u->on_success(now_ms());
        } else {
            u->abandon_trial();
        }

        const attempt_outcome outcome{r.failure, r.may_have_reached, r.ok() ? r.res.status : 0};
        if (r.ok()) {
            answer = std::move(r.res);
        } else {
            timed_out = timed_out || r.failure == net::client_failure::timeout;
            log::warn("upstream attempt failed", {{"request_id", request_id},
                                                  {"upstream", u->name()},
                                                  {"failure", to_string(r.failure)},
                                                  {"detail", r.detail}});
        }
        if (attempt + 1 >= max_attempts || !should_retry(req.verb, outcome)) break;
        // After a POST that may have arrived, an earlier answer is not replaced.
        const auto wait = backoff_delay_ms(attempt, options_.backoff, unit_random());
        if (wait > 0) {
            asio::steady_timer timer(co_await asio::this_coro::executor);
            timer.expires_after(std::chrono::milliseconds(wait));
            co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
        }
    }

    net::response res;
    if (answer) {
        if (cacheable && answer->status == 200) {
            cache_.put(key, *answer, now_ms());
        } else if (cacheable && is_database_unavailable(*answer)) {
            if (auto cached = cache_.get(key, now_ms())) answer = stale_copy(std::move(*cached));
        }
        res = downstream_response(std::move(*answer));
    } else if (auto cached = cacheable ? cache_.get(key, now_ms()) : std::nullopt) {
        res = downstream_response(stale_copy(std::move(*cached)));
    } else {
        res = net::response::from_error(error::unavailable(
            "upstream_unavailable", timed_out
                                        ? "no upstream service answered in time"
                                        : "no upstream service is available; try again later"));
        res.headers.set("Retry-After", "1");
    }
    add_all(res.headers, verdict.headers);
    co_return res;
}

}  // namespace driftway::gateway
