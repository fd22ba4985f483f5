#include "driftway/bus/rate_limiter.hpp"

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <atomic>
#include <exception>
#include <optional>
#include <thread>
#include <vector>

namespace driftway::bus {
namespace {

constexpr std::int64_t second = 1'000'000'000;
constexpr std::int64_t t0 = 1000 * second;

TEST(MemoryRateLimiter, KeysAreIndependent) {
    memory_rate_limiter limiter;
    const gcra_limit limit{1, 2};
    EXPECT_TRUE(limiter.check_now("ip:1", limit, t0).allowed);
    EXPECT_TRUE(limiter.check_now("ip:1", limit, t0).allowed);
    EXPECT_FALSE(limiter.check_now("ip:1", limit, t0).allowed);

    const auto other = limiter.check_now("ip:2", limit, t0);
    EXPECT_TRUE(other.allowed);
    EXPECT_EQ(other.remaining, 1);
    EXPECT_FALSE(limiter.check_now("ip:1", limit, t0).allowed);
    EXPECT_EQ(limiter.size(), 2u);
}

TEST(MemoryRateLimiter, RemembersStateBetweenCalls) {
    memory_rate_limiter limiter;
    const gcra_limit limit{1, 3};
    EXPECT_EQ(limiter.check_now("k", limit, t0).remaining, 2);
    EXPECT_EQ(limiter.check_now("k", limit, t0).remaining, 1);
    EXPECT_EQ(limiter.check_now("k", limit, t0).remaining, 0);
    const auto denied = limiter.check_now("k", limit, t0);
    EXPECT_FALSE(denied.allowed);
    EXPECT_DOUBLE_EQ(denied.retry_after, 1.0);
    EXPECT_TRUE(limiter.check_now("k", limit, t0 + second).allowed);
}

TEST(MemoryRateLimiter, DeniedNewKeysAreNotStored) {
    memory_rate_limiter limiter;
    // A burst below one still lets the first request through; a key is only
    // stored once something was consumed from it.
    EXPECT_EQ(limiter.size(), 0u);
    EXPECT_TRUE(limiter.check_now("k", {1, 1}, t0).allowed);
    EXPECT_EQ(limiter.size(), 1u);
}

TEST(MemoryRateLimiter, SweepBoundsMemory) {
    memory_rate_limiter limiter;
    // Each key is used once; its bucket is full again 1 ms later, and each
    // call is 10 ms after the previous one, so sweeps may drop all but the newest.
    constexpr int keys = 100'000;
    for (int i = 0; i < keys; ++i)
        ASSERT_TRUE(
            limiter.check_now("client:" + std::to_string(i), {1000, 1}, t0 + i * 10'000'000ll)
                .allowed);
    // Without sweeping every key would still be held.
    EXPECT_LE(limiter.size(), 16u * 4096u);
}

TEST(MemoryRateLimiter, SweepKeepsStillLimitedKeys) {
    memory_rate_limiter limiter;
    const gcra_limit slow{1.0 / 3600, 1};  // one per hour
    ASSERT_TRUE(limiter.check_now("victim", slow, t0).allowed);
    ASSERT_TRUE(limiter.check_now("gone", {1000, 1}, t0).allowed);
    std::int64_t now = t0 + 10 * second;
    // Traffic on every shard, then enough on the victim's own shard to sweep it for sure.
    for (int i = 0; i < 100'000; ++i)
        limiter.check_now("client:" + std::to_string(i), {1000, 1}, now + i);
    now += second;
    for (int i = 0; i < 2 * 4096; ++i) {
        const auto d = limiter.check_now("victim", slow, now);
        ASSERT_FALSE(d.allowed) << "call " << i;
    }
    const auto d = limiter.check_now("victim", slow, now);
    EXPECT_FALSE(d.allowed);
    EXPECT_NEAR(d.retry_after, 3600.0 - 11.0, 1e-6);
    EXPECT_LT(limiter.size(), 100'000u);
}

TEST(MemoryRateLimiter, ConcurrentCallsNeverExceedTheBurst) {
    memory_rate_limiter limiter;
    const gcra_limit limit{1, 100};
    std::atomic<int> allowed{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&] {
            for (int i = 0; i < 1000; ++i)
                if (limiter.check_now("shared", limit, t0).allowed) allowed.fetch_add(1);
        });
    for (auto& t : threads) t.join();
    EXPECT_EQ(allowed.load(), 100);
}

TEST(MemoryRateLimiter, AwaitableFormUsesTheMonotonicClock) {
    memory_rate_limiter limiter;
    boost::asio::io_context io;
    std::vector<gcra_decision> decisions;
    std::exception_ptr failure;
    for (int i = 0; i < 3; ++i)
        boost::asio::co_spawn(io, limiter.check("k", {1, 2}),
                              [&](std::exception_ptr e, gcra_decision d) {
                                  if (e) failure = e;
                                  decisions.push_back(d);
                              });
    io.run();
    ASSERT_FALSE(failure);
    ASSERT_EQ(decisions.size(), 3u);
    EXPECT_TRUE(decisions[0].allowed);
    EXPECT_EQ(decisions[0].remaining, 1);
    EXPECT_TRUE(decisions[1].allowed);
    // A third request within the same second is refused (this takes far less than 1 s).
    EXPECT_FALSE(decisions[2].allowed);
    EXPECT_GT(decisions[2].retry_after, 0.0);
    EXPECT_LE(decisions[2].retry_after, 1.0);
}

}  // namespace
}  // namespace driftway::bus
