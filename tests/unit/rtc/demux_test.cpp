// RFC 7983 demultiplexing by first byte, RTP vs RTCP by RFC 5761.
#include "driftway/rtc/demux.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace driftway::rtc {
namespace {

packet_kind kind_of(std::uint8_t first, std::uint8_t second = 111) {
    const std::vector<std::uint8_t> d = {first, second, 0, 0};
    return classify(d);
}

TEST(Demux, Rfc7983Ranges) {
    for (int b = 0; b <= 3; ++b)
        EXPECT_EQ(kind_of(static_cast<std::uint8_t>(b)), packet_kind::stun);
    for (int b = 4; b <= 19; ++b)
        EXPECT_EQ(kind_of(static_cast<std::uint8_t>(b)), packet_kind::unknown) << b;
    for (int b = 20; b <= 63; ++b)
        EXPECT_EQ(kind_of(static_cast<std::uint8_t>(b)), packet_kind::dtls);
    for (int b = 64; b <= 127; ++b)
        EXPECT_EQ(kind_of(static_cast<std::uint8_t>(b)), packet_kind::unknown) << b;
    for (int b = 128; b <= 191; ++b)
        EXPECT_EQ(kind_of(static_cast<std::uint8_t>(b)), packet_kind::rtp);
    for (int b = 192; b <= 255; ++b)
        EXPECT_EQ(kind_of(static_cast<std::uint8_t>(b)), packet_kind::unknown) << b;
}

TEST(Demux, RtcpByPacketType) {
    EXPECT_EQ(kind_of(0x80, 200), packet_kind::rtcp);  // SR
    EXPECT_EQ(kind_of(0x81, 201), packet_kind::rtcp);  // RR
    EXPECT_EQ(kind_of(0x81, 206), packet_kind::rtcp);  // PSFB
    EXPECT_EQ(kind_of(0x80, 192), packet_kind::rtcp);
    EXPECT_EQ(kind_of(0x80, 223), packet_kind::rtcp);
    EXPECT_EQ(kind_of(0x80, 191), packet_kind::rtp);   // marker + PT 63
    EXPECT_EQ(kind_of(0x80, 224), packet_kind::rtp);   // marker + PT 96
    EXPECT_EQ(kind_of(0x80, 0xEF), packet_kind::rtp);  // marker + opus 111
}

TEST(Demux, ShortDatagrams) {
    EXPECT_EQ(classify({}), packet_kind::unknown);
    const std::vector<std::uint8_t> one = {0x80};
    EXPECT_EQ(classify(one), packet_kind::unknown);
    const std::vector<std::uint8_t> stun = {0x00};
    EXPECT_EQ(classify(stun), packet_kind::stun);
}

}  // namespace
}  // namespace driftway::rtc
