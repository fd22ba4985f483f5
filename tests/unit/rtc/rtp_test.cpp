// RTP header parsing with CSRCs, RFC 8285 extensions and padding; RFC 6464
// audio level; in-place rewrites; the sequence unwrapper.
#include "driftway/rtc/rtp.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace driftway::rtc {
namespace {

// An Opus packet as Chrome sends it with one-byte extensions negotiated:
// PT 111, marker, seq 0x1234, ts 0x01020304, SSRC 0xDEADBEEF; extension
// block 0xBEDE of 2 words holding ssrc-audio-level (id 1, 1 byte: V=1,
// level 42), abs-send-time (id 2, 3 bytes) and a transport-cc sequence
// (id 3, 2 bytes), then one padding byte; then 3 payload bytes.
const std::vector<std::uint8_t> chrome_packet = {0x90, 0xEF, 0x12, 0x34, 0x01, 0x02, 0x03,
                                                 0x04, 0xDE, 0xAD, 0xBE, 0xEF,  // fixed header
                                                 0xBE, 0xDE, 0x00, 0x03,        // extension header
                                                 0x10, 0xAA,              // id 1 len 1: V + 42
                                                 0x22, 0x11, 0x22, 0x33,  // id 2 len 3
                                                 0x31, 0x00, 0x07,        // id 3 len 2
                                                 0x00, 0x00, 0x00,        // padding
                                                 0xFC, 0xFF, 0xFE};       // Opus payload

TEST(Rtp, ParsesChromeLayout) {
    const auto h = parse_rtp(chrome_packet);
    ASSERT_TRUE(h);
    EXPECT_EQ(h->payload_type, 111);
    EXPECT_TRUE(h->marker);
    EXPECT_FALSE(h->padding);
    EXPECT_EQ(h->sequence, 0x1234);
    EXPECT_EQ(h->timestamp, 0x01020304u);
    EXPECT_EQ(h->ssrc, 0xDEADBEEFu);
    EXPECT_EQ(h->csrc_count, 0);
    EXPECT_EQ(h->extension_profile, 0xBEDE);
    EXPECT_EQ(h->extension_offset, 16u);
    EXPECT_EQ(h->extension_size, 12u);
    EXPECT_EQ(h->payload_offset, 28u);
    EXPECT_EQ(h->payload_size, 3u);

    const auto level = read_audio_level(chrome_packet, *h, 1);
    ASSERT_TRUE(level);
    EXPECT_TRUE(level->voice_activity);
    EXPECT_EQ(level->level, 42);
    const auto abs = find_extension(chrome_packet, *h, 2);
    ASSERT_EQ(abs.size(), 3u);
    EXPECT_EQ(abs[0], 0x11);
    EXPECT_EQ(abs[2], 0x33);
    const auto twcc = find_extension(chrome_packet, *h, 3);
    ASSERT_EQ(twcc.size(), 2u);
    EXPECT_EQ(read_u16(twcc.data()), 7);
    EXPECT_TRUE(find_extension(chrome_packet, *h, 4).empty());
    EXPECT_FALSE(read_audio_level(chrome_packet, *h, 5));
}

TEST(Rtp, CsrcsTwoByteExtensionAndPadding) {
    // 2 CSRCs, two-byte extension profile 0x1000 (one word: id 5 len 1
    // value 0x85, then one padding byte), payload 2 bytes, 3 bytes padding.
    const std::vector<std::uint8_t> p = {0xB2, 0x60, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x10,
                                         0x00, 0x00, 0x00, 0x01,  // V P X CC=2, PT 96
                                         0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x03,  // CSRCs
                                         0x10, 0x00, 0x00, 0x01,  // ext header
                                         0x05, 0x01, 0x85, 0x00,  // id 5 len 1
                                         0xAB, 0xCD,              // payload
                                         0x00, 0x00, 0x03};       // padding
    const auto h = parse_rtp(p);
    ASSERT_TRUE(h);
    EXPECT_TRUE(h->padding);
    EXPECT_EQ(h->csrc_count, 2);
    EXPECT_EQ(h->payload_type, 96);
    EXPECT_EQ(h->extension_profile, 0x1000);
    EXPECT_EQ(h->payload_offset, 28u);
    EXPECT_EQ(h->payload_size, 2u);
    const auto level = read_audio_level(p, *h, 5);
    ASSERT_TRUE(level);
    EXPECT_TRUE(level->voice_activity);
    EXPECT_EQ(level->level, 5);
    EXPECT_TRUE(find_extension(p, *h, 1).empty());
}

TEST(Rtp, OneByteIdFifteenStopsTheBlock) {
    // RFC 8285 section 4.2: after id 15 nothing is read, so the id 1
    // element that follows it is not found.
    const std::vector<std::uint8_t> p = {0x90, 0x6F, 0,    1,    0,    0,    0,    1,    0,   0, 0,
                                         1,    0xBE, 0xDE, 0x00, 0x01, 0xF0, 0x00, 0x10, 0x55};
    const auto h = parse_rtp(p);
    ASSERT_TRUE(h);
    EXPECT_FALSE(read_audio_level(p, *h, 1));
}

TEST(Rtp, RejectsMalformed) {
    EXPECT_FALSE(parse_rtp(std::vector<std::uint8_t>(11, 0x80)));
    auto v1 = chrome_packet;
    v1[0] = 0x50;  // version 1
    EXPECT_FALSE(parse_rtp(v1));
    auto rtcp = chrome_packet;
    rtcp[1] = 200;  // an SR on the same port
    EXPECT_FALSE(parse_rtp(rtcp));
    auto many_csrc = chrome_packet;
    many_csrc[0] = 0x9F;  // 15 CSRCs do not fit
    EXPECT_FALSE(parse_rtp(many_csrc));
    auto long_ext = chrome_packet;
    long_ext[15] = 0x09;  // 9 words of extension do not fit
    EXPECT_FALSE(parse_rtp(long_ext));
    auto bad_pad = chrome_packet;
    bad_pad[0] |= 0x20;
    bad_pad.back() = 0x20;  // more padding than payload
    EXPECT_FALSE(parse_rtp(bad_pad));
    bad_pad.back() = 0;  // zero is not a padding count
    EXPECT_FALSE(parse_rtp(bad_pad));
}

TEST(Rtp, TruncatedExtensionElementIsNotRead) {
    // One-byte element id 1 claiming 4 bytes in a 1-word block.
    const std::vector<std::uint8_t> p = {0x90, 0x6F, 0,    1,    0,    0,    0,    1,    0,   0, 0,
                                         1,    0xBE, 0xDE, 0x00, 0x01, 0x13, 0x01, 0x02, 0x03};
    const auto h = parse_rtp(p);
    ASSERT_TRUE(h);
    EXPECT_TRUE(find_extension(p, *h, 1).empty());
}

TEST(Rtp, InPlaceSetters) {
    auto p = chrome_packet;
    set_sequence(p, 0xFFFE);
    set_timestamp(p, 0xA0B0C0D0);
    set_ssrc(p, 0x01020304);
    set_payload_type(p, 100);
    const auto h = parse_rtp(p);
    ASSERT_TRUE(h);
    EXPECT_EQ(h->sequence, 0xFFFE);
    EXPECT_EQ(h->timestamp, 0xA0B0C0D0u);
    EXPECT_EQ(h->ssrc, 0x01020304u);
    EXPECT_EQ(h->payload_type, 100);
    EXPECT_TRUE(h->marker);  // kept
    EXPECT_TRUE(std::equal(p.begin() + 12, p.end(), chrome_packet.begin() + 12));
    std::vector<std::uint8_t> tiny(4, 0);
    set_sequence(tiny, 1);  // too short: left alone
    EXPECT_EQ(tiny, std::vector<std::uint8_t>(4, 0));
}

TEST(Rtp, BuildWithAudioLevel) {
    rtp_build b;
    b.sequence = 65535;
    b.timestamp = 960;
    b.ssrc = 42;
    b.marker = true;
    b.audio_level_id = 1;
    b.level = {true, 30};
    const std::vector<std::uint8_t> payload = {1, 2, 3, 4, 5};
    std::vector<std::uint8_t> out(1500);
    const std::size_t n = build_rtp(b, payload, out);
    ASSERT_EQ(n, 12u + 8u + 5u);
    out.resize(n);
    const auto h = parse_rtp(out);
    ASSERT_TRUE(h);
    EXPECT_EQ(h->payload_type, 111);
    EXPECT_TRUE(h->marker);
    EXPECT_EQ(h->sequence, 65535);
    EXPECT_EQ(h->timestamp, 960u);
    EXPECT_EQ(h->ssrc, 42u);
    EXPECT_EQ(h->payload_size, 5u);
    EXPECT_TRUE(std::equal(payload.begin(), payload.end(), out.begin() + 20));
    const auto level = read_audio_level(out, *h, 1);
    ASSERT_TRUE(level);
    EXPECT_TRUE(level->voice_activity);
    EXPECT_EQ(level->level, 30);

    std::vector<std::uint8_t> small(20);
    EXPECT_EQ(build_rtp(b, payload, small), 0u);
    b.audio_level_id.reset();
    EXPECT_EQ(build_rtp(b, payload, out), 17u);
}

TEST(SequenceUnwrapper, WrapsForwardAndHandlesReordering) {
    sequence_unwrapper u;
    EXPECT_EQ(u.unwrap(65534), 65534);
    EXPECT_EQ(u.unwrap(65535), 65535);
    EXPECT_EQ(u.unwrap(0), 65536);
    EXPECT_EQ(u.unwrap(65535), 65535);  // late, before the wrap
    EXPECT_EQ(u.unwrap(2), 65538);
    EXPECT_EQ(u.unwrap(1), 65537);
    // A jump of more than 2^15 forward is taken as a late packet of the
    // previous cycle.
    EXPECT_EQ(u.unwrap(2 + 0x8001), 65538 - 0x7FFF);
    // Many cycles.
    sequence_unwrapper w;
    std::int64_t expected = 100;
    for (int i = 0; i < 300000; ++i, expected += 7)
        ASSERT_EQ(w.unwrap(static_cast<std::uint16_t>(expected)), expected);
}

}  // namespace
}  // namespace driftway::rtc
