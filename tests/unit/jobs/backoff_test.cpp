#include "driftway/jobs/backoff.hpp"

#include <gtest/gtest.h>

namespace driftway::jobs {
namespace {

using std::chrono::milliseconds;

struct backoff_case {
    int attempt;
    long base, max;
    double unit;
    long expected;
};

TEST(backoff, doubles_per_attempt_up_to_the_cap_with_equal_jitter) {
    const backoff_case cases[] = {
        // unit 1: the full exponential delay.
        {1, 1000, 600000, 1.0, 1000},
        {2, 1000, 600000, 1.0, 2000},
        {3, 1000, 600000, 1.0, 4000},
        {8, 1000, 600000, 1.0, 128000},
        {10, 1000, 600000, 1.0, 512000},
        {11, 1000, 600000, 1.0, 600000},  // capped
        {1000, 1000, 600000, 1.0, 600000},
        // unit 0: half of it; in between: proportional.
        {1, 1000, 600000, 0.0, 500},
        {3, 1000, 600000, 0.0, 2000},
        {3, 1000, 600000, 0.5, 3000},
        {11, 1000, 600000, 0.0, 300000},
        // Odd values and degenerate settings.
        {1, 3, 100, 0.0, 1},
        {1, 1, 1, 0.0, 1},
        {5, 0, 0, 0.5, 1},
        {2, 5000, 1000, 1.0, 1000},  // base above the cap
        {0, 1000, 600000, 1.0, 1000},
        {-3, 1000, 600000, 1.0, 1000},
    };
    for (const auto& c : cases) {
        EXPECT_EQ(backoff_delay(c.attempt, milliseconds(c.base), milliseconds(c.max), c.unit),
                  milliseconds(c.expected))
            << "attempt " << c.attempt << " base " << c.base << " max " << c.max << " unit "
            << c.unit;
    }
}

TEST(backoff, random_delays_stay_within_half_and_full_and_grow) {
    for (int attempt = 1; attempt <= 12; ++attempt) {
        const auto full = std::min<long>(600000, 1000L << (attempt - 1));
        for (double unit : {0.0, 0.1, 0.37, 0.5, 0.99, 0.999999}) {
            const auto d = backoff_delay(attempt, milliseconds(1000), milliseconds(600000), unit);
            EXPECT_GE(d.count(), full / 2);
            EXPECT_LE(d.count(), full);
        }
    }
}

}  // namespace
}  // namespace driftway::jobs
