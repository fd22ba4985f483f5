#include "driftway/gateway/retry.hpp"

#include <gtest/gtest.h>

#include <random>

namespace driftway::gateway {
namespace {

using net::client_failure;
using net::method;

TEST(RetryPolicy, IdempotentMethodsAreThoseOfRfc9110) {
    for (auto m : {method::get, method::head, method::put, method::delete_, method::options})
        EXPECT_TRUE(is_idempotent(m)) << to_string(m);
    for (auto m : {method::post, method::patch, method::other})
        EXPECT_FALSE(is_idempotent(m)) << to_string(m);
}

TEST(RetryPolicy, RetriesIdempotentRequestsOnGatewayStatuses) {
    for (int status : {502, 503, 504}) {
        EXPECT_TRUE(should_retry(method::get, {client_failure::none, true, status}));
        EXPECT_TRUE(should_retry(method::put, {client_failure::none, true, status}));
        EXPECT_FALSE(should_retry(method::post, {client_failure::none, true, status}));
        EXPECT_FALSE(should_retry(method::patch, {client_failure::none, true, status}));
    }
    for (int status : {200, 201, 204, 400, 401, 404, 409, 429, 500, 501})
        EXPECT_FALSE(should_retry(method::get, {client_failure::none, true, status})) << status;
}

TEST(RetryPolicy, TimeoutsAndBrokenConnectionsOnlyForIdempotentMethods) {
    for (auto f : {client_failure::timeout, client_failure::io}) {
        EXPECT_TRUE(should_retry(method::get, {f, true, 0}));
        EXPECT_TRUE(should_retry(method::delete_, {f, true, 0}));
        EXPECT_FALSE(should_retry(method::post, {f, true, 0}));
        EXPECT_FALSE(should_retry(method::patch, {f, true, 0}));
    }
}

TEST(RetryPolicy, AnythingThatNeverLeftMayGoElsewhere) {
    EXPECT_TRUE(should_retry(method::post, {client_failure::connect, false, 0}));
    EXPECT_TRUE(should_retry(method::post, {client_failure::pool_full, false, 0}));
    EXPECT_TRUE(should_retry(method::post, {client_failure::timeout, false, 0}));  // connecting
}

TEST(RetryPolicy, MalformedOrHugeAnswersAreNotRetried) {
    EXPECT_FALSE(should_retry(method::get, {client_failure::protocol, true, 0}));
    EXPECT_FALSE(should_retry(method::get, {client_failure::too_large, true, 0}));
}

TEST(Backoff, CeilingDoublesUpToTheMaximum) {
    const backoff_options o{.base_ms = 50, .max_ms = 1000};
    EXPECT_EQ(backoff_ceiling_ms(0, o), 50);
    EXPECT_EQ(backoff_ceiling_ms(1, o), 100);
    EXPECT_EQ(backoff_ceiling_ms(2, o), 200);
    EXPECT_EQ(backoff_ceiling_ms(4, o), 800);
    EXPECT_EQ(backoff_ceiling_ms(5, o), 1000);
    EXPECT_EQ(backoff_ceiling_ms(1000, o), 1000);  // no overflow
    EXPECT_EQ(backoff_ceiling_ms(3, {.base_ms = 0, .max_ms = 1000}), 0);
}

TEST(Backoff, FullJitterStaysWithinZeroAndTheCeiling) {
    const backoff_options o{.base_ms = 50, .max_ms = 1000};
    EXPECT_EQ(backoff_delay_ms(3, o, 0.0), 0);
    EXPECT_EQ(backoff_delay_ms(3, o, 0.999999999), 400);
    EXPECT_EQ(backoff_delay_ms(3, o, 1.0), 400);  // clamped
    EXPECT_EQ(backoff_delay_ms(3, o, -0.5), 0);   // clamped
    EXPECT_EQ(backoff_delay_ms(3, o, 0.5), 200);

    std::mt19937_64 rng(42);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    std::int64_t lowest = 1 << 30, highest = -1;
    for (int i = 0; i < 20000; ++i) {
        const auto d = backoff_delay_ms(2, o, unit(rng));
        ASSERT_GE(d, 0);
        ASSERT_LE(d, 200);
        lowest = std::min(lowest, d);
        highest = std::max(highest, d);
    }
    // Spread over the whole range, not bunched at the ceiling.
    EXPECT_LE(lowest, 5);
    EXPECT_GE(highest, 195);
}

}  // namespace
}  // namespace driftway::gateway
