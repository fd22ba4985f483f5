#include "driftway/net/http.hpp"

#include "driftway/core/error.hpp"

#include <boost/json/parse.hpp>

#include <gtest/gtest.h>

namespace driftway::net {
namespace {

TEST(HeaderList, LookupIgnoresCase) {
    header_list h;
    h.add("Content-Type", "application/json");
    h.add("x-request-id", "abc");
    EXPECT_EQ(h.get("content-type"), "application/json");
    EXPECT_EQ(h.get("CONTENT-TYPE"), "application/json");
    EXPECT_EQ(h.get("X-Request-Id"), "abc");
    EXPECT_TRUE(h.contains("X-REQUEST-ID"));
    EXPECT_FALSE(h.get("Content-Length").has_value());
    EXPECT_FALSE(h.contains("Content-Typ"));
}

TEST(HeaderList, SetReplacesEveryValueOfTheName) {
    header_list h;
    h.add("Vary", "Origin");
    h.add("Other", "1");
    h.add("vary", "Accept");
    h.set("VARY", "Cookie");
    ASSERT_EQ(h.items().size(), 2u);
    EXPECT_EQ(h.items()[0].first, "Vary");
    EXPECT_EQ(h.items()[0].second, "Cookie");
    EXPECT_EQ(h.items()[1].first, "Other");
    h.set("New", "x");
    EXPECT_EQ(h.get("new"), "x");
}

TEST(HeaderList, AddKeepsDuplicatesInOrder) {
    header_list h;
    h.add("Set-Cookie", "a=1");
    h.add("Set-Cookie", "b=2");
    ASSERT_EQ(h.items().size(), 2u);
    EXPECT_EQ(h.get("set-cookie"), "a=1");
}

TEST(Method, RoundTripsAndIsCaseSensitive) {
    for (method m : {method::get, method::head, method::post, method::put, method::patch,
                     method::delete_, method::options}) {
        EXPECT_EQ(method_from(to_string(m)), m) << to_string(m);
    }
    EXPECT_EQ(to_string(method::delete_), "DELETE");
    EXPECT_EQ(method_from("get"), method::other);
    EXPECT_EQ(method_from("BREW"), method::other);
    EXPECT_EQ(method_from(""), method::other);
}

TEST(Request, QueryParamDecodes) {
    request r;
    r.query = "a=1&b=hello+world&c=%E2%9C%93&d=100%&e&x%20y=z&a=2&f=%2B%3d&g=%zz";
    EXPECT_EQ(r.query_param("a"), "1");  // the first of several
    EXPECT_EQ(r.query_param("b"), "hello world");
    EXPECT_EQ(r.query_param("c"), "\xE2\x9C\x93");
    EXPECT_EQ(r.query_param("d"), "100%");  // a stray '%' is kept
    EXPECT_EQ(r.query_param("e"), "");      // present without a value
    EXPECT_EQ(r.query_param("x y"), "z");   // keys are decoded too
    EXPECT_EQ(r.query_param("f"), "+=");
    EXPECT_EQ(r.query_param("g"), "%zz");
    EXPECT_FALSE(r.query_param("missing").has_value());
    EXPECT_FALSE(r.query_param("hello").has_value());
}

TEST(Request, QueryParamOnEmptyAndOddQueries) {
    request r;
    EXPECT_FALSE(r.query_param("a").has_value());
    r.query = "&&=&a";
    EXPECT_EQ(r.query_param("a"), "");
    EXPECT_EQ(r.query_param(""), "");
}

TEST(Request, ParamLooksUpRouterValues) {
    request r;
    r.params.emplace_back("id", "42");
    r.params.emplace_back("name", "a b");
    EXPECT_EQ(r.param("id"), "42");
    EXPECT_EQ(r.param("name"), "a b");
    EXPECT_EQ(r.param("other"), "");
}

TEST(Response, JsonSetsTypeAndBody) {
    const auto r = response::json(201, boost::json::object{{"ok", true}});
    EXPECT_EQ(r.status, 201);
    EXPECT_EQ(r.headers.get("content-type"), "application/json");
    EXPECT_EQ(r.body, R"({"ok":true})");
}

TEST(Response, TextAndNoContent) {
    const auto t = response::text(200, "hi", "text/html");
    EXPECT_EQ(t.body, "hi");
    EXPECT_EQ(t.headers.get("Content-Type"), "text/html");
    EXPECT_EQ(response::text(200, "x").headers.get("Content-Type"), "text/plain");
    const auto n = response::no_content();
    EXPECT_EQ(n.status, 204);
    EXPECT_TRUE(n.body.empty());
}

TEST(Response, FromErrorUsesTheApiErrorBody) {
    auto e = driftway::error::validation("name", "too long");
    const auto r = response::from_error(e);
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(r.headers.get("Content-Type"), "application/json");
    const auto v = boost::json::parse(r.body).as_object();
    EXPECT_EQ(v.at("code").as_string(), "validation_failed");
    EXPECT_EQ(v.at("errors").as_object().at("name").as_string(), "too long");

    const auto nf = response::from_error(driftway::error::not_found("channel"));
    EXPECT_EQ(nf.status, 404);
    EXPECT_EQ(boost::json::parse(nf.body).as_object().at("code").as_string(), "unknown_channel");
}

}  // namespace
}  // namespace driftway::net
