#include "driftway/gateway/upstream.hpp"
#include "driftway/gateway/proxy.hpp"

#include <gtest/gtest.h>

#include <set>

namespace driftway::gateway {
namespace {

TEST(ParseUpstream, HostAndPort) {
    const auto a = parse_upstream("127.0.0.1:8081");
    ASSERT_TRUE(a);
    EXPECT_EQ(a->host, "127.0.0.1");
    EXPECT_EQ(a->port, 8081);
    EXPECT_EQ(a->name, "127.0.0.1:8081");
    const auto v6 = parse_upstream("[::1]:80");
    ASSERT_TRUE(v6);
    EXPECT_EQ(v6->host, "::1");
    EXPECT_FALSE(parse_upstream("nohost"));
    EXPECT_FALSE(parse_upstream("h:0"));
    EXPECT_FALSE(parse_upstream("h:99999"));
    EXPECT_FALSE(parse_upstream(":80"));
}

TEST(UpstreamGroup, RoundRobinOverHealthyMembers) {
    upstream_group g("text", {"127.0.0.1:1", "127.0.0.1:2", "127.0.0.1:3"}, {});
    std::multiset<std::string> seen;
    for (int i = 0; i < 6; ++i) seen.insert(g.pick(0, {})->name());
    EXPECT_EQ(seen.count("127.0.0.1:1"), 2u);
    EXPECT_EQ(seen.count("127.0.0.1:2"), 2u);
    EXPECT_EQ(seen.count("127.0.0.1:3"), 2u);
}

TEST(UpstreamGroup, SkipsUnhealthyAndOpenMembers) {
    upstream_group g("text", {"127.0.0.1:1", "127.0.0.1:2", "127.0.0.1:3"},
                     {.failures_to_open = 1, .open_ms = 1000});
    g.members()[0]->set_healthy(false);
    g.members()[1]->on_failure(0);  // breaker open
    for (int i = 0; i < 5; ++i) EXPECT_EQ(g.pick(10, {})->name(), "127.0.0.1:3");
    EXPECT_EQ(g.healthy_count(), 2u);
}

TEST(UpstreamGroup, PrefersAnUntriedMemberForARetry) {
    upstream_group g("text", {"127.0.0.1:1", "127.0.0.1:2"}, {});
    for (int i = 0; i < 4; ++i) {
        upstream* first = g.pick(0, {});
        std::vector<upstream*> tried{first};
        upstream* second = g.pick(0, tried);
        ASSERT_NE(second, nullptr);
        EXPECT_NE(second, first);
    }
}

TEST(UpstreamGroup, FallsBackToTriedOrUnhealthyWhenNothingElseRemains) {
    upstream_group one("text", {"127.0.0.1:1"}, {});
    upstream* only = one.pick(0, {});
    std::vector<upstream*> tried{only};
    EXPECT_EQ(one.pick(0, tried), only);
    one.members()[0]->set_healthy(false);
    EXPECT_EQ(one.pick(0, {}), only);  // health may be stale; the breaker decides
}

TEST(UpstreamGroup, NothingWhenEveryBreakerIsOpenThenOneTrial) {
    upstream_group g("text", {"127.0.0.1:1"}, {.failures_to_open = 1, .open_ms = 1000});
    g.members()[0]->on_failure(0);
    EXPECT_EQ(g.pick(500, {}), nullptr);
    EXPECT_NE(g.pick(1000, {}), nullptr);  // the half-open trial
    EXPECT_EQ(g.pick(1000, {}), nullptr);
    g.members()[0]->on_success(1001);
    EXPECT_EQ(g.members()[0]->state(1001), breaker_state::closed);
}

TEST(DatabaseUnavailable, RecognisesTheApiErrorBodyOnly) {
    net::response r;
    r.status = 503;
    r.body = R"({"code":"database_unavailable","message":"the database is unavailable"})";
    EXPECT_TRUE(is_database_unavailable(r));
    r.body = R"({"code":"shutting_down"})";
    EXPECT_FALSE(is_database_unavailable(r));
    r.body = "not json {";
    EXPECT_FALSE(is_database_unavailable(r));
    r.body = R"({"code":"database_unavailable"})";
    r.status = 500;
    EXPECT_FALSE(is_database_unavailable(r));
}

}  // namespace
}  // namespace driftway::gateway
