// The leg rewriter: continuous output across wrap-around, drops that leave
// no gap, late packets placed within the window, and source switches.
#include "driftway/rtc/rewriter.hpp"

#include <gtest/gtest.h>

namespace driftway::rtc {
namespace {

constexpr std::uint32_t frame = 960;  // 20 ms at 48 kHz

TEST(RtpRewriter, FirstPacketTakesTheLegStart) {
    rtp_rewriter r(1000, 5000);
    const auto o = r.forward(40000, 123456789, 0);
    ASSERT_TRUE(o);
    EXPECT_EQ(o->sequence, 1000);
    EXPECT_EQ(o->timestamp, 5000u);
    EXPECT_EQ(r.last_sequence(), 1000);
    EXPECT_EQ(r.last_timestamp(), 5000u);
}

TEST(RtpRewriter, ContinuousAcrossSequenceAndTimestampWrap) {
    // Input and output both wrap, at different points.
    rtp_rewriter r(65500, 0xFFFFFFFFu - 10 * frame);
    std::uint16_t in_seq = 65530;
    std::uint32_t in_ts = 0xFFFFFFFFu - 3 * frame;
    auto prev = r.forward(in_seq, in_ts, 0);
    ASSERT_TRUE(prev);
    for (int i = 1; i < 200; ++i) {
        ++in_seq;
        in_ts += frame;
        const auto o = r.forward(in_seq, in_ts, static_cast<std::uint64_t>(i) * 20);
        ASSERT_TRUE(o);
        EXPECT_EQ(o->sequence, static_cast<std::uint16_t>(prev->sequence + 1)) << i;
        EXPECT_EQ(o->timestamp, prev->timestamp + frame) << i;
        prev = o;
    }
    EXPECT_EQ(prev->sequence, static_cast<std::uint16_t>(65500 + 199));
}

TEST(RtpRewriter, DropsCloseTheGap) {
    rtp_rewriter r(10, 0);
    ASSERT_EQ(r.forward(500, 0, 0)->sequence, 10);
    r.drop(501);
    r.drop(502);
    const auto o = r.forward(503, 3 * frame, 60);
    ASSERT_TRUE(o);
    EXPECT_EQ(o->sequence, 11);          // no gap for the drops
    EXPECT_EQ(o->timestamp, 3 * frame);  // but the time they took stays
    // A real loss (504 never arrives) stays visible as a gap.
    EXPECT_EQ(r.forward(505, 5 * frame, 100)->sequence, 13);
    // A repeat of a dropped packet is not placed.
    EXPECT_FALSE(r.forward(502, 2 * frame, 110));
}

TEST(RtpRewriter, DropsAcrossWrapAround) {
    rtp_rewriter r(65534, 0);
    std::uint16_t in = 65000;
    std::uint16_t expected = 65534;
    for (int i = 0; i < 2000; ++i, ++in) {
        if (i % 3 == 1) {
            r.drop(in);
            continue;
        }
        const auto o = r.forward(in, static_cast<std::uint32_t>(i) * frame, 0);
        ASSERT_TRUE(o) << i;
        EXPECT_EQ(o->sequence, expected) << i;
        ++expected;
    }
}

TEST(RtpRewriter, ReorderingWithinTheWindow) {
    rtp_rewriter r(100, 0);
    ASSERT_EQ(r.forward(1, 0, 0)->sequence, 100);
    r.drop(2);
    // 3 is late; 4 and 5 arrive first.
    EXPECT_EQ(r.forward(4, 3 * frame, 60)->sequence, 102);
    EXPECT_EQ(r.forward(5, 4 * frame, 80)->sequence, 103);
    const auto late = r.forward(3, 2 * frame, 85);
    ASSERT_TRUE(late);
    EXPECT_EQ(late->sequence, 101);
    EXPECT_EQ(late->timestamp, 2 * frame);
    // The newest output is unchanged by the late one.
    EXPECT_EQ(r.last_sequence(), 103);
    EXPECT_EQ(r.last_timestamp(), 4 * frame);
    // Far too late: outside the window.
    for (std::uint16_t s = 6; s < 200; ++s) ASSERT_TRUE(r.forward(s, s * frame, s * 20));
    EXPECT_FALSE(r.forward(7, 7 * frame, 5000));
}

TEST(RtpRewriter, LatePacketBelowADrop) {
    rtp_rewriter r(100, 0);
    ASSERT_EQ(r.forward(1, 0, 0)->sequence, 100);
    r.drop(3);  // 2 is late, 3 is dropped
    EXPECT_EQ(r.forward(4, 3 * frame, 60)->sequence, 102);
    const auto late = r.forward(2, frame, 65);
    ASSERT_TRUE(late);
    EXPECT_EQ(late->sequence, 101);  // between 100 and 102, not on 100
}

TEST(RtpRewriter, SwitchSourceKeepsOutputContinuous) {
    rtp_rewriter r(0, 1000);
    for (std::uint16_t s = 0; s < 10; ++s)
        ASSERT_TRUE(r.forward(static_cast<std::uint16_t>(7000 + s), 90000 + s * frame, s * 20));
    EXPECT_EQ(r.last_sequence(), 9);
    const std::uint32_t before = r.last_timestamp();
    EXPECT_EQ(before, 1000 + 9 * frame);

    // Another speaker 500 ms later, with unrelated numbers.
    r.switch_source();
    const auto o = r.forward(123, 0xFFFFFF00, 180 + 500);
    ASSERT_TRUE(o);
    EXPECT_EQ(o->sequence, 10);
    EXPECT_EQ(o->timestamp, before + 500 * 48);
    const auto next = r.forward(124, 0xFFFFFF00 + frame, 700);
    ASSERT_TRUE(next);
    EXPECT_EQ(next->sequence, 11);
    EXPECT_EQ(next->timestamp, o->timestamp + frame);  // wraps inside the input
    // The old source's packets are no longer placed.
    EXPECT_FALSE(r.forward(100, 0xFFFFF000, 710));

    // Switching back at once still advances by at least one frame.
    r.switch_source();
    const auto back = r.forward(7010, 90000 + 10 * frame, 700);
    ASSERT_TRUE(back);
    EXPECT_EQ(back->sequence, 12);
    EXPECT_EQ(back->timestamp, next->timestamp + frame);
}

TEST(RtpRewriter, DropsBeforeTheFirstPacketOfASource) {
    rtp_rewriter r(50, 0);
    ASSERT_TRUE(r.forward(1, 0, 0));
    r.switch_source();
    r.drop(900);  // silent start of the new speaker
    r.drop(901);
    const auto o = r.forward(902, 0, 100);
    ASSERT_TRUE(o);
    EXPECT_EQ(o->sequence, 51);
    EXPECT_EQ(o->timestamp, 100u * 48);
}

TEST(RtpRewriter, ClockRate) {
    rtp_rewriter r(0, 0);
    r.set_clock_rate(8000);
    ASSERT_TRUE(r.forward(1, 0, 1000));
    r.switch_source();
    EXPECT_EQ(r.forward(77, 5, 1000 + 250)->timestamp, 2000u);
    r.switch_source();
    EXPECT_EQ(r.forward(9, 5, 1250)->timestamp, 2000u + 160);  // one 20 ms frame at 8 kHz
}

}  // namespace
}  // namespace driftway::rtc
