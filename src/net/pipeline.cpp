#include "driftway/net/pipeline.hpp"

#include "driftway/core/clock.hpp"
#include "driftway/core/error.hpp"
#include "driftway/core/log.hpp"
#include "driftway/core/metrics.hpp"

#include <algorithm>
#include <array>
#include <random>
#include <tuple>
#include <unordered_map>

namespace driftway::net {

namespace {
constexpr std::string_view expose_headers =
    "X-Request-Id, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset-After, "
    "X-RateLimit-Bucket, Retry-After";
constexpr std::string_view preflight_allow_headers =
    "Authorization, Content-Type, X-API-Key, X-Request-Id";
constexpr std::string_view default_allow_methods = "GET, HEAD, POST, PUT, PATCH, DELETE";
// Chromium caps a cached preflight at 2 hours; longer values are ignored.
constexpr std::string_view preflight_max_age = "7200";
// Voice needs the microphone on our own origin; nothing needs camera or location.
constexpr std::string_view permissions_policy = "camera=(), geolocation=(), microphone=(self)";
constexpr std::string_view unmatched_route = "unmatched";
constexpr std::size_t max_client_request_id = 128;

bool plain_id_char(char c) noexcept {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
}

// Request ids only correlate log lines; they grant nothing, so a fast
// per-thread generator is enough.
std::string random_request_id() {
    thread_local std::mt19937_64 rng{[] {
        std::random_device rd;
        return (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
    }()};
    constexpr char digits[] = "0123456789abcdef";
    std::string id(32, '0');
    for (std::size_t half = 0; half < 2; ++half) {
        std::uint64_t v = rng();
        for (std::size_t i = 0; i < 16; ++i, v >>= 4) id[half * 16 + i] = digits[v & 0xF];
    }
    return id;
}

std::string join_methods(const std::vector<method>& methods) {
    std::string out;
    for (const method m : methods) {
        if (!out.empty()) out += ", ";
        out += to_string(m);
    }
    return out;
}

void add_if_absent(header_list& headers, std::string_view name, std::string_view value) {
    if (!headers.contains(name)) headers.add(std::string(name), std::string(value));
}

// Registry look-ups take a lock and build label vectors; the per-request path
// instead hits a per-thread cache of the metric children, which the registry
// keeps alive for the life of the process.
struct route_metrics {
    std::array<metrics::histogram*, 8> duration{};
    std::vector<std::tuple<method, int, metrics::counter*>> requests;
};

struct string_hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
        return std::hash<std::string_view>{}(s);
    }
};

void record_metrics(method verb, std::string_view route, int status, double seconds) {
    thread_local std::unordered_map<std::string, route_metrics, string_hash, std::equal_to<>> cache;
    auto it = cache.find(route);
    if (it == cache.end()) it = cache.emplace(std::string(route), route_metrics{}).first;
    route_metrics& rm = it->second;
    const std::string_view method_label = to_string(verb);

    auto& hist = rm.duration[static_cast<std::size_t>(verb) % rm.duration.size()];
    if (hist == nullptr) {
        hist = &metrics::global().get_histogram(
            "http_request_duration_seconds", "HTTP request latency by method and route",
            metrics::latency_buckets(),
            {{"method", std::string(method_label)}, {"route", std::string(route)}});
    }
    hist->observe(seconds);

    metrics::counter* requests = nullptr;
    for (const auto& [m, s, c] : rm.requests) {
        if (m == verb && s == status) {
            requests = c;
            break;
        }
    }
    if (requests == nullptr) {
        requests = &metrics::global().get_counter("http_requests_total",
                                                  "HTTP requests by method, route and status",
                                                  {{"method", std::string(method_label)},
                                                   {"route", std::string(route)},
                                                   {"status", std::to_string(status)}});
        rm.requests.emplace_back(verb, status, requests);
    }
    requests->inc();
}

bool uses_fallback(const request& req, const router::match_result& m) noexcept {
    return m.h == nullptr && !m.path_known && (req.verb == method::get || req.verb == method::head);
}

driftway::error route_error(int status, std::string code, std::string message) {
    return {status, std::move(code), std::move(message), {}};
}
}  // namespace

std::string make_request_id(std::optional<std::string_view> from_client) {
    if (from_client && !from_client->empty() && from_client->size() <= max_client_request_id &&
        std::all_of(from_client->begin(), from_client->end(), plain_id_char)) {
        return std::string(*from_client);
    }
    return random_request_id();
}

pipeline::pipeline(router r, pipeline_options options)
    : router_(std::move(r)), options_(std::move(options)) {}

bool pipeline::origin_allowed(std::string_view origin) const {
    return std::any_of(options_.cors_origins.begin(), options_.cors_origins.end(),
                       [&](const std::string& o) { return o == "*" || o == origin; });
}

void pipeline::decorate(const request& req, response& res) const {
    res.headers.set("X-Request-Id", req.request_id.empty()
                                        ? make_request_id(req.header("X-Request-Id"))
                                        : req.request_id);
    add_if_absent(res.headers, "X-Content-Type-Options", "nosniff");
    add_if_absent(res.headers, "Referrer-Policy", "no-referrer");
    add_if_absent(res.headers, "X-Frame-Options", "DENY");
    add_if_absent(res.headers, "Content-Security-Policy", options_.content_security_policy);
    add_if_absent(res.headers, "Cross-Origin-Opener-Policy", "same-origin");
    add_if_absent(res.headers, "Permissions-Policy", permissions_policy);
    if (options_.hsts) {
        add_if_absent(res.headers, "Strict-Transport-Security",
                      "max-age=" + std::to_string(options_.hsts_max_age));
    }

    const auto origin = req.header("Origin");
    if (!origin) return;
    // The answer depends on Origin whether or not it is allowed, so caches
    // must key on it either way (Fetch standard, CORS protocol and HTTP caches).
    res.headers.add("Vary", "Origin");
    if (!origin_allowed(*origin)) return;
    res.headers.set("Access-Control-Allow-Origin", std::string(*origin));
    res.headers.set("Access-Control-Expose-Headers", std::string(expose_headers));
}

boost::asio::awaitable<response> pipeline::handle(request& req) {
    const std::int64_t start_ns = req.received_ns != 0 ? req.received_ns : clock::mono_ns();
    req.request_id = make_request_id(req.header("X-Request-Id"));

    response res;
    const auto origin = req.header("Origin");
    if (req.verb == method::options && origin && req.header("Access-Control-Request-Method")) {
        // CORS preflight (Fetch standard): answered here, never by a handler.
        if (origin_allowed(*origin)) {
            const auto m = router_.match(req);
            res.status = 204;
            res.headers.add("Access-Control-Allow-Methods", m.allowed.empty()
                                                                ? std::string(default_allow_methods)
                                                                : join_methods(m.allowed));
            res.headers.add("Access-Control-Allow-Headers", std::string(preflight_allow_headers));
            res.headers.add("Access-Control-Max-Age", std::string(preflight_max_age));
        } else {
            res = response::from_error(
                route_error(403, "cors_origin_denied", "this origin may not use the API"));
        }
    } else if (const auto m = router_.match(req);
               m.h == nullptr && !(uses_fallback(req, m) && options_.fallback)) {
        if (!m.path_known) {
            res = response::from_error(route_error(404, "not_found", "no such endpoint"));
        } else if (req.verb == method::options) {
            res.status = 204;
            res.headers.add("Allow", join_methods(m.allowed));
        } else {
            res = response::from_error(
                route_error(405, "method_not_allowed",
                            "this endpoint does not accept " + std::string(to_string(req.verb))));
            res.headers.add("Allow", join_methods(m.allowed));
        }
    } else {
        try {
            res = co_await (m.h != nullptr ? *m.h : options_.fallback)(req);
        } catch (const error_exception& e) {
            res = response::from_error(e.get());
        } catch (const std::exception& e) {
            log::error("handler failed", {{"request_id", req.request_id},
                                          {"method", to_string(req.verb)},
                                          {"route", req.route},
                                          {"error", e.what()}});
            res = response::from_error(driftway::error::internal());
        } catch (...) {
            log::error("handler failed", {{"request_id", req.request_id},
                                          {"method", to_string(req.verb)},
                                          {"route", req.route},
                                          {"error", "unknown exception"}});
            res = response::from_error(driftway::error::internal());
        }
    }

    decorate(req, res);

    const std::int64_t elapsed_ns = clock::mono_ns() - start_ns;
    const std::string_view route = req.route.empty() ? unmatched_route : req.route;
    record_metrics(req.verb, route, res.status, static_cast<double>(elapsed_ns) / 1e9);
    if (options_.access_log && log::enabled(log::level::info)) {
        log::info("request", {{"request_id", req.request_id},
                              {"method", to_string(req.verb)},
                              {"path", req.path},
                              {"route", route},
                              {"status", res.status},
                              {"duration_ms", static_cast<double>(elapsed_ns) / 1e6},
                              {"remote_ip", req.remote_ip},
                              {"bytes", res.body.size()}});
    }
    co_return res;
}

}  // namespace driftway::net
