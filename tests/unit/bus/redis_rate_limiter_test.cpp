#include "driftway/bus/redis_rate_limiter.hpp"
#include "redis_test_support.hpp"

namespace driftway::bus {
namespace {

using test::node;
using test::redis_server;
using test::wait_for;

constexpr std::int64_t ms = 1'000'000;

struct request {
    const char* key;
    gcra_limit limit;
    std::int64_t at_ns;
};

TEST(RedisRateLimiter, DecidesLikeTheMemoryLimiter) {
    DRIFTWAY_REQUIRE_REDIS();
    redis_server server;
    ASSERT_TRUE(server.start());
    node n(server.port());
    redis_rate_limiter redis(n.commands);
    memory_rate_limiter memory;

    // A realistic monotonic reading (~19 days) and a Unix-epoch one: both
    // exceed 2^53 ns, where plain Lua numbers would round.
    for (const std::int64_t t0 : {1'650'000'000'000'000ll, 1'767'225'600'123'456'789ll}) {
        std::vector<request> steps;
        const gcra_limit chat{5, 5}, slow{10.0 / 60, 10}, strict{4, 1}, odd{3, 2.5};
        for (int i = 0; i < 8; ++i) steps.push_back({"chat", chat, t0});
        for (int i = 0; i < 12; ++i) steps.push_back({"chat", chat, t0 + i * 97 * ms + 13});
        for (int i = 0; i < 12; ++i) steps.push_back({"slow", slow, t0 + i * 1999 * ms});
        for (int i = 0; i < 10; ++i) steps.push_back({"strict", strict, t0 + i * 249'999'999ll});
        for (int i = 0; i < 6; ++i) steps.push_back({"odd", odd, t0 + i * 100 * ms + 1});
        steps.push_back({"chat", chat, t0 + 60'000 * ms});  // long idle: full again
        std::size_t denied = 0;
        for (std::size_t i = 0; i < steps.size(); ++i) {
            const auto& s = steps[i];
            const auto key = std::to_string(t0) + ":" + s.key;
            const auto want = memory.check_now(key, s.limit, s.at_ns);
            const auto got = n.run(redis.check_at(key, s.limit, s.at_ns));
            ASSERT_TRUE(got);
            SCOPED_TRACE("step " + std::to_string(i) + " key " + key);
            EXPECT_EQ(got->allowed, want.allowed);
            EXPECT_EQ(got->remaining, want.remaining);
            EXPECT_EQ(got->limit, want.limit);
            EXPECT_DOUBLE_EQ(got->reset_after, want.reset_after);
            EXPECT_DOUBLE_EQ(got->retry_after, want.retry_after);
            EXPECT_EQ(got->new_tat_ns, want.new_tat_ns);
            denied += !want.allowed;
        }
        EXPECT_GT(denied, 5u) << "the sequence must exercise refusals";
    }
    EXPECT_EQ(redis.failed_open(), 0u);
    // The state lives in Redis with an expiry (the bucket is full again by then).
    const auto ttl = server.query({"PTTL", "rl:1650000000000000:strict"});
    EXPECT_GT(ttl.integer, 0);
}

TEST(RedisRateLimiter, ReloadsTheScriptAfterAFlushAndUsesRedisTime) {
    DRIFTWAY_REQUIRE_REDIS();
    redis_server server;
    ASSERT_TRUE(server.start());
    node n(server.port());
    redis_rate_limiter redis(n.commands);
    ASSERT_TRUE(n.run(redis.check("k", {1, 2}))->allowed);
    ASSERT_EQ(server.query({"SCRIPT", "FLUSH"}).str, "OK");  // EVALSHA now answers NOSCRIPT
    ASSERT_TRUE(n.run(redis.check("k", {1, 2}))->allowed);
    const auto third = n.run(redis.check("k", {1, 2}));
    EXPECT_FALSE(third->allowed);
    EXPECT_GT(third->retry_after, 0.0);
    EXPECT_LE(third->retry_after, 1.0);
    EXPECT_EQ(redis.failed_open(), 0u);
    EXPECT_GE(server.calls("eval"), 1);
}

TEST(RedisRateLimiter, FailsOpenWhenRedisIsUnreachable) {
    node n(test::free_port());  // nothing listens there
    redis_rate_limiter redis(n.commands);
    for (int i = 0; i < 3; ++i) {
        const auto d = n.run(redis.check("k", {1, 1}));
        ASSERT_TRUE(d);
        EXPECT_TRUE(d->allowed);
    }
    EXPECT_EQ(redis.failed_open(), 3u);
}

}  // namespace
}  // namespace driftway::bus
