#include "driftway/gateway/response_cache.hpp"

#include <gtest/gtest.h>

namespace driftway::gateway {
namespace {

net::request get(std::string target, std::string authz = "") {
    net::request r;
    r.verb = net::method::get;
    r.target = target;
    const auto q = target.find('?');
    r.path = target.substr(0, q);
    if (q != std::string::npos) r.query = target.substr(q + 1);
    if (!authz.empty()) r.headers.add("Authorization", authz);
    return r;
}

net::response body(std::string text) {
    return net::response::text(200, std::move(text));
}

TEST(CacheKey, DependsOnMethodPathQueryAndCredentials) {
    const auto base = cache_key(get("/api/v1/users/@me", "Bearer a"));
    EXPECT_EQ(base, cache_key(get("/api/v1/users/@me", "Bearer a")));
    EXPECT_NE(base, cache_key(get("/api/v1/users/@me", "Bearer b")));
    EXPECT_NE(base, cache_key(get("/api/v1/users/@me")));
    EXPECT_NE(base, cache_key(get("/api/v1/users/@me?x=1", "Bearer a")));
    EXPECT_NE(base, cache_key(get("/api/v1/users/1", "Bearer a")));
    auto head = get("/api/v1/users/@me", "Bearer a");
    head.verb = net::method::head;
    EXPECT_NE(base, cache_key(head));
    auto keyed = get("/api/v1/users/@me");
    keyed.headers.add("X-API-Key", "dw_secret");
    EXPECT_NE(cache_key(get("/api/v1/users/@me")), cache_key(keyed));
}

TEST(CacheKey, NeverContainsTheCredentials) {
    auto keyed = get("/api/v1/users/@me", "Bearer secret-token-value");
    keyed.headers.add("X-API-Key", "dw_secret_key_value");
    const auto key = cache_key(keyed);
    EXPECT_EQ(key.find("secret-token-value"), std::string::npos);
    EXPECT_EQ(key.find("dw_secret_key_value"), std::string::npos);
}

TEST(ResponseCache, ServesACopyWithinTheTtlOnly) {
    response_cache cache(10, 1000);
    cache.put("k", body("one"), 100);
    ASSERT_TRUE(cache.get("k", 1099));
    EXPECT_EQ(cache.get("k", 1099)->body, "one");
    EXPECT_FALSE(cache.get("k", 1100));
    EXPECT_EQ(cache.size(), 0u);  // an expired copy is dropped
    EXPECT_FALSE(cache.get("other", 0));
}

TEST(ResponseCache, ReplacingRefreshesTheCopyAndItsAge) {
    response_cache cache(10, 1000);
    cache.put("k", body("one"), 0);
    cache.put("k", body("two"), 900);
    ASSERT_TRUE(cache.get("k", 1500));
    EXPECT_EQ(cache.get("k", 1500)->body, "two");
    EXPECT_EQ(cache.size(), 1u);
}

TEST(ResponseCache, EvictsTheLeastRecentlyUsed) {
    response_cache cache(2, 100000);
    cache.put("a", body("a"), 0);
    cache.put("b", body("b"), 1);
    ASSERT_TRUE(cache.get("a", 2));  // a is now the most recent
    cache.put("c", body("c"), 3);
    EXPECT_EQ(cache.size(), 2u);
    EXPECT_TRUE(cache.get("a", 4));
    EXPECT_FALSE(cache.get("b", 4));
    EXPECT_TRUE(cache.get("c", 4));
}

TEST(ResponseCache, KeepsNothingWhenDisabledOrTooLarge) {
    response_cache none(0, 1000);
    none.put("k", body("x"), 0);
    EXPECT_FALSE(none.get("k", 1));
    response_cache no_ttl(10, 0);
    no_ttl.put("k", body("x"), 0);
    EXPECT_FALSE(no_ttl.get("k", 0));
    response_cache cache(10, 1000);
    cache.put("big", body(std::string(response_cache::max_body_bytes + 1, 'x')), 0);
    EXPECT_FALSE(cache.get("big", 1));
}

}  // namespace
}  // namespace driftway::gateway
