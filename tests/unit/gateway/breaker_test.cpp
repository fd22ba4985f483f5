#include "driftway/gateway/breaker.hpp"

#include <gtest/gtest.h>

namespace driftway::gateway {
namespace {

circuit_breaker make(unsigned failures = 3, std::int64_t open_ms = 1000) {
    return circuit_breaker({.failures_to_open = failures, .open_ms = open_ms});
}

TEST(CircuitBreaker, StaysClosedBelowTheThreshold) {
    auto b = make(3);
    b.on_failure(0);
    b.on_failure(1);
    EXPECT_EQ(b.state(2), breaker_state::closed);
    EXPECT_TRUE(b.allow(2));
}

TEST(CircuitBreaker, OpensAfterConsecutiveFailures) {
    auto b = make(3);
    for (int i = 0; i < 3; ++i) b.on_failure(i);
    EXPECT_EQ(b.state(3), breaker_state::open);
    EXPECT_FALSE(b.allow(3));
    EXPECT_FALSE(b.allow(999));
}

TEST(CircuitBreaker, ASuccessResetsTheCount) {
    auto b = make(3);
    b.on_failure(0);
    b.on_failure(1);
    b.on_success(2);
    b.on_failure(3);
    b.on_failure(4);
    EXPECT_EQ(b.state(5), breaker_state::closed);
    b.on_failure(6);
    EXPECT_EQ(b.state(7), breaker_state::open);
}

TEST(CircuitBreaker, HalfOpenAfterTheOpenTimeLetsOneTrialThrough) {
    auto b = make(1, 1000);
    b.on_failure(100);
    EXPECT_EQ(b.state(1099), breaker_state::open);
    EXPECT_EQ(b.state(1100), breaker_state::half_open);
    EXPECT_TRUE(b.allow(1100));   // the trial
    EXPECT_FALSE(b.allow(1101));  // everyone else waits for its verdict
    EXPECT_EQ(b.state(1101), breaker_state::half_open);
}

TEST(CircuitBreaker, TrialSuccessCloses) {
    auto b = make(1, 1000);
    b.on_failure(0);
    ASSERT_TRUE(b.allow(1000));
    b.on_success(1001);
    EXPECT_EQ(b.state(1001), breaker_state::closed);
    EXPECT_TRUE(b.allow(1002));
    EXPECT_TRUE(b.allow(1002));
    EXPECT_EQ(b.consecutive_failures(), 0u);
}

TEST(CircuitBreaker, TrialFailureReopensWithAFreshTimer) {
    auto b = make(1, 1000);
    b.on_failure(0);
    ASSERT_TRUE(b.allow(1000));
    b.on_failure(1500);
    EXPECT_EQ(b.state(1500), breaker_state::open);
    EXPECT_FALSE(b.allow(2400));  // would have been half-open on the old timer
    EXPECT_EQ(b.state(2499), breaker_state::open);
    EXPECT_EQ(b.state(2500), breaker_state::half_open);
    EXPECT_TRUE(b.allow(2500));
}

TEST(CircuitBreaker, StragglersDoNotMoveAnOpenBreaker) {
    auto b = make(1, 1000);
    b.on_failure(0);
    b.on_success(10);  // a request admitted before it opened
    EXPECT_EQ(b.state(10), breaker_state::open);
    b.on_failure(900);  // nor extend its open time
    EXPECT_EQ(b.state(1000), breaker_state::half_open);
}

TEST(CircuitBreaker, AnAbandonedTrialFreesTheSlot) {
    auto b = make(1, 1000);
    b.on_failure(0);
    ASSERT_TRUE(b.allow(1000));
    EXPECT_FALSE(b.allow(1000));
    b.abandon_trial();
    EXPECT_TRUE(b.allow(1001));
}

TEST(CircuitBreaker, StateNamesMatchTheMetricValues) {
    EXPECT_EQ(static_cast<int>(breaker_state::closed), 0);
    EXPECT_EQ(static_cast<int>(breaker_state::open), 1);
    EXPECT_EQ(static_cast<int>(breaker_state::half_open), 2);
    EXPECT_EQ(to_string(breaker_state::half_open), "half_open");
}

}  // namespace
}  // namespace driftway::gateway
