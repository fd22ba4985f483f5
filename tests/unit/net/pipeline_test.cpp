#include "driftway/net/pipeline.hpp"

#include "driftway/core/error.hpp"
#include "driftway/core/metrics.hpp"
#include "net_test_support.hpp"

#include <boost/json/parse.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <stdexcept>

namespace driftway::net {
namespace {

using test::run_coroutine;

router sample_router() {
    router r;
    r.add(method::get, "/pl/items/{id}", [](request& req) -> boost::asio::awaitable<response> {
        co_return response::text(200, "item " + std::string(req.param("id")));
    });
    r.add(method::post, "/pl/items/{id}",
          [](request&) -> boost::asio::awaitable<response> { co_return response::no_content(); });
    r.add(method::get, "/pl/forbidden", [](request&) -> boost::asio::awaitable<response> {
        throw error_exception(driftway::error::forbidden("missing_permission", "no"));
        co_return response::no_content();
    });
    r.add(method::get, "/pl/broken", [](request&) -> boost::asio::awaitable<response> {
        throw std::runtime_error("database exploded with secret detail");
        co_return response::no_content();
    });
    r.add(method::get, "/pl/custom-csp", [](request&) -> boost::asio::awaitable<response> {
        auto res = response::text(200, "x");
        res.headers.add("Content-Security-Policy", "default-src 'none'");
        co_return res;
    });
    return r;
}

pipeline_options options(std::vector<std::string> origins = {"https://app.example"}) {
    pipeline_options o;
    o.cors_origins = std::move(origins);
    o.access_log = false;
    return o;
}

request make(method m, std::string target, header_list headers = {}) {
    request req;
    req.verb = m;
    req.target = std::move(target);
    req.path = req.target.substr(0, req.target.find('?'));
    req.headers = std::move(headers);
    return req;
}

response handle(pipeline& p, request& req) {
    return run_coroutine(p.handle(req));
}

std::string error_code_of(const response& res) {
    return std::string(boost::json::parse(res.body).as_object().at("code").as_string());
}

header_list with(std::initializer_list<std::pair<std::string, std::string>> items) {
    header_list h;
    for (const auto& [k, v] : items) h.add(k, v);
    return h;
}

bool is_hex_id(std::string_view id) {
    return id.size() == 32 && std::all_of(id.begin(), id.end(), [](char c) {
               return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
           });
}

TEST(Pipeline, RoutesToHandler) {
    pipeline p(sample_router(), options());
    auto req = make(method::get, "/pl/items/42?x=1");
    const auto res = handle(p, req);
    EXPECT_EQ(res.status, 200);
    EXPECT_EQ(res.body, "item 42");
    EXPECT_EQ(req.route, "/pl/items/{id}");
}

TEST(Pipeline, KeepsAPlainClientRequestId) {
    pipeline p(sample_router(), options());
    const std::string id = "client-id_1.2-" + std::string(100, 'a');
    auto req = make(method::get, "/pl/items/1", with({{"x-request-id", id}}));
    const auto res = handle(p, req);
    EXPECT_EQ(res.headers.get("X-Request-Id"), id);
    EXPECT_EQ(req.request_id, id);
}

TEST(Pipeline, ReplacesAnUnsafeOrLongRequestId) {
    pipeline p(sample_router(), options());
    for (const std::string& bad : {std::string("has space"), std::string("x\"y"), std::string(""),
                                   std::string(129, 'a'), std::string("\xC3\xA9")}) {
        auto req = make(method::get, "/pl/items/1", with({{"X-Request-Id", bad}}));
        const auto res = handle(p, req);
        const auto id = res.headers.get("X-Request-Id");
        ASSERT_TRUE(id.has_value());
        EXPECT_TRUE(is_hex_id(*id)) << *id;
        EXPECT_NE(*id, bad);
    }
    EXPECT_EQ(make_request_id(std::string(128, 'b')), std::string(128, 'b'));
    EXPECT_NE(make_request_id(std::nullopt), make_request_id(std::nullopt));
}

TEST(Pipeline, GeneratesARequestIdWhenNoneSent) {
    pipeline p(sample_router(), options());
    auto req = make(method::get, "/pl/items/1");
    const auto res = handle(p, req);
    ASSERT_TRUE(res.headers.get("X-Request-Id").has_value());
    EXPECT_TRUE(is_hex_id(*res.headers.get("X-Request-Id")));
}

TEST(Pipeline, SecurityHeadersOnEveryResponse) {
    pipeline p(sample_router(), options());
    for (const char* target : {"/pl/items/1", "/pl/nope", "/pl/broken"}) {
        auto req = make(method::get, target);
        const auto res = handle(p, req);
        SCOPED_TRACE(target);
        EXPECT_EQ(res.headers.get("X-Content-Type-Options"), "nosniff");
        EXPECT_EQ(res.headers.get("Referrer-Policy"), "no-referrer");
        EXPECT_EQ(res.headers.get("X-Frame-Options"), "DENY");
        EXPECT_EQ(res.headers.get("Content-Security-Policy"),
                  pipeline_options{}.content_security_policy);
        EXPECT_EQ(res.headers.get("Cross-Origin-Opener-Policy"), "same-origin");
        EXPECT_EQ(res.headers.get("Permissions-Policy"),
                  "camera=(), geolocation=(), microphone=(self)");
        EXPECT_FALSE(res.headers.contains("Strict-Transport-Security"));
    }
}

TEST(Pipeline, HstsOnlyWhenEnabled) {
    auto o = options();
    o.hsts = true;
    o.hsts_max_age = 600;
    pipeline p(sample_router(), o);
    auto req = make(method::get, "/pl/items/1");
    EXPECT_EQ(handle(p, req).headers.get("Strict-Transport-Security"), "max-age=600");
}

TEST(Pipeline, HandlerMayOverrideTheContentSecurityPolicy) {
    pipeline p(sample_router(), options());
    auto req = make(method::get, "/pl/custom-csp");
    const auto res = handle(p, req);
    EXPECT_EQ(res.headers.get("Content-Security-Policy"), "default-src 'none'");
    const auto& items = res.headers.items();
    EXPECT_EQ(std::count_if(items.begin(), items.end(),
                            [](const auto& kv) { return kv.first == "Content-Security-Policy"; }),
              1);
}

TEST(Pipeline, CorsHeadersForAnAllowedOrigin) {
    pipeline p(sample_router(), options());
    auto req = make(method::get, "/pl/items/1", with({{"Origin", "https://app.example"}}));
    const auto res = handle(p, req);
    EXPECT_EQ(res.headers.get("Access-Control-Allow-Origin"), "https://app.example");
    EXPECT_EQ(res.headers.get("Vary"), "Origin");
    const auto expose = res.headers.get("Access-Control-Expose-Headers");
    ASSERT_TRUE(expose.has_value());
    for (const char* h : {"X-Request-Id", "X-RateLimit-Limit", "X-RateLimit-Remaining",
                          "X-RateLimit-Reset-After", "X-RateLimit-Bucket", "Retry-After"}) {
        EXPECT_NE(expose->find(h), std::string_view::npos) << h;
    }
}

TEST(Pipeline, NoCorsHeadersForOtherOrigins) {
    pipeline p(sample_router(), options());
    auto req = make(method::get, "/pl/items/1", with({{"Origin", "https://evil.example"}}));
    const auto res = handle(p, req);
    EXPECT_EQ(res.status, 200);
    EXPECT_FALSE(res.headers.contains("Access-Control-Allow-Origin"));
    EXPECT_FALSE(res.headers.contains("Access-Control-Expose-Headers"));

    auto plain = make(method::get, "/pl/items/1");
    EXPECT_FALSE(handle(p, plain).headers.contains("Access-Control-Allow-Origin"));
}

TEST(Pipeline, WildcardAllowsAnyOriginAndEchoesIt) {
    pipeline p(sample_router(), options({"*"}));
    auto req = make(method::get, "/pl/items/1", with({{"Origin", "http://localhost:5173"}}));
    EXPECT_EQ(handle(p, req).headers.get("Access-Control-Allow-Origin"), "http://localhost:5173");
}

TEST(Pipeline, PreflightAllowed) {
    pipeline p(sample_router(), options());
    auto req = make(method::options, "/pl/items/1",
                    with({{"Origin", "https://app.example"},
                          {"Access-Control-Request-Method", "POST"},
                          {"Access-Control-Request-Headers", "authorization, content-type"}}));
    const auto res = handle(p, req);
    EXPECT_EQ(res.status, 204);
    EXPECT_TRUE(res.body.empty());
    EXPECT_EQ(res.headers.get("Access-Control-Allow-Origin"), "https://app.example");
    EXPECT_EQ(res.headers.get("Access-Control-Allow-Methods"), "GET, HEAD, POST");
    EXPECT_EQ(res.headers.get("Access-Control-Allow-Headers"),
              "Authorization, Content-Type, X-API-Key, X-Request-Id");
    EXPECT_TRUE(res.headers.contains("Access-Control-Max-Age"));
    EXPECT_TRUE(res.headers.contains("X-Request-Id"));
}

TEST(Pipeline, PreflightDenied) {
    pipeline p(sample_router(), options());
    auto req = make(
        method::options, "/pl/items/1",
        with({{"Origin", "https://evil.example"}, {"Access-Control-Request-Method", "DELETE"}}));
    const auto res = handle(p, req);
    EXPECT_EQ(res.status, 403);
    EXPECT_EQ(error_code_of(res), "cors_origin_denied");
    EXPECT_FALSE(res.headers.contains("Access-Control-Allow-Origin"));
    EXPECT_FALSE(res.headers.contains("Access-Control-Allow-Methods"));
}

TEST(Pipeline, UnknownPathIs404) {
    pipeline p(sample_router(), options());
    auto req = make(method::get, "/pl/nope");
    const auto res = handle(p, req);
    EXPECT_EQ(res.status, 404);
    EXPECT_EQ(res.headers.get("Content-Type"), "application/json");
    EXPECT_EQ(error_code_of(res), "not_found");
}

TEST(Pipeline, WrongMethodIs405WithAllow) {
    pipeline p(sample_router(), options());
    auto req = make(method::delete_, "/pl/items/1");
    const auto res = handle(p, req);
    EXPECT_EQ(res.status, 405);
    EXPECT_EQ(error_code_of(res), "method_not_allowed");
    EXPECT_EQ(res.headers.get("Allow"), "GET, HEAD, POST");
}

TEST(Pipeline, PlainOptionsListsTheMethods) {
    pipeline p(sample_router(), options());
    auto req = make(method::options, "/pl/items/1");
    const auto res = handle(p, req);
    EXPECT_EQ(res.status, 204);
    EXPECT_EQ(res.headers.get("Allow"), "GET, HEAD, POST");
}

TEST(Pipeline, ErrorExceptionBecomesItsError) {
    pipeline p(sample_router(), options());
    auto req = make(method::get, "/pl/forbidden");
    const auto res = handle(p, req);
    EXPECT_EQ(res.status, 403);
    EXPECT_EQ(error_code_of(res), "missing_permission");
}

TEST(Pipeline, OtherExceptionsBecome500WithoutDetail) {
    pipeline p(sample_router(), options());
    auto req = make(method::get, "/pl/broken");
    response res;
    ASSERT_NO_THROW(res = handle(p, req));
    EXPECT_EQ(res.status, 500);
    EXPECT_EQ(error_code_of(res), "internal_error");
    EXPECT_EQ(res.body.find("secret"), std::string::npos);
}

TEST(Pipeline, MetricsUseTheRoutePatternNeverThePath) {
    pipeline p(sample_router(), options());
    auto a = make(method::get, "/pl/items/metric-1");
    auto b = make(method::get, "/pl/items/metric-2");
    auto missing = make(method::get, "/pl/missing-metric-path");
    handle(p, a);
    handle(p, b);
    handle(p, missing);
    const auto text = metrics::global().render();
    auto& served = metrics::global().get_counter(
        "http_requests_total", "",
        {{"method", "GET"}, {"route", "/pl/items/{id}"}, {"status", "200"}});
    EXPECT_GE(served.value(), 2u);
    EXPECT_NE(text.find(R"(route="unmatched",status="404")"), std::string::npos);
    EXPECT_NE(
        text.find("http_request_duration_seconds_bucket{method=\"GET\",route=\"/pl/items/{id}\""),
        std::string::npos);
    EXPECT_EQ(text.find("metric-1"), std::string::npos);
    EXPECT_EQ(text.find("missing-metric-path"), std::string::npos);
}

TEST(Pipeline, DecorateAddsTheCommonHeaders) {
    pipeline p(sample_router(), options());
    request req = make(method::post, "/x",
                       with({{"Origin", "https://app.example"}, {"X-Request-Id", "abc"}}));
    auto res = response::from_error(driftway::error::too_large("big"));
    p.decorate(req, res);
    EXPECT_EQ(res.headers.get("X-Request-Id"), "abc");
    EXPECT_EQ(res.headers.get("X-Frame-Options"), "DENY");
    EXPECT_EQ(res.headers.get("Access-Control-Allow-Origin"), "https://app.example");

    request bare;
    response plain;
    p.decorate(bare, plain);
    EXPECT_TRUE(is_hex_id(plain.headers.get("X-Request-Id").value_or("")));
}

}  // namespace
}  // namespace driftway::net
