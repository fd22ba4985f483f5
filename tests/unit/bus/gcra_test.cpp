#include "driftway/bus/gcra.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace driftway::bus {
namespace {

constexpr std::int64_t ms = 1'000'000;
constexpr std::int64_t start = 5'000'000 * ms;  // an arbitrary monotonic reading

// One request at `at_ms` after the start, and what the limiter must answer.
struct step {
    std::int64_t at_ms;
    bool allowed;
    std::int64_t remaining;
    double reset_after;
    double retry_after;  // 0 when allowed
};

struct gcra_case {
    const char* name;
    gcra_limit limit;
    std::vector<step> steps;
};

class Gcra : public ::testing::TestWithParam<gcra_case> {};

TEST_P(Gcra, AnswersEachRequest) {
    const auto& c = GetParam();
    std::int64_t tat = 0;
    for (std::size_t i = 0; i < c.steps.size(); ++i) {
        const auto& s = c.steps[i];
        const auto d = gcra_check(tat, start + s.at_ms * ms, c.limit);
        SCOPED_TRACE("step " + std::to_string(i) + " at " + std::to_string(s.at_ms) + " ms");
        EXPECT_EQ(d.allowed, s.allowed);
        EXPECT_EQ(d.remaining, s.remaining);
        EXPECT_DOUBLE_EQ(d.reset_after, s.reset_after);
        EXPECT_DOUBLE_EQ(d.retry_after, s.retry_after);
        EXPECT_EQ(d.limit, static_cast<std::int64_t>(c.limit.burst));
        if (!d.allowed) {
            EXPECT_EQ(d.new_tat_ns, tat) << "a denied request must not move the TAT";
        }
        tat = d.new_tat_ns;
    }
}

const gcra_case cases[] = {
    {"burst_is_honoured_exactly",
     {1, 5},
     {{0, true, 4, 1, 0},
      {0, true, 3, 2, 0},
      {0, true, 2, 3, 0},
      {0, true, 1, 4, 0},
      {0, true, 0, 5, 0},
      {0, false, 0, 5, 1},
      {0, false, 0, 5, 1}}},
    {"steady_rate_after_burst",
     {10, 3},
     {{0, true, 2, 0.1, 0},
      {0, true, 1, 0.2, 0},
      {0, true, 0, 0.3, 0},
      {50, false, 0, 0.25, 0.05},
      {100, true, 0, 0.3, 0},
      {150, false, 0, 0.25, 0.05},
      {200, true, 0, 0.3, 0},
      {300, true, 0, 0.3, 0},
      {300, false, 0, 0.3, 0.1}}},
    {"partial_recovery",
     {1, 5},
     {{0, true, 4, 1, 0},
      {0, true, 3, 2, 0},
      {0, true, 2, 3, 0},
      {0, true, 1, 4, 0},
      {0, true, 0, 5, 0},
      {2500, true, 1, 3.5, 0},
      {2500, true, 0, 4.5, 0},
      {2500, false, 0, 4.5, 0.5},
      {3000, true, 0, 5, 0}}},
    {"full_recovery_after_waiting",
     {2, 2},
     {{0, true, 1, 0.5, 0},
      {0, true, 0, 1, 0},
      {0, false, 0, 1, 0.5},
      {1000, true, 1, 0.5, 0},
      {1000, true, 0, 1, 0},
      {60000, true, 1, 0.5, 0}}},
    {"waiting_longer_does_not_bank_more_than_burst",
     {1, 2},
     {{0, true, 1, 1, 0},
      {100000, true, 1, 1, 0},
      {100000, true, 0, 2, 0},
      {100000, false, 0, 2, 1}}},
    {"slower_than_one_per_second",
     {10.0 / 60, 10},
     {{0, true, 9, 6, 0},
      {0, true, 8, 12, 0},
      {0, true, 7, 18, 0},
      {0, true, 6, 24, 0},
      {0, true, 5, 30, 0},
      {0, true, 4, 36, 0},
      {0, true, 3, 42, 0},
      {0, true, 2, 48, 0},
      {0, true, 1, 54, 0},
      {0, true, 0, 60, 0},
      {0, false, 0, 60, 6},
      {5999, false, 0, 54.001, 0.001},
      {6000, true, 0, 60, 0}}},
    {"burst_of_one",
     {4, 1},
     {{0, true, 0, 0.25, 0},
      {0, false, 0, 0.25, 0.25},
      {249, false, 0, 0.001, 0.001},
      {250, true, 0, 0.25, 0}}},
    {"fractional_burst_rounds_down",
     {1, 2.5},
     {{0, true, 1, 1, 0}, {0, true, 0, 2, 0}, {0, false, 0, 2, 0.5}}},
};

INSTANTIATE_TEST_SUITE_P(Table, Gcra, ::testing::ValuesIn(cases),
                         [](const auto& test_info) { return std::string(test_info.param.name); });

TEST(GcraEdges, FreshKeyAtTimeZero) {
    const auto d = gcra_check(0, 0, {1, 2});
    EXPECT_TRUE(d.allowed);
    EXPECT_EQ(d.remaining, 1);
    EXPECT_EQ(d.new_tat_ns, 1'000'000'000);
}

TEST(GcraEdges, ZeroRateAllowsTheBurstThenNeverRefills) {
    std::int64_t tat = 0;
    for (int i = 0; i < 3; ++i) {
        const auto d = gcra_check(tat, start, {0, 3});
        ASSERT_TRUE(d.allowed);
        tat = d.new_tat_ns;
    }
    const auto d = gcra_check(tat, start + 86'400'000 * ms, {0, 3});
    EXPECT_FALSE(d.allowed);
    EXPECT_GT(d.retry_after, 86400.0 * 100);
}

TEST(GcraEdges, BurstBelowOneActsAsOne) {
    const auto first = gcra_check(0, start, {1, 0});
    EXPECT_TRUE(first.allowed);
    EXPECT_EQ(first.limit, 1);
    EXPECT_FALSE(gcra_check(first.new_tat_ns, start, {1, 0}).allowed);
}

}  // namespace
}  // namespace driftway::bus
