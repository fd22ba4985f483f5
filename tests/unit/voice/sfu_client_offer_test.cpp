// A client's own offer in a running call (docs/voice.md: "client → offer
// {sdp} — answered with answer {sdp}"): renegotiation with nothing changed
// and an ICE restart keep the server's sections and SSRCs and do not
// interrupt the media; an offer that does not fit the session is refused.
#include "two_peers_fixture.hpp"

namespace driftway::voice {
namespace {

using testing::connected_pair;
using testing::ssrc_of;
using testing::test_peer;

const rtc::sdp::media_section* section(const rtc::sdp::session_description& d,
                                       std::string_view mid) {
    for (const auto& m : d.media)
        if (m.mid == mid) return &m;
    return nullptr;
}

// Sends from a until b received `n` more packets on a's leg; false on timeout.
bool media_keeps_flowing(connected_pair& f, std::size_t n) {
    const std::uint32_t leg = ssrc_of(f.b, 1);
    const std::size_t before = f.b.media_from(leg).size();
    return test_peer::wait_all({&f.a, &f.b}, [&] {
        f.a.send_audio(f.seq++, f.ts += 960, testing::voiced());
        ++f.sent;
        return f.b.media_from(leg).size() >= before + n;
    });
}

using client_offer = connected_pair;

TEST_F(client_offer, unchanged_offer_is_answered_with_the_servers_sections) {
    const auto& offer = b.offers.back();
    const std::uint32_t leg = ssrc_of(b, 1);
    b.send_offer(false);
    ASSERT_TRUE(test_peer::wait_all({&a, &b}, [&] { return !b.answers.empty(); }));
    EXPECT_EQ(b.count("error"), 0u);
    const auto& answer = b.answers.back();

    // Same sections, same mids, the same SSRC for a's stream, the same ICE
    // credentials (no restart was asked), and the role the server already
    // has (b is the DTLS client: the server stays passive).
    ASSERT_EQ(answer.media.size(), offer.media.size());
    for (std::size_t i = 0; i < offer.media.size(); ++i)
        EXPECT_EQ(answer.media[i].mid, offer.media[i].mid);
    EXPECT_EQ(answer.media.front().dir, rtc::sdp::direction::recvonly);
    const auto* a_section = section(answer, *offer.media[1].mid);
    ASSERT_NE(a_section, nullptr);
    EXPECT_EQ(a_section->dir, rtc::sdp::direction::sendonly);
    ASSERT_FALSE(a_section->ssrcs.empty());
    EXPECT_EQ(a_section->ssrcs.front().ssrc, leg);
    EXPECT_EQ(rtc::sdp::ice_ufrag_of(answer, answer.media.front()),
              rtc::sdp::ice_ufrag_of(offer, offer.media.front()));
    EXPECT_EQ(rtc::sdp::setup_of(answer, answer.media.front()), "passive");
    EXPECT_GT(answer.session_version, offer.session_version);

    // The transport was kept: b's existing SRTP keys still decrypt a's
    // packets (a new DTLS association would have changed them) and the
    // sequence continues without a jump.
    const auto before = b.media_from(leg);
    ASSERT_TRUE(media_keeps_flowing(*this, 5));
    const auto after = b.media_from(leg);
    EXPECT_EQ(static_cast<std::uint16_t>(after[before.size()].sequence),
              static_cast<std::uint16_t>(before.back().sequence + 1));
    EXPECT_EQ(server.snapshot().connected, 2u);
    EXPECT_FALSE(b.ended.has_value());
}

TEST_F(client_offer, ice_restart_gets_new_server_credentials_and_media_continues) {
    const std::string old_sfu_ufrag = b.sfu_ufrag();
    b.send_offer(true);
    ASSERT_TRUE(test_peer::wait_all({&a, &b}, [&] { return !b.answers.empty(); }));
    EXPECT_EQ(b.count("error"), 0u);
    const auto& answer = b.answers.back();
    const auto new_ufrag = rtc::sdp::ice_ufrag_of(answer, answer.media.front());
    ASSERT_TRUE(new_ufrag.has_value());
    EXPECT_NE(*new_ufrag, old_sfu_ufrag);  // RFC 8839: the answerer restarts too
    EXPECT_EQ(b.sfu_ufrag(), *new_ufrag);

    // Checks with the new credentials on both sides succeed …
    const auto tid = b.send_check();
    ASSERT_TRUE(b.wait_for([&] {
        return std::find(b.stun_success.begin(), b.stun_success.end(), tid) != b.stun_success.end();
    }));
    // … and the media path was not torn down.
    ASSERT_TRUE(media_keeps_flowing(*this, 5));
    EXPECT_EQ(server.snapshot().connected, 2u);
}

TEST_F(client_offer, offer_that_does_not_keep_the_sections_is_refused) {
    // One section where the session has two.
    std::string sdp =
        "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
        "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\n"
        "a=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuvwx\r\n"
        "a=fingerprint:sha-256 AA:BB\r\na=setup:actpass\r\na=sendonly\r\n"
        "a=rtpmap:111 opus/48000/2\r\n";
    b.handle->on_offer(sdp);
    ASSERT_TRUE(b.wait_for([&] { return b.last("error") != nullptr; }));
    EXPECT_EQ(b.last("error")->d.at("code").as_string(), "bad_offer");
    EXPECT_TRUE(b.answers.empty());
    // Nothing changed for the call.
    ASSERT_TRUE(media_keeps_flowing(*this, 3));

    // Not SDP at all.
    b.handle->on_offer("hello");
    ASSERT_TRUE(b.wait_for([&] { return b.count("error") == 2; }));
    EXPECT_EQ(b.last("error")->d.at("code").as_string(), "bad_offer");
    EXPECT_FALSE(b.ended.has_value());
}

}  // namespace
}  // namespace driftway::voice

namespace driftway::voice {
namespace {

// Consent freshness (RFC 7675) applies to a working address: a peer still
// waiting for its first answer (a big channel renegotiating) is bounded by
// the connect timeout, not ended for lack of consent.
TEST(sfu_consent, not_counted_before_ice_found_an_address) {
    auto o = testing::connected_pair::options_for_tests();
    o.consent_timeout = std::chrono::milliseconds(200);
    o.connect_timeout = std::chrono::seconds(30);
    sfu server{o};
    test_peer::options manual;
    manual.auto_answer = false;
    test_peer a{server, 7200, 1, manual};
    ASSERT_TRUE(a.wait_for([&] { return !a.offers.empty(); }));
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(800);
    EXPECT_FALSE(a.wait_for([&] { return a.ended.has_value(); }, std::chrono::milliseconds(800)))
        << "ended as " << to_string(a.ended.value_or(end_reason::left));
    EXPECT_GE(std::chrono::steady_clock::now(), until);
    EXPECT_EQ(server.snapshot().peers, 1u);
}

}  // namespace
}  // namespace driftway::voice
