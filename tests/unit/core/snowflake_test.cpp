#include "driftway/core/snowflake.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>
#include <vector>

namespace driftway {
namespace {

constexpr std::int64_t jan_2026 = 1767225600000;  // 2026-01-01T00:00:00Z

TEST(Snowflake, CarriesTimestampAndNode) {
    snowflake_generator gen(513, [] { return jan_2026 + 42; });
    const auto id = gen.next();
    EXPECT_EQ(snowflake_generator::timestamp_ms(id), jan_2026 + 42);
    EXPECT_EQ(snowflake_generator::node_of(id), 513u);
    EXPECT_EQ(id & 0xFFF, 0u);  // first id of its millisecond
    EXPECT_EQ(id,
              (static_cast<std::uint64_t>(jan_2026 + 42 - snowflake_generator::epoch_ms) << 22) |
                  (513u << 12));
}

TEST(Snowflake, NodeIdsAreBounded) {
    EXPECT_NO_THROW(snowflake_generator(1023));
    EXPECT_THROW(snowflake_generator(1024), std::invalid_argument);
    snowflake_generator gen(1023, [] { return jan_2026; });
    EXPECT_EQ(snowflake_generator::node_of(gen.next()), 1023u);
}

TEST(Snowflake, StaysMonotonicWhenTheClockStepsBack) {
    std::int64_t now = jan_2026 + 10'000;
    snowflake_generator gen(7, [&now] { return now; });
    const auto a = gen.next();
    now -= 5'000;  // NTP step backwards
    const auto b = gen.next();
    const auto c = gen.next();
    now += 1'000;  // still behind
    const auto d = gen.next();
    EXPECT_LT(a, b);
    EXPECT_LT(b, c);
    EXPECT_LT(c, d);
    // While behind, ids keep the last millisecond issued instead of going back.
    EXPECT_EQ(snowflake_generator::timestamp_ms(d), jan_2026 + 10'000);
    now = jan_2026 + 20'000;
    const auto e = gen.next();
    EXPECT_LT(d, e);
    EXPECT_EQ(snowflake_generator::timestamp_ms(e), jan_2026 + 20'000);
    for (auto id : {a, b, c, d, e}) EXPECT_EQ(snowflake_generator::node_of(id), 7u);
}

TEST(Snowflake, SequenceOverflowBorrowsTheNextMillisecond) {
    snowflake_generator gen(3, [] { return jan_2026; });
    std::uint64_t prev = 0;
    for (int i = 0; i < 10'000; ++i) {
        const auto id = gen.next();
        ASSERT_GT(id, prev) << i;
        ASSERT_EQ(snowflake_generator::node_of(id), 3u);
        ASSERT_EQ(snowflake_generator::timestamp_ms(id), jan_2026 + i / 4096) << i;
        ASSERT_EQ(id & 0xFFF, static_cast<std::uint64_t>(i % 4096)) << i;
        prev = id;
    }
}

TEST(Snowflake, ClockBeforeEpochClampsToEpoch) {
    snowflake_generator gen(1, [] { return std::int64_t{0}; });
    const auto a = gen.next();
    EXPECT_EQ(snowflake_generator::timestamp_ms(a), snowflake_generator::epoch_ms);
    EXPECT_LT(a, gen.next());
}

TEST(Snowflake, FirstIdAtBoundsIdsOfThatMillisecond) {
    snowflake_generator gen(1023, [] { return jan_2026; });
    const auto id = gen.next();
    EXPECT_LE(snowflake_generator::first_id_at(jan_2026), id);
    EXPECT_GT(snowflake_generator::first_id_at(jan_2026 + 1), id);
    EXPECT_EQ(snowflake_generator::timestamp_ms(snowflake_generator::first_id_at(jan_2026)),
              jan_2026);
    EXPECT_EQ(snowflake_generator::first_id_at(0), 0u);
}

TEST(Snowflake, DefaultClockIsWallTime) {
    snowflake_generator gen(0);
    const auto before = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    const auto ts = snowflake_generator::timestamp_ms(gen.next());
    EXPECT_GE(ts, before);
    EXPECT_LT(ts, before + 60'000);
}

TEST(Snowflake, UniqueAndOrderedPerThreadUnderConcurrency) {
    snowflake_generator gen(9);
    constexpr int threads = 4;
    constexpr int per_thread = 50'000;
    std::vector<std::vector<std::uint64_t>> ids(threads);
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t)
        workers.emplace_back([&gen, &out = ids[t]] {
            out.reserve(per_thread);
            for (int i = 0; i < per_thread; ++i) out.push_back(gen.next());
        });
    for (auto& w : workers) w.join();
    std::vector<std::uint64_t> all;
    for (const auto& v : ids) {
        EXPECT_TRUE(std::is_sorted(v.begin(), v.end()));
        EXPECT_EQ(std::adjacent_find(v.begin(), v.end()), v.end());
        all.insert(all.end(), v.begin(), v.end());
    }
    std::sort(all.begin(), all.end());
    EXPECT_EQ(std::unique(all.begin(), all.end()), all.end());
    EXPECT_EQ(all.size(), static_cast<std::size_t>(threads * per_thread));
}

}  // namespace
}  // namespace driftway
