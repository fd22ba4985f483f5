// The SFU on 127.0.0.1 with in-process WebRTC peers (test_peer): ICE-lite,
// DTLS-SRTP, renegotiation, forwarding with SSRC/sequence rewriting, mute
// and deafen enforcement, consent freshness, speaking detection and stats.
#include "test_peer.hpp"

#include <gtest/gtest.h>

namespace driftway::voice {
namespace {

using testing::test_peer;
using namespace std::chrono_literals;

constexpr std::uint64_t channel = 7000;

rtc::audio_level voiced(std::uint8_t level = 30) {
    return {true, level};
}
rtc::audio_level silence() {
    return {false, 127};
}

sfu_options test_options() {
    sfu_options o;
    o.host = "127.0.0.1";
    o.port = 0;
    return o;
}

std::uint32_t ssrc_of(const test_peer& receiver, std::uint64_t source_user) {
    // The latest offer's m-line for the source (msid "<user_id> …").
    if (receiver.offers.empty()) return 0;
    const std::string uid = std::to_string(source_user);
    for (const auto& m : receiver.offers.back().media)
        if (m.msid && m.msid->rfind(uid + " ", 0) == 0 && !m.ssrcs.empty())
            return m.ssrcs.front().ssrc;
    return 0;
}

// Two connected peers, each with the other's leg negotiated.
struct two_peers : ::testing::Test {
    sfu server{test_options()};
    test_peer a{server, channel, 1};
    test_peer b{server, channel, 2};

    void SetUp() override {
        ASSERT_TRUE(test_peer::wait_all({&a, &b}, [&] {
            return a.connected() && b.connected() && a.offers.size() >= 2 && ssrc_of(b, 1) != 0 &&
                   server.snapshot().connected == 2;
        })) << "peers did not connect";
        // Both answers (including a's to its second offer) processed: wait
        // until a packet from a reaches b.
        ASSERT_TRUE(test_peer::wait_all({&a, &b}, [&] {
            a.send_audio(seq_++, ts_ += 960, voiced());
            ++sent_;
            return !b.media_from(ssrc_of(b, 1)).empty();
        })) << "media never flowed";
        // Settle: every packet sent so far was taken in, and whatever was
        // forwarded (only b receives) has arrived.
        ASSERT_TRUE(test_peer::wait_all({&a, &b}, [&] {
            const auto c = server.snapshot();
            return c.packets_received >= sent_ && b.media.size() == c.packets_forwarded;
        }));
    }

    // Sends n packets from a and waits until the SFU has taken them all in.
    void send_from_a(int n, std::optional<rtc::audio_level> level) {
        const auto before = server.snapshot().packets_received;
        for (int i = 0; i < n; ++i) a.send_audio(seq_++, ts_ += 960, level);
        ASSERT_TRUE(test_peer::wait_all({&a, &b}, [&] {
            return server.snapshot().packets_received >= before + static_cast<std::uint64_t>(n);
        }));
    }

    std::uint64_t sent_ = 0;
    std::uint16_t seq_ = 1000;
    std::uint32_t ts_ = 50000;
};

TEST_F(two_peers, ready_and_offers_announce_the_other_participant) {
    ASSERT_TRUE(b.ready);
    ASSERT_EQ(b.ready_participants.size(), 1u);
    EXPECT_EQ(b.ready_participants[0].user_id, 1u);
    EXPECT_EQ(b.ready_participants[0].ssrc, ssrc_of(b, 1));
    EXPECT_TRUE(a.ready_participants.empty());
    ASSERT_NE(a.last("participant_joined"), nullptr);
    EXPECT_EQ(a.last("participant_joined")->d.at("user_id").as_string(), "2");
    EXPECT_EQ(a.last("participant_joined")->d.at("ssrc").to_number<std::uint32_t>(), ssrc_of(a, 2));

    const auto& offer = b.offers.front();
    EXPECT_TRUE(offer.ice_lite);
    ASSERT_EQ(offer.media.size(), 2u);
    EXPECT_EQ(offer.media[0].mid, "0");
    EXPECT_EQ(offer.media[0].dir, rtc::sdp::direction::recvonly);
    EXPECT_EQ(offer.media[1].dir, rtc::sdp::direction::sendonly);
    EXPECT_EQ(offer.bundle(), (std::vector<std::string>{"0", "1"}));
    for (const auto& m : offer.media) {
        EXPECT_EQ(m.setup, "actpass");
        EXPECT_TRUE(m.rtcp_mux);
        EXPECT_TRUE(m.end_of_candidates);
        ASSERT_EQ(m.candidates.size(), 1u);
        EXPECT_EQ(m.candidates[0],
                  "1 1 udp 2130706431 127.0.0.1 " + std::to_string(server.port()) + " typ host");
        ASSERT_NE(m.find_codec("opus", 48000), nullptr);
        EXPECT_EQ(m.find_codec("opus", 48000)->payload_type, 111);
        ASSERT_NE(m.find_extmap(rtc::sdp::audio_level_uri), nullptr);
    }
    EXPECT_EQ(offer.media[1].msid, "1 1-audio");
}

TEST_F(two_peers, forwards_with_the_announced_ssrc_and_continuous_sequence_across_a_mute) {
    const std::uint32_t leg = ssrc_of(b, 1);
    const std::size_t initial = b.media_from(leg).size();
    const auto forwarded_before = server.snapshot().packets_forwarded;
    std::vector<std::uint8_t> expected_payload_tags;  // payload[0] = low byte of a's sequence
    for (int i = 0; i < 10; ++i)
        expected_payload_tags.push_back(static_cast<std::uint8_t>(seq_ + i));
    send_from_a(10, voiced());

    a.handle->set_self_state(true, false);
    ASSERT_TRUE(test_peer::wait_all({&a, &b}, [&] {
        const auto* s = b.last("state");
        return s != nullptr && s->d.at("self_mute").as_bool();
    }));
    send_from_a(15, voiced());  // dropped by the SFU
    a.handle->set_self_state(false, false);
    ASSERT_TRUE(test_peer::wait_all({&a, &b},
                                    [&] { return !b.last("state")->d.at("self_mute").as_bool(); }));
    for (int i = 0; i < 10; ++i)
        expected_payload_tags.push_back(static_cast<std::uint8_t>(seq_ + i));
    send_from_a(10, voiced());

    // Exactly the 20 unmuted packets were forwarded, and b got them all.
    EXPECT_EQ(server.snapshot().packets_forwarded, forwarded_before + 20);
    std::vector<testing::received_rtp> got;
    ASSERT_TRUE(b.wait_for([&] {
        got = b.media_from(leg);
        return got.size() >= initial + 20;
    })) << got.size();
    ASSERT_EQ(got.size(), initial + 20);
    EXPECT_EQ(b.media.size(), got.size());  // nothing under another SSRC
    std::vector<std::uint8_t> tags;
    for (std::size_t i = initial; i < got.size(); ++i) tags.push_back(got[i].payload[0]);
    EXPECT_EQ(tags, expected_payload_tags);
    // Continuous sequence numbers and timestamps across the 15 dropped packets.
    for (std::size_t i = initial; i < got.size(); ++i) {
        if (i > 0)
            EXPECT_EQ(static_cast<std::uint16_t>(got[i - 1].sequence + 1), got[i].sequence) << i;
        EXPECT_EQ(got[i].payload.size(), 40u);
        EXPECT_EQ(got[i].payload[1], 0x5A);  // payload untouched
    }
}

TEST_F(two_peers, server_muted_sender_reaches_nobody) {
    server.set_server_state(1, true, false);
    ASSERT_TRUE(test_peer::wait_all({&a, &b}, [&] {
        const auto* s = b.last("state");
        return s != nullptr && s->d.at("server_mute").as_bool();
    }));
    const auto before = server.snapshot();
    const auto media_before = b.media.size();
    send_from_a(20, voiced());
    const auto after = server.snapshot();
    EXPECT_EQ(after.packets_forwarded, before.packets_forwarded);
    EXPECT_GE(after.packets_dropped, before.packets_dropped + 20);
    b.pump_once(20);
    EXPECT_EQ(b.media.size(), media_before);
}

TEST_F(two_peers, cannot_speak_sender_reaches_nobody) {
    server.set_can_speak(1, false);
    ASSERT_TRUE(test_peer::wait_all({&a, &b}, [&] { return b.count("state") > 0; }));
    const auto before = server.snapshot();
    send_from_a(10, voiced());
    EXPECT_EQ(server.snapshot().packets_forwarded, before.packets_forwarded);
}

TEST_F(two_peers, deafened_receiver_gets_nothing) {
    b.handle->set_self_state(false, true);
    ASSERT_TRUE(test_peer::wait_all({&a, &b}, [&] {
        const auto* s = a.last("state");
        return s != nullptr && s->d.at("self_deaf").as_bool();
    }));
    const auto before = server.snapshot();
    const auto media_before = b.media.size();
    send_from_a(20, voiced());
    EXPECT_EQ(server.snapshot().packets_forwarded, before.packets_forwarded);
    b.pump_once(20);
    EXPECT_EQ(b.media.size(), media_before);
}

TEST_F(two_peers, silent_sender_is_not_forwarded_after_the_hangover) {
    // Default hangover is 1 s; the silent packets below are sent within it,
    // so they are forwarded (no clipping of word ends) …
    const auto before = server.snapshot().packets_forwarded;
    send_from_a(5, silence());
    EXPECT_GE(server.snapshot().packets_forwarded, before + 5);
}

TEST_F(two_peers, speaking_flips_on_voice_and_off_after_the_hangover) {
    ASSERT_TRUE(test_peer::wait_all({&a, &b}, [&] {
        const auto* s = b.last("speaking");
        return s != nullptr && s->d.at("speaking").as_bool() &&
               s->d.at("user_id").as_string() == "1";
    }));
    EXPECT_EQ(b.last("speaking")->d.at("level").to_number<int>(), 30);
    // Only silence from now on: speaking ends after the hangover (1 s).
    ASSERT_TRUE(test_peer::wait_all(
        {&a, &b},
        [&] {
            a.send_audio(seq_++, ts_ += 960, silence());
            const auto* s = b.last("speaking");
            return !s->d.at("speaking").as_bool();
        },
        4s));
    // Packets of a silent sender are dropped now.
    const auto before = server.snapshot();
    send_from_a(5, silence());
    EXPECT_EQ(server.snapshot().packets_forwarded, before.packets_forwarded);
    // Voice again: on again.
    send_from_a(1, voiced(10));
    ASSERT_TRUE(test_peer::wait_all(
        {&a, &b}, [&] { return b.last("speaking")->d.at("speaking").as_bool(); }));
    EXPECT_EQ(b.last("speaking")->d.at("level").to_number<int>(), 10);
}

TEST_F(two_peers, stats_count_packets_in_and_out) {
    send_from_a(10, voiced());
    ASSERT_TRUE(b.wait_for([&] { return b.media.size() >= 11; }));
    b.handle->request_stats();
    ASSERT_TRUE(test_peer::wait_all({&a, &b}, [&] { return b.last("stats") != nullptr; }));
    const auto& list = b.last("stats")->d.at("participants").as_array();
    ASSERT_EQ(list.size(), 2u);
    for (const auto& v : list) {
        const auto& p = v.as_object();
        if (p.at("user_id").as_string() == "1")
            EXPECT_GE(p.at("packets_in").to_number<std::uint64_t>(), 11u);
        if (p.at("user_id").as_string() == "2")
            EXPECT_GE(p.at("packets_out").to_number<std::uint64_t>(), 11u);
        EXPECT_TRUE(p.contains("jitter_ms") && p.contains("rtt_ms") && p.contains("loss"));
    }
}

TEST_F(two_peers, rtcp_sender_reports_describe_each_leg) {
    const std::uint32_t leg = ssrc_of(b, 1);
    ASSERT_TRUE(test_peer::wait_all(
        {&a, &b},
        [&] {
            for (const auto& c : b.rtcp)
                for (const auto& sr : c.sender_reports)
                    if (sr.ssrc == leg && sr.packet_count > 0) return true;
            return false;
        },
        4s));
    // a's report carries a block about a's uplink.
    ASSERT_TRUE(test_peer::wait_all(
        {&a, &b},
        [&] {
            for (const auto& c : a.rtcp) {
                for (const auto& rr : c.receiver_reports)
                    for (const auto& blk : rr.reports)
                        if (blk.ssrc == a.ssrc) return true;
                for (const auto& sr : c.sender_reports)
                    for (const auto& blk : sr.reports)
                        if (blk.ssrc == a.ssrc) return true;
            }
            return false;
        },
        4s));
}

TEST_F(two_peers, packets_without_audio_level_count_as_voiced) {
    // Silence until the hangover stops forwarding …
    ASSERT_TRUE(test_peer::wait_all(
        {&a, &b},
        [&] {
            a.send_audio(seq_++, ts_ += 960, silence());
            const auto* s = b.last("speaking");
            return s != nullptr && !s->d.at("speaking").as_bool();
        },
        4s));
    // … then packets with no extension at all are forwarded again.
    const auto before = server.snapshot().packets_forwarded;
    send_from_a(5, std::nullopt);
    EXPECT_GE(server.snapshot().packets_forwarded, before + 5);
}

TEST(sfu, client_offer_while_the_server_offer_is_outstanding_is_glare) {
    sfu server{test_options()};
    test_peer::options manual;
    manual.auto_answer = false;
    test_peer a{server, channel, 1, manual};
    ASSERT_TRUE(a.wait_for([&] { return !a.offers.empty(); }));
    a.handle->on_offer("v=0\r\n");
    ASSERT_TRUE(a.wait_for([&] { return a.last("error") != nullptr; }));
    EXPECT_EQ(a.last("error")->d.at("code").as_string(), "glare");
    EXPECT_FALSE(a.ended.has_value());
}

TEST(sfu, leaver_section_goes_inactive_and_is_reused) {
    sfu server{test_options()};
    test_peer a{server, channel, 1};
    test_peer b{server, channel, 2};
    auto c = std::make_unique<test_peer>(server, channel, 3);
    ASSERT_TRUE(test_peer::wait_all({&a, &b, c.get()}, [&] {
        return ssrc_of(a, 2) != 0 && ssrc_of(a, 3) != 0 && server.snapshot().connected == 3;
    }));
    const auto& before = a.offers.back();
    ASSERT_EQ(before.media.size(), 3u);
    std::string c_mid;
    for (const auto& m : before.media)
        if (m.msid && m.msid->rfind("3 ", 0) == 0) c_mid = *m.mid;
    ASSERT_FALSE(c_mid.empty());
    const std::uint32_t c_ssrc = ssrc_of(a, 3);

    c.reset();  // leaves
    ASSERT_TRUE(
        test_peer::wait_all({&a, &b}, [&] { return a.last("participant_left") != nullptr; }));
    ASSERT_TRUE(test_peer::wait_all({&a, &b}, [&] {
        for (const auto& m : a.offers.back().media)
            if (m.mid == c_mid) return m.dir == rtc::sdp::direction::inactive;
        return false;
    }));
    EXPECT_EQ(a.last("participant_left")->d.at("user_id").as_string(), "3");
    const auto& after_leave = a.offers.back();
    EXPECT_EQ(after_leave.media.size(), 3u);
    for (const auto& m : after_leave.media)
        if (m.mid == c_mid) EXPECT_TRUE(m.ssrcs.empty());

    test_peer d{server, channel, 4};
    ASSERT_TRUE(
        test_peer::wait_all({&a, &b, &d}, [&] { return ssrc_of(a, 4) != 0 && d.connected(); }));
    const auto& after_join = a.offers.back();
    EXPECT_EQ(after_join.media.size(), 3u);  // reused, not appended
    for (const auto& m : after_join.media)
        if (m.mid == c_mid) {
            EXPECT_EQ(m.dir, rtc::sdp::direction::sendonly);
            ASSERT_FALSE(m.ssrcs.empty());
            EXPECT_NE(m.ssrcs.front().ssrc, c_ssrc);
            EXPECT_EQ(m.msid, "4 4-audio");
        }
}

TEST(sfu, consent_expiry_ends_the_peer) {
    auto o = test_options();
    o.consent_timeout = 400ms;
    sfu server{o};
    test_peer::options po;
    po.keep_consent = false;  // one check, then silence
    test_peer a{server, channel, 1, po};
    ASSERT_TRUE(a.wait_for([&] { return a.connected(); }));
    ASSERT_TRUE(a.wait_for([&] { return a.ended.has_value(); }, 5s));
    EXPECT_EQ(*a.ended, end_reason::consent_lost);
    EXPECT_EQ(server.snapshot().peers, 0u);
}

TEST(sfu, consent_kept_by_checks_keeps_the_peer) {
    auto o = test_options();
    o.consent_timeout = 400ms;
    sfu server{o};
    test_peer a{server, channel, 1};
    ASSERT_TRUE(a.wait_for([&] { return a.connected(); }));
    // 1 s is more than twice the timeout; the checks every 100 ms keep it alive.
    EXPECT_FALSE(a.wait_for([&] { return a.ended.has_value(); }, 1s));
}

TEST(sfu, wrong_fingerprint_gets_no_media) {
    sfu server{test_options()};
    test_peer::options liar;
    liar.lie_about_fingerprint = true;
    test_peer a{server, channel, 1, liar};
    test_peer b{server, channel, 2};
    ASSERT_TRUE(
        test_peer::wait_all({&a, &b}, [&] { return a.ended.has_value() && b.connected(); }));
    EXPECT_EQ(*a.ended, end_reason::dtls_failed);
    EXPECT_FALSE(a.connected());
    EXPECT_EQ(server.snapshot().connected, 1u);
}

TEST(sfu, passive_answer_makes_the_sfu_the_dtls_client) {
    sfu server{test_options()};
    test_peer::options passive;
    passive.setup_active = false;
    test_peer a{server, channel, 1, passive};
    ASSERT_TRUE(a.wait_for([&] { return a.connected() && server.snapshot().connected == 1; }, 8s));
}

TEST(sfu, stun_without_valid_integrity_gets_no_success) {
    sfu server{test_options()};
    test_peer a{server, channel, 1};
    ASSERT_TRUE(a.wait_for([&] { return a.connected(); }));
    const auto bad = a.send_check("not-the-password-at-all");
    ASSERT_TRUE(a.wait_for([&] {
        return std::find(a.stun_error.begin(), a.stun_error.end(), bad) != a.stun_error.end();
    }));
    EXPECT_EQ(std::find(a.stun_success.begin(), a.stun_success.end(), bad), a.stun_success.end());
    // No integrity at all.
    rtc::stun::transaction_id tid{9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 1, 2};
    auto naked =
        rtc::stun::builder(rtc::stun::message_class::request, rtc::stun::method_binding, tid)
            .username("nobody:here")
            .finish({}, true);
    a.send_raw(naked);
    ASSERT_TRUE(a.wait_for([&] {
        return std::find(a.stun_error.begin(), a.stun_error.end(), tid) != a.stun_error.end();
    }));
    EXPECT_EQ(std::find(a.stun_success.begin(), a.stun_success.end(), tid), a.stun_success.end());
}

TEST(sfu, a_second_join_of_the_same_user_replaces_the_first) {
    sfu server{test_options()};
    test_peer first{server, channel, 1};
    ASSERT_TRUE(first.wait_for([&] { return !first.offers.empty(); }));
    test_peer second{server, channel, 1};
    ASSERT_TRUE(test_peer::wait_all({&first, &second}, [&] { return first.ended.has_value(); }));
    EXPECT_EQ(*first.ended, end_reason::replaced);
    EXPECT_EQ(server.snapshot().peers, 1u);
}

TEST(sfu, bad_first_answer_ends_the_peer_with_an_error) {
    sfu server{test_options()};
    test_peer::options manual;
    manual.auto_answer = false;
    test_peer a{server, channel, 1, manual};
    ASSERT_TRUE(a.wait_for([&] { return !a.offers.empty(); }));
    a.handle->on_answer("v=0\r\nthis is not sdp\r\n");
    ASSERT_TRUE(a.wait_for([&] { return a.ended.has_value(); }));
    EXPECT_EQ(*a.ended, end_reason::dtls_failed);
    ASSERT_NE(a.last("error"), nullptr);
    EXPECT_EQ(a.last("error")->d.at("code").as_string(), "bad_answer");
}

}  // namespace
}  // namespace driftway::voice
