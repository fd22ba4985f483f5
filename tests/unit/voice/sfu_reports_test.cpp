// What the SFU learns from RTCP and reports in `stats`: round-trip time from
// a client's receiver report (RFC 3550 section 6.4.1: now - LSR - DLSR),
// uplink loss and interarrival jitter (appendix A.3, A.8), and bitrates.
#include "two_peers_fixture.hpp"

namespace driftway::voice {
namespace {

using namespace std::chrono_literals;
using testing::connected_pair;
using testing::ssrc_of;
using testing::test_peer;

using reports = connected_pair;

double number(const json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    return v == nullptr ? -1.0 : v->to_number<double>();
}

// The latest sender report b got about a's leg and when it arrived.
std::optional<std::pair<rtc::rtcp::sender_report, std::chrono::steady_clock::time_point>> latest_sr(
    const test_peer& b, std::uint32_t leg) {
    for (auto c = b.rtcp.rbegin(); c != b.rtcp.rend(); ++c)
        for (const auto& sr : c->sender_reports)
            if (sr.ssrc == leg)
                for (auto it = b.sr_arrivals.rbegin(); it != b.sr_arrivals.rend(); ++it)
                    if (it->first == sr.ntp_time) return std::pair{sr, it->second};
    return std::nullopt;
}

// 1/65536 s units of DLSR.
std::uint32_t dlsr_of(std::chrono::steady_clock::duration d) {
    return static_cast<std::uint32_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(d).count() * 65536 / 1000000);
}

TEST_F(reports, rtt_comes_from_the_receivers_report_blocks) {
    const std::uint32_t leg = ssrc_of(b, 1);
    ASSERT_TRUE(test_peer::wait_all(
        {&a, &b}, [&] { return latest_sr(b, leg).has_value(); }, 4s))
        << "no sender report for a's leg";
    const auto [sr, arrived] = *latest_sr(b, leg);
    // Hold the report ~300 ms and claim no delay: the SFU must see the
    // 300 ms as round trip.
    const auto held_until = arrived + 300ms;
    ASSERT_TRUE(test_peer::wait_all(
        {&a, &b}, [&] { return std::chrono::steady_clock::now() >= held_until; }, 2s));
    rtc::rtcp::report_block blk;
    blk.ssrc = leg;
    blk.last_sr = rtc::rtcp::ntp_middle(sr.ntp_time);
    blk.delay_since_last_sr = 0;
    b.send_receiver_report({blk});
    json::object mine;
    ASSERT_TRUE(test_peer::wait_all({&a, &b}, [&] {
        mine = stats_of(2);
        return number(mine, "rtt_ms") > 0;
    }));
    EXPECT_GE(number(mine, "rtt_ms"), 280.0);
    EXPECT_LT(number(mine, "rtt_ms"), 2000.0);

    // The same report with the true delay since the SR: loopback, ~0 ms.
    blk.delay_since_last_sr = dlsr_of(std::chrono::steady_clock::now() - arrived);
    b.send_receiver_report({blk});
    ASSERT_TRUE(test_peer::wait_all({&a, &b},
                                    [&] {
                                        mine = stats_of(2);
                                        return number(mine, "rtt_ms") < 100.0;
                                    }))
        << "rtt_ms stayed at " << number(mine, "rtt_ms");
    EXPECT_GE(number(mine, "rtt_ms"), 0.0);
    // a receives nothing, so it has no round trip measured.
    EXPECT_EQ(number(stats_of(1), "rtt_ms"), 0.0);
}

TEST_F(reports, uplink_loss_is_counted_and_reported_back_to_the_sender) {
    // 10 packets, each one sequence number after a missing one: 10 lost.
    send_from_a(10, 2);
    // The server's next report to a carries the block about a's uplink.
    std::optional<rtc::rtcp::report_block> block;
    const std::size_t seen = a.rtcp.size();
    ASSERT_TRUE(test_peer::wait_all(
        {&a, &b},
        [&] {
            for (std::size_t i = seen; i < a.rtcp.size(); ++i) {
                for (const auto& sr : a.rtcp[i].sender_reports)
                    for (const auto& blk : sr.reports)
                        if (blk.ssrc == a.ssrc) block = blk;
                for (const auto& rr : a.rtcp[i].receiver_reports)
                    for (const auto& blk : rr.reports)
                        if (blk.ssrc == a.ssrc) block = blk;
            }
            // A report generated before the SFU read the 10 may still be
            // on its way: wait for the one that covers them.
            return block.has_value() && block->cumulative_lost >= 10;
        },
        4s));
    EXPECT_EQ(block->cumulative_lost, 10);
    EXPECT_GT(block->fraction_lost, 0);
    EXPECT_EQ(block->highest_sequence & 0xFFFF, static_cast<std::uint16_t>(seq - 1));
    // stats shows the same interval's fraction (RFC 3550: lost / expected).
    EXPECT_NEAR(number(stats_of(1), "loss"), block->fraction_lost / 256.0, 1e-9);
}

TEST_F(reports, jitter_follows_timestamps_against_arrival) {
    // Packets arriving together with equal timestamps: transit is constant,
    // the estimate decays towards 0 (J += (|D| - J) / 16 per packet).
    send_from_a(80, 1, 0);
    const double calm = number(stats_of(1), "jitter_ms");
    EXPECT_GE(calm, 0.0);
    EXPECT_LT(calm, 5.0);
    // Packets arriving together whose timestamps advance 100 ms each: every
    // transit differs by 100 ms from the last, J climbs towards 100 ms.
    send_from_a(40, 1, 4800);
    const double rough = number(stats_of(1), "jitter_ms");
    EXPECT_GT(rough, 50.0);
    EXPECT_LE(rough, 100.0);
}

TEST_F(reports, bitrates_follow_what_was_received_and_sent) {
    // 50 packets/s from a for 2.5 s: each is 12 (RTP) + 8 (level extension)
    // + 40 (payload) = 60 bytes in, 70 out with the SRTP tag: 24 kbit/s in
    // from a, 28 kbit/s out to b, nothing the other way.
    auto next = std::chrono::steady_clock::now();
    const auto end = next + 2500ms;
    ASSERT_TRUE(test_peer::wait_all(
        {&a, &b},
        [&] {
            const auto now = std::chrono::steady_clock::now();
            while (next <= now) {
                a.send_audio(seq++, ts += 960, testing::voiced());
                ++sent;
                next += 20ms;
            }
            return now >= end;
        },
        5s));
    const auto from_a = stats_of(1);
    const auto to_b = stats_of(2);
    EXPECT_GT(number(from_a, "bitrate_in"), 24000 * 0.6);
    EXPECT_LT(number(from_a, "bitrate_in"), 24000 * 1.5);
    EXPECT_EQ(number(from_a, "bitrate_out"), 0.0);
    EXPECT_GT(number(to_b, "bitrate_out"), 28000 * 0.6);
    EXPECT_LT(number(to_b, "bitrate_out"), 28000 * 1.5);
    EXPECT_EQ(number(to_b, "bitrate_in"), 0.0);
}

}  // namespace
}  // namespace driftway::voice
