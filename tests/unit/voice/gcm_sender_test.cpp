// The SFU's own AEAD_AES_128_GCM sender (RFC 7714) against libsrtp2: the
// same packets must come out byte for byte as libsrtp's protect makes them,
// and libsrtp's receiver must accept them, across a sequence wrap.
#include "sfu/gcm_sender.hpp"

#include "driftway/rtc/rtp.hpp"
#include "driftway/rtc/srtp.hpp"

#include <gtest/gtest.h>
#include <openssl/rand.h>

#include <vector>

namespace driftway::voice::detail {
namespace {

std::vector<std::uint8_t> packet(std::uint16_t seq, std::uint32_t ssrc, bool level) {
    rtc::rtp_build b;
    b.payload_type = 111;
    b.sequence = seq;
    b.timestamp = 960u * seq;
    b.ssrc = ssrc;
    if (level) {
        b.audio_level_id = 1;
        b.level = {true, 40};
    }
    std::vector<std::uint8_t> payload(33 + seq % 50);
    for (std::size_t i = 0; i < payload.size(); ++i)
        payload[i] = static_cast<std::uint8_t>(i * 13 + seq);
    std::vector<std::uint8_t> out(1500);
    out.resize(rtc::build_rtp(b, payload, out));
    return out;
}

struct gcm : ::testing::Test {
    std::vector<std::uint8_t> key_salt = std::vector<std::uint8_t>(28);
    void SetUp() override {
        rtc::init_srtp();
        RAND_bytes(key_salt.data(), static_cast<int>(key_salt.size()));
    }
};

TEST_F(gcm, matches_libsrtp_and_libsrtp_accepts_it_across_a_wrap) {
    auto mine = gcm_sender::create(key_salt);
    ASSERT_NE(mine, nullptr);
    auto theirs = rtc::srtp_session::create(rtc::srtp_profile::aead_aes_128_gcm,
                                            rtc::srtp_session::direction::outbound, key_salt);
    auto receiver = rtc::srtp_session::create(rtc::srtp_profile::aead_aes_128_gcm,
                                              rtc::srtp_session::direction::inbound, key_salt);
    ASSERT_NE(theirs, nullptr);
    ASSERT_NE(receiver, nullptr);

    rollover roc;
    // Two SSRCs (two legs to the same receiver share its keys), through
    // 65535 -> 0, every other packet with an RFC 6464 extension.
    for (std::uint32_t i = 0; i < 40; ++i) {
        const auto seq = static_cast<std::uint16_t>(65520 + i);
        const auto plain = packet(seq, 0x11223344, i % 2 == 0);
        ASSERT_FALSE(plain.empty());

        auto a = plain;
        a.resize(plain.size() + 64);
        std::size_t a_len = plain.size();
        ASSERT_TRUE(mine->protect_rtp(a.data(), a_len, a.size(), roc.next(seq)));
        auto b = plain;
        b.resize(plain.size() + 64);
        std::size_t b_len = plain.size();
        ASSERT_TRUE(theirs->protect_rtp(b.data(), b_len, b.size()));
        ASSERT_EQ(a_len, b_len) << "seq " << seq;
        EXPECT_TRUE(std::equal(a.begin(), a.begin() + static_cast<long>(a_len), b.begin()))
            << "seq " << seq;

        ASSERT_TRUE(receiver->unprotect_rtp(a.data(), a_len)) << "seq " << seq;
        ASSERT_EQ(a_len, plain.size());
        EXPECT_TRUE(std::equal(plain.begin(), plain.end(), a.begin()));
    }
    EXPECT_EQ(roc.roc, 1u);
}

TEST_F(gcm, tampering_is_detected_by_the_receiver) {
    auto mine = gcm_sender::create(key_salt);
    auto receiver = rtc::srtp_session::create(rtc::srtp_profile::aead_aes_128_gcm,
                                              rtc::srtp_session::direction::inbound, key_salt);
    auto p = packet(7, 0xABCDEF01, true);
    std::size_t len = p.size();
    p.resize(len + 32);
    ASSERT_TRUE(mine->protect_rtp(p.data(), len, p.size(), 0));
    p[len - 20] ^= 1;  // a payload byte
    EXPECT_FALSE(receiver->unprotect_rtp(p.data(), len));
}

TEST_F(gcm, refuses_bad_keys_and_packets_that_do_not_fit) {
    EXPECT_EQ(gcm_sender::create(rtc::bytes_view{key_salt.data(), 30}), nullptr);
    auto mine = gcm_sender::create(key_salt);
    auto p = packet(1, 1, false);
    std::size_t len = p.size();
    EXPECT_FALSE(mine->protect_rtp(p.data(), len, p.size(), 0));  // no room for the tag
    std::uint8_t junk[8] = {0x80};
    std::size_t junk_len = sizeof junk;
    EXPECT_FALSE(mine->protect_rtp(junk, junk_len, sizeof junk, 0));  // not RTP
}

TEST(rollover_counter, counts_wraps_and_places_late_packets) {
    rollover r;
    EXPECT_EQ(r.next(65534), 0u);
    EXPECT_EQ(r.next(65535), 0u);
    EXPECT_EQ(r.next(2), 1u);      // wrapped, skipping 0 and 1
    EXPECT_EQ(r.next(65533), 0u);  // late, from before the wrap
    EXPECT_EQ(r.next(3), 1u);
    EXPECT_EQ(r.next(30000), 1u);  // a forward jump under half the space
}

}  // namespace
}  // namespace driftway::voice::detail
