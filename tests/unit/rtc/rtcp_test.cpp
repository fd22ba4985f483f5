// RTCP compound parsing and serializing: a hand-computed SR + RR + SDES
// compound, feedback, BYE, unknown packets, and malformed lengths.
#include "driftway/rtc/rtcp.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace driftway::rtc::rtcp {
namespace {

// Written out by hand from RFC 3550 sections 6.4.1, 6.4.2 and 6.5.
const std::vector<std::uint8_t> sr_rr_sdes = {
    // SR: V=2 RC=1, PT 200, length 12 words - 1
    0x81, 0xC8, 0x00, 0x0C, 0x11, 0x22, 0x33, 0x44,  // sender SSRC
    0xE2, 0xC1, 0xF8, 0xA0,                          // NTP seconds
    0x80, 0x00, 0x00, 0x00,                          // NTP fraction (0.5 s)
    0x00, 0x01, 0xE2, 0x40,                          // RTP timestamp 123456
    0x00, 0x00, 0x00, 0x64,                          // packet count 100
    0x00, 0x00, 0x3E, 0x80,                          // octet count 16000
    0x55, 0x66, 0x77, 0x88,                          // block: source SSRC
    0x40, 0xFF, 0xFF, 0xFE,                          // fraction lost 64/256, cumulative lost -2
    0x00, 0x01, 0x10, 0x00,                          // extended highest sequence 69632
    0x00, 0x00, 0x00, 0x20,                          // jitter 32
    0xF8, 0xA0, 0x80, 0x00,                          // LSR
    0x00, 0x01, 0x00, 0x00,                          // DLSR 1 s
    // RR: V=2 RC=1, PT 201, length 7
    0x81, 0xC9, 0x00, 0x07, 0x55, 0x66, 0x77, 0x88, 0x11, 0x22, 0x33, 0x44, 0x00, 0x00, 0x00, 0x05,
    0x00, 0x00, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    // SDES: SC=1, PT 202, length 3; CNAME "abcd", null item, padding
    0x81, 0xCA, 0x00, 0x03, 0x11, 0x22, 0x33, 0x44, 0x01, 0x04, 'a', 'b', 'c', 'd', 0x00, 0x00};

TEST(Rtcp, ParsesHandWrittenCompound) {
    const auto c = parse(sr_rr_sdes);
    ASSERT_TRUE(c);
    ASSERT_EQ(c->sender_reports.size(), 1u);
    const auto& sr = c->sender_reports[0];
    EXPECT_EQ(sr.ssrc, 0x11223344u);
    EXPECT_EQ(sr.ntp_time, 0xE2C1F8A080000000u);
    EXPECT_EQ(sr.rtp_time, 123456u);
    EXPECT_EQ(sr.packet_count, 100u);
    EXPECT_EQ(sr.octet_count, 16000u);
    ASSERT_EQ(sr.reports.size(), 1u);
    const auto& b = sr.reports[0];
    EXPECT_EQ(b.ssrc, 0x55667788u);
    EXPECT_EQ(b.fraction_lost, 64);
    EXPECT_EQ(b.cumulative_lost, -2);
    EXPECT_EQ(b.highest_sequence, 69632u);
    EXPECT_EQ(b.jitter, 32u);
    EXPECT_EQ(b.last_sr, ntp_middle(sr.ntp_time));
    EXPECT_EQ(b.delay_since_last_sr, 65536u);

    ASSERT_EQ(c->receiver_reports.size(), 1u);
    EXPECT_EQ(c->receiver_reports[0].ssrc, 0x55667788u);
    ASSERT_EQ(c->receiver_reports[0].reports.size(), 1u);
    EXPECT_EQ(c->receiver_reports[0].reports[0].cumulative_lost, 5);
    EXPECT_EQ(c->receiver_reports[0].reports[0].highest_sequence, 0xFFFFu);

    ASSERT_EQ(c->cnames.size(), 1u);
    EXPECT_EQ(c->cnames[0], (sdes_cname{0x11223344, "abcd"}));
    EXPECT_EQ(c->unknown_packets, 0u);
}

TEST(Rtcp, SerializersReproduceTheHandWrittenBytes) {
    const auto c = parse(sr_rr_sdes);
    ASSERT_TRUE(c);
    std::vector<std::uint8_t> out;
    write_sender_report(c->sender_reports[0], out);
    write_receiver_report(c->receiver_reports[0], out);
    write_sdes_cname(c->cnames[0], out);
    EXPECT_EQ(out, sr_rr_sdes);
}

TEST(Rtcp, RoundTrips) {
    sender_report sr{7, 0x0123456789ABCDEF, 99, 1, 2, {}};
    for (std::uint32_t i = 0; i < 3; ++i)
        sr.reports.push_back({i, 3, -8388608, 0xFFFFFFFF, i * 10, 0xAABBCCDD, 0x10});
    receiver_report rr{8, {{9, 255, 8388607, 1, 2, 3, 4}}};
    receiver_report empty_rr{10, {}};
    sdes_cname cname{11, std::string(255, 'x')};
    bye b{{1, 2, 3}};
    std::vector<std::uint8_t> out;
    write_sender_report(sr, out);
    write_receiver_report(rr, out);
    write_receiver_report(empty_rr, out);
    write_sdes_cname(cname, out);
    write_bye(b, out);
    EXPECT_EQ(out.size() % 4, 0u);
    const auto c = parse(out);
    ASSERT_TRUE(c);
    ASSERT_EQ(c->sender_reports.size(), 1u);
    EXPECT_EQ(c->sender_reports[0], sr);
    ASSERT_EQ(c->receiver_reports.size(), 2u);
    EXPECT_EQ(c->receiver_reports[0], rr);
    EXPECT_EQ(c->receiver_reports[1], empty_rr);
    ASSERT_EQ(c->cnames.size(), 1u);
    EXPECT_EQ(c->cnames[0], cname);
    ASSERT_EQ(c->byes.size(), 1u);
    EXPECT_EQ(c->byes[0], b);
}

TEST(Rtcp, CnameLengthsAroundWordBoundaries) {
    for (std::size_t n = 0; n < 12; ++n) {
        std::vector<std::uint8_t> out;
        write_sdes_cname({5, std::string(n, 'c')}, out);
        const auto c = parse(out);
        ASSERT_TRUE(c) << n;
        ASSERT_EQ(c->cnames.size(), 1u);
        EXPECT_EQ(c->cnames[0].cname.size(), n);
    }
}

TEST(Rtcp, SdesSkipsOtherItems) {
    // Two chunks; the first has NAME (2) then CNAME, the second only TOOL (6).
    const std::vector<std::uint8_t> p = {
        0x82, 0xCA, 0x00, 0x06,                           // SC=2, length 6
        0,    0,    0,    1,    0x02, 0x02, 'n',  'm',    // chunk 1: SSRC 1, NAME "nm"
        0x01, 0x02, 'c',  'n',  0x00, 0x00, 0x00, 0x00,   // CNAME "cn", null, padding
        0,    0,    0,    2,    0x06, 0x01, 't',  0x00};  // chunk 2: SSRC 2, TOOL "t", null
    const auto c = parse(p);
    ASSERT_TRUE(c);
    ASSERT_EQ(c->cnames.size(), 1u);
    EXPECT_EQ(c->cnames[0], (sdes_cname{1, "cn"}));
}

TEST(Rtcp, SdesChunksAreWordAligned) {
    // Two chunks with a CNAME each; each chunk is padded to a word after
    // its null item, so the second SSRC starts on a word boundary.
    const std::vector<std::uint8_t> p = {
        0x82, 0xCA, 0x00, 0x06,                                                 // SC=2, length 6
        0,    0,    0,    1,    0x01, 0x03, 'a', 'b', 'c',  0x00, 0x00, 0x00,   // SSRC 1 "abc"
        0,    0,    0,    2,    0x01, 0x02, 'x', 'y', 0x00, 0x00, 0x00, 0x00};  // SSRC 2 "xy"
    const auto c = parse(p);
    ASSERT_TRUE(c);
    ASSERT_EQ(c->cnames.size(), 2u);
    EXPECT_EQ(c->cnames[0], (sdes_cname{1, "abc"}));
    EXPECT_EQ(c->cnames[1], (sdes_cname{2, "xy"}));
}

TEST(Rtcp, FeedbackAndUnknownPackets) {
    const std::vector<std::uint8_t> p = {
        0x81, 0xCD, 0x00, 0x03, 0, 0, 0, 1, 0,   0,   0,   2,   0x00, 0x05, 0x00, 0x00,  // NACK
        0x81, 0xCE, 0x00, 0x02, 0, 0, 0, 3, 0,   0,   0,   4,                            // PLI
        0x80, 0xCC, 0x00, 0x02, 0, 0, 0, 5, 'n', 'a', 'm', 'e',                          // APP
        0x80, 0xCF, 0x00, 0x01, 0, 0, 0, 6};                                             // XR
    const auto c = parse(p);
    ASSERT_TRUE(c);
    ASSERT_EQ(c->feedbacks.size(), 2u);
    EXPECT_EQ(c->feedbacks[0], (feedback{type::rtpfb, 1, 1, 2}));
    EXPECT_EQ(c->feedbacks[1], (feedback{type::psfb, 1, 3, 4}));
    EXPECT_EQ(c->unknown_packets, 2u);
}

TEST(Rtcp, PaddingIsRemoved) {
    // RR without blocks, padded by 4 (P bit, last byte 4).
    const std::vector<std::uint8_t> p = {0xA0, 0xC9, 0x00, 0x02, 0, 0, 0, 9, 0, 0, 0, 4};
    const auto c = parse(p);
    ASSERT_TRUE(c);
    ASSERT_EQ(c->receiver_reports.size(), 1u);
    EXPECT_EQ(c->receiver_reports[0].ssrc, 9u);
}

TEST(Rtcp, RejectsMalformed) {
    EXPECT_FALSE(parse({}));
    auto truncated = sr_rr_sdes;
    truncated.resize(truncated.size() - 4);
    EXPECT_FALSE(parse(truncated));  // SDES length runs past the end
    auto version = sr_rr_sdes;
    version[0] = 0x41;
    EXPECT_FALSE(parse(version));
    auto too_many_blocks = sr_rr_sdes;
    too_many_blocks[0] = 0x82;  // RC=2 with room for one
    EXPECT_FALSE(parse(too_many_blocks));
    const std::vector<std::uint8_t> short_fb = {0x81, 0xCD, 0x00, 0x01, 0, 0, 0, 1};
    EXPECT_FALSE(parse(short_fb));
    const std::vector<std::uint8_t> bad_pad = {0xA0, 0xC9, 0x00, 0x01, 0, 0, 0, 9};
    EXPECT_FALSE(parse(bad_pad));  // padding count 9 > body
    const std::vector<std::uint8_t> unterminated_sdes = {0x81, 0xCA, 0x00, 0x02, 0,   0,
                                                         0,    1,    0x01, 0x02, 'a', 'b'};
    EXPECT_FALSE(parse(unterminated_sdes));
    const std::vector<std::uint8_t> trailing = {0x80, 0xC9, 0x00, 0x01, 0, 0, 0, 1, 0x80};
    EXPECT_FALSE(parse(trailing));
}

}  // namespace
}  // namespace driftway::rtc::rtcp
