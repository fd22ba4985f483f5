// SRTP round trips through libsrtp2 for both DTLS-SRTP profiles; tampering
// and replay must be refused.
#include "driftway/rtc/srtp.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstring>
#include <vector>

namespace driftway::rtc {
namespace {

std::vector<std::uint8_t> key_for(srtp_profile p, std::uint8_t seed) {
    std::vector<std::uint8_t> k(srtp_key_salt_length(p));
    for (std::size_t i = 0; i < k.size(); ++i) k[i] = static_cast<std::uint8_t>(seed + i * 7);
    return k;
}

// A 12-byte RTP header (v2, pt 111) and a payload, with room for the tag.
std::vector<std::uint8_t> rtp_packet(std::uint16_t seq, std::size_t payload = 40) {
    std::vector<std::uint8_t> p(12 + payload + srtp_max_overhead);
    p[0] = 0x80;
    p[1] = 111;
    p[2] = static_cast<std::uint8_t>(seq >> 8);
    p[3] = static_cast<std::uint8_t>(seq);
    p[4] = 0;
    p[5] = 0;
    p[6] = 0x03;
    p[7] = 0xC0;  // timestamp 960
    p[8] = 0x12;
    p[9] = 0x34;
    p[10] = 0x56;
    p[11] = 0x78;  // ssrc
    for (std::size_t i = 0; i < payload; ++i) p[12 + i] = static_cast<std::uint8_t>(i);
    return p;
}

// RTCP receiver report with no blocks (8 bytes).
std::vector<std::uint8_t> rtcp_packet() {
    std::vector<std::uint8_t> p(8 + srtp_max_overhead);
    const std::uint8_t rr[8] = {0x80, 201, 0x00, 0x01, 0xAA, 0xBB, 0xCC, 0xDD};
    std::memcpy(p.data(), rr, sizeof rr);
    return p;
}

class srtp_profiles : public ::testing::TestWithParam<srtp_profile> {};

TEST_P(srtp_profiles, rtp_round_trip) {
    const auto key = key_for(GetParam(), 3);
    auto out = srtp_session::create(GetParam(), srtp_session::direction::outbound, key);
    auto in = srtp_session::create(GetParam(), srtp_session::direction::inbound, key);
    ASSERT_TRUE(out && in);
    for (std::uint16_t seq = 100; seq < 110; ++seq) {
        auto p = rtp_packet(seq);
        const auto plain = std::vector<std::uint8_t>(p.begin(), p.begin() + 52);
        std::size_t len = 52;
        ASSERT_TRUE(out->protect_rtp(p.data(), len, p.size()));
        EXPECT_GT(len, 52u);
        EXPECT_NE(0, std::memcmp(p.data() + 12, plain.data() + 12, 40));  // payload encrypted
        ASSERT_TRUE(in->unprotect_rtp(p.data(), len));
        ASSERT_EQ(len, 52u);
        EXPECT_EQ(0, std::memcmp(p.data(), plain.data(), 52));
    }
}

TEST_P(srtp_profiles, rtcp_round_trip) {
    const auto key = key_for(GetParam(), 9);
    auto out = srtp_session::create(GetParam(), srtp_session::direction::outbound, key);
    auto in = srtp_session::create(GetParam(), srtp_session::direction::inbound, key);
    ASSERT_TRUE(out && in);
    auto p = rtcp_packet();
    std::size_t len = 8;
    ASSERT_TRUE(out->protect_rtcp(p.data(), len, p.size()));
    EXPECT_GT(len, 8u);
    ASSERT_TRUE(in->unprotect_rtcp(p.data(), len));
    EXPECT_EQ(len, 8u);
    EXPECT_EQ(p[1], 201);
}

TEST_P(srtp_profiles, tampered_packet_is_refused) {
    const auto key = key_for(GetParam(), 5);
    auto out = srtp_session::create(GetParam(), srtp_session::direction::outbound, key);
    auto in = srtp_session::create(GetParam(), srtp_session::direction::inbound, key);
    auto p = rtp_packet(7);
    std::size_t len = 52;
    ASSERT_TRUE(out->protect_rtp(p.data(), len, p.size()));
    p[20] ^= 0x01;
    EXPECT_FALSE(in->unprotect_rtp(p.data(), len));
}

TEST_P(srtp_profiles, wrong_key_is_refused) {
    auto out =
        srtp_session::create(GetParam(), srtp_session::direction::outbound, key_for(GetParam(), 1));
    auto in =
        srtp_session::create(GetParam(), srtp_session::direction::inbound, key_for(GetParam(), 2));
    auto p = rtp_packet(7);
    std::size_t len = 52;
    ASSERT_TRUE(out->protect_rtp(p.data(), len, p.size()));
    EXPECT_FALSE(in->unprotect_rtp(p.data(), len));
}

TEST_P(srtp_profiles, replay_is_refused) {
    const auto key = key_for(GetParam(), 11);
    auto out = srtp_session::create(GetParam(), srtp_session::direction::outbound, key);
    auto in = srtp_session::create(GetParam(), srtp_session::direction::inbound, key);
    auto p = rtp_packet(500);
    std::size_t len = 52;
    ASSERT_TRUE(out->protect_rtp(p.data(), len, p.size()));
    auto copy = p;
    std::size_t copy_len = len;
    ASSERT_TRUE(in->unprotect_rtp(p.data(), len));
    EXPECT_FALSE(in->unprotect_rtp(copy.data(), copy_len));
}

TEST_P(srtp_profiles, protect_needs_room_for_the_tag) {
    auto out =
        srtp_session::create(GetParam(), srtp_session::direction::outbound, key_for(GetParam(), 4));
    auto p = rtp_packet(1);
    std::size_t len = 52;
    EXPECT_FALSE(out->protect_rtp(p.data(), len, 55));
    EXPECT_EQ(len, 52u);
}

INSTANTIATE_TEST_SUITE_P(both, srtp_profiles,
                         ::testing::Values(srtp_profile::aes128_cm_sha1_80,
                                           srtp_profile::aead_aes_128_gcm));

TEST(srtp, key_lengths_follow_the_profile) {
    EXPECT_EQ(srtp_key_salt_length(srtp_profile::aes128_cm_sha1_80), 30u);
    EXPECT_EQ(srtp_key_salt_length(srtp_profile::aead_aes_128_gcm), 28u);
    const std::vector<std::uint8_t> short_key(29);
    EXPECT_EQ(srtp_session::create(srtp_profile::aes128_cm_sha1_80,
                                   srtp_session::direction::inbound, short_key),
              nullptr);
}

TEST(srtp, short_packets_are_refused) {
    auto in =
        srtp_session::create(srtp_profile::aes128_cm_sha1_80, srtp_session::direction::inbound,
                             key_for(srtp_profile::aes128_cm_sha1_80, 1));
    std::array<std::uint8_t, 4> tiny{0x80, 111, 0, 1};
    std::size_t len = tiny.size();
    EXPECT_FALSE(in->unprotect_rtp(tiny.data(), len));
    EXPECT_FALSE(in->unprotect_rtcp(tiny.data(), len));
}

}  // namespace
}  // namespace driftway::rtc
