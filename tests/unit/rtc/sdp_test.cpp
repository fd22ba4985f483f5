// SDP: a Chrome 120 audio offer and an aiortc 1.4 answer parse into the
// fields the SFU reads and survive serialize → parse; bad input fails with
// the line number.
#include "driftway/rtc/sdp.hpp"

#include <gtest/gtest.h>

#include <string>

namespace driftway::rtc::sdp {
namespace {

// As Chrome 120 writes an audio-only offer (one transceiver, trickle ICE
// with one host candidate gathered).
const std::string chrome_offer =
    "v=0\r\n"
    "o=- 4611731400430051336 2 IN IP4 127.0.0.1\r\n"
    "s=-\r\n"
    "t=0 0\r\n"
    "a=group:BUNDLE 0\r\n"
    "a=extmap-allow-mixed\r\n"
    "a=msid-semantic: WMS 5f1b1e0a-3c4d-4b1e-9c1e-8f2a3b4c5d6e\r\n"
    "m=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126\r\n"
    "c=IN IP4 0.0.0.0\r\n"
    "a=rtcp:9 IN IP4 0.0.0.0\r\n"
    "a=candidate:1467250027 1 udp 2122260223 127.0.0.1 46243 typ host generation 0 "
    "network-id 1\r\n"
    "a=ice-ufrag:Qs8A\r\n"
    "a=ice-pwd:HPz+uH6Q0YIbWcQPVOL1Aqk/\r\n"
    "a=ice-options:trickle\r\n"
    "a=fingerprint:sha-256 "
    "7B:8B:F0:65:5F:78:E2:51:3B:AC:6F:F3:3F:46:1B:35:DC:B8:5F:64:1A:24:C2:43:F0:A1:58:D0:A1:2C:"
    "19:08\r\n"
    "a=setup:actpass\r\n"
    "a=mid:0\r\n"
    "a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level\r\n"
    "a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time\r\n"
    "a=extmap:3 "
    "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01\r\n"
    "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid\r\n"
    "a=sendrecv\r\n"
    "a=msid:5f1b1e0a-3c4d-4b1e-9c1e-8f2a3b4c5d6e 0c1d2e3f-4a5b-6c7d-8e9f-a0b1c2d3e4f5\r\n"
    "a=rtcp-mux\r\n"
    "a=rtcp-rsize\r\n"
    "a=rtpmap:111 opus/48000/2\r\n"
    "a=rtcp-fb:111 transport-cc\r\n"
    "a=fmtp:111 minptime=10;useinbandfec=1\r\n"
    "a=rtpmap:63 red/48000/2\r\n"
    "a=fmtp:63 111/111\r\n"
    "a=rtpmap:9 G722/8000\r\n"
    "a=rtpmap:0 PCMU/8000\r\n"
    "a=rtpmap:8 PCMA/8000\r\n"
    "a=rtpmap:13 CN/8000\r\n"
    "a=rtpmap:110 telephone-event/48000\r\n"
    "a=rtpmap:126 telephone-event/8000\r\n"
    "a=ssrc:3735928559 cname:VmQ3e3KsbWt7Yx2N\r\n"
    "a=ssrc:3735928559 msid:5f1b1e0a-3c4d-4b1e-9c1e-8f2a3b4c5d6e "
    "0c1d2e3f-4a5b-6c7d-8e9f-a0b1c2d3e4f5\r\n";

// As aiortc 1.4 answers (LF-only line ends are accepted too: tested below).
const std::string aiortc_answer =
    "v=0\r\n"
    "o=- 3912345678 3912345678 IN IP4 0.0.0.0\r\n"
    "s=-\r\n"
    "t=0 0\r\n"
    "a=group:BUNDLE 0\r\n"
    "a=msid-semantic:WMS *\r\n"
    "m=audio 41234 UDP/TLS/RTP/SAVPF 111 0 8\r\n"
    "c=IN IP4 127.0.0.1\r\n"
    "a=sendonly\r\n"
    "a=extmap:1 urn:ietf:params:rtp-hdrext:sdes:mid\r\n"
    "a=extmap:2 urn:ietf:params:rtp-hdrext:ssrc-audio-level\r\n"
    "a=mid:0\r\n"
    "a=msid:9a8b7c6d-1111-2222-3333-444455556666 0f0e0d0c-7777-8888-9999-aaaabbbbcccc\r\n"
    "a=rtcp:9 IN IP4 0.0.0.0\r\n"
    "a=rtcp-mux\r\n"
    "a=ssrc:1122334455 cname:0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9\r\n"
    "a=rtpmap:111 opus/48000/2\r\n"
    "a=rtpmap:0 PCMU/8000\r\n"
    "a=rtpmap:8 PCMA/8000\r\n"
    "a=candidate:8a2d6f1b3c4e5f60718293a4b5c6d7e8 1 udp 2130706431 127.0.0.1 41234 typ host\r\n"
    "a=end-of-candidates\r\n"
    "a=ice-ufrag:Zb3x\r\n"
    "a=ice-pwd:qKp0dE7r4Rk8sL2mN9vB6c\r\n"
    "a=fingerprint:sha-256 "
    "0A:1B:2C:3D:4E:5F:60:71:82:93:A4:B5:C6:D7:E8:F9:0A:1B:2C:3D:4E:5F:60:71:82:93:A4:B5:C6:"
    "D7:E8:F9\r\n"
    "a=setup:active\r\n";

session_description must_parse(const std::string& text) {
    auto r = parse(text);
    EXPECT_TRUE(r.description) << "line " << r.error.line << ": " << r.error.reason;
    return r.description.value_or(session_description{});
}

TEST(Sdp, ParsesChromeOffer) {
    const auto d = must_parse(chrome_offer);
    EXPECT_EQ(d.session_id, 4611731400430051336u);
    EXPECT_EQ(d.session_version, 2u);
    EXPECT_EQ(d.origin_address, "IN IP4 127.0.0.1");
    EXPECT_FALSE(d.ice_lite);
    EXPECT_EQ(d.bundle(), std::vector<std::string>{"0"});
    EXPECT_EQ(d.msid_semantics,
              (std::vector<std::string>{"WMS", "5f1b1e0a-3c4d-4b1e-9c1e-8f2a3b4c5d6e"}));
    EXPECT_EQ(d.other, std::vector<std::string>{"extmap-allow-mixed"});
    ASSERT_EQ(d.media.size(), 1u);
    const auto& m = d.media[0];
    EXPECT_EQ(m.kind, "audio");
    EXPECT_EQ(m.port, 9);
    EXPECT_EQ(m.formats.size(), 8u);
    EXPECT_EQ(m.mid, "0");
    EXPECT_EQ(ice_ufrag_of(d, m), "Qs8A");
    EXPECT_EQ(ice_pwd_of(d, m), "HPz+uH6Q0YIbWcQPVOL1Aqk/");
    EXPECT_EQ(m.ice_options, std::vector<std::string>{"trickle"});
    ASSERT_TRUE(fingerprint_of(d, m));
    EXPECT_EQ(fingerprint_of(d, m)->algorithm, "sha-256");
    EXPECT_EQ(fingerprint_of(d, m)->value.size(), 95u);
    EXPECT_EQ(setup_of(d, m), "actpass");
    EXPECT_EQ(m.dir, direction::sendrecv);
    EXPECT_TRUE(m.rtcp_mux);
    EXPECT_TRUE(m.rtcp_rsize);
    const rtpmap* opus = m.find_codec("OPUS", 48000);
    ASSERT_NE(opus, nullptr);
    EXPECT_EQ(opus->payload_type, 111);
    EXPECT_EQ(opus->channels, 2);
    EXPECT_EQ(m.find_codec("G722", 8000)->channels, 0);
    EXPECT_EQ(m.fmtps[0], (fmtp{111, "minptime=10;useinbandfec=1"}));
    ASSERT_EQ(m.rtcp_fbs.size(), 1u);
    EXPECT_EQ(m.rtcp_fbs[0], (std::pair<int, std::string>{111, "transport-cc"}));
    ASSERT_NE(m.find_extmap(audio_level_uri), nullptr);
    EXPECT_EQ(m.find_extmap(audio_level_uri)->id, 1);
    EXPECT_EQ(m.find_extmap(mid_uri)->id, 4);
    ASSERT_EQ(m.ssrcs.size(), 2u);
    EXPECT_EQ(m.ssrcs[0], (ssrc_attribute{3735928559u, "cname", "VmQ3e3KsbWt7Yx2N"}));
    EXPECT_EQ(m.ssrcs[1].attribute, "msid");
    EXPECT_TRUE(m.msid);
    ASSERT_EQ(m.candidates.size(), 1u);
    EXPECT_EQ(m.candidates[0].rfind("1467250027 1 udp", 0), 0u);
    EXPECT_FALSE(m.end_of_candidates);
    EXPECT_EQ(m.other, std::vector<std::string>{"rtcp:9 IN IP4 0.0.0.0"});
}

TEST(Sdp, ChromeOfferRoundTrips) {
    const auto d = must_parse(chrome_offer);
    const std::string text = serialize(d);
    const auto again = must_parse(text);
    EXPECT_EQ(again, d);
    EXPECT_EQ(serialize(again), text);
    // JSEP's order inside the media section.
    const auto at = [&](std::string_view s) { return text.find(s); };
    EXPECT_EQ(
        text.rfind("v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n", 0), 0u);
    EXPECT_LT(at("a=group:BUNDLE 0"), at("a=msid-semantic:WMS"));
    EXPECT_LT(
        at("m=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126\r\nc=IN IP4 0.0.0.0\r\na=mid:0"),
        at("a=ice-ufrag:Qs8A"));
    EXPECT_LT(at("a=ice-ufrag"), at("a=ice-pwd"));
    EXPECT_LT(at("a=ice-pwd"), at("a=ice-options:trickle"));
    EXPECT_LT(at("a=ice-options"), at("a=fingerprint:sha-256 7B:8B"));
    EXPECT_LT(at("a=fingerprint"), at("a=setup:actpass"));
    EXPECT_LT(at("a=setup"), at("a=sendrecv"));
    EXPECT_LT(at("a=sendrecv"), at("a=rtcp-mux\r\na=rtcp-rsize\r\na=rtpmap:111 opus/48000/2\r\n"
                                   "a=fmtp:111 minptime=10;useinbandfec=1\r\n"
                                   "a=rtcp-fb:111 transport-cc\r\na=rtpmap:63"));
    EXPECT_LT(at("a=rtpmap:126"), at("a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level"));
    EXPECT_LT(at("a=extmap:4"), at("a=msid:"));
    EXPECT_LT(at("a=msid:"), at("a=ssrc:3735928559 cname:"));
    EXPECT_LT(at("a=ssrc:3735928559 msid"), at("a=candidate:1467250027"));
    EXPECT_LT(at("a=candidate"), at("a=rtcp:9"));
    EXPECT_EQ(text.find('\n') - 1, text.find('\r'));  // CRLF
}

TEST(Sdp, AiortcAnswerRoundTrips) {
    const auto d = must_parse(aiortc_answer);
    ASSERT_EQ(d.media.size(), 1u);
    const auto& m = d.media[0];
    EXPECT_EQ(m.port, 41234);
    EXPECT_EQ(m.connection, "IN IP4 127.0.0.1");
    EXPECT_EQ(m.dir, direction::sendonly);
    EXPECT_EQ(reverse(m.dir), direction::recvonly);
    EXPECT_EQ(m.find_extmap(audio_level_uri)->id, 2);
    EXPECT_TRUE(m.end_of_candidates);
    EXPECT_EQ(setup_of(d, m), "active");
    EXPECT_EQ(d.msid_semantics, (std::vector<std::string>{"WMS", "*"}));
    EXPECT_FALSE(m.rtcp_rsize);
    EXPECT_EQ(must_parse(serialize(d)), d);
}

TEST(Sdp, LfLineEndsAndSessionLevelCredentials) {
    const std::string text =
        "v=0\no=alice 1 1 IN IP4 10.0.0.1\ns=x\nt=0 0\na=ice-lite\na=ice-ufrag:u\na=ice-pwd:p\n"
        "a=fingerprint:sha-256 AB:CD\na=setup:passive\n"
        "m=audio 9 UDP/TLS/RTP/SAVPF 111\nc=IN IP4 0.0.0.0\na=recvonly\na=rtpmap:111 opus/48000/2\n"
        "a=rtcp-fb:* nack\na=extmap:3/sendonly urn:x\nm=audio 0 UDP/TLS/RTP/SAVPF 0\na=inactive\n";
    const auto d = must_parse(text);
    EXPECT_TRUE(d.ice_lite);
    EXPECT_EQ(d.origin_username, "alice");
    EXPECT_EQ(d.session_name, "x");
    ASSERT_EQ(d.media.size(), 2u);
    EXPECT_EQ(ice_ufrag_of(d, d.media[0]), "u");
    EXPECT_EQ(ice_pwd_of(d, d.media[0]), "p");
    EXPECT_EQ(fingerprint_of(d, d.media[0])->value, "AB:CD");
    EXPECT_EQ(setup_of(d, d.media[0]), "passive");
    EXPECT_EQ(d.media[0].dir, direction::recvonly);
    EXPECT_EQ(d.media[0].rtcp_fbs[0], (std::pair<int, std::string>{-1, "nack"}));
    EXPECT_EQ(d.media[0].other, std::vector<std::string>{"extmap:3/sendonly urn:x"});
    EXPECT_EQ(d.media[1].port, 0);
    EXPECT_EQ(d.media[1].dir, direction::inactive);
    const std::string out = serialize(d);
    EXPECT_NE(out.find("a=ice-lite\r\n"), std::string::npos);
    EXPECT_NE(out.find("a=rtcp-fb:* nack\r\n"), std::string::npos);
    EXPECT_EQ(must_parse(out), d);
}

TEST(Sdp, UnknownAttributesKeepTheirOrder) {
    const auto d = must_parse(
        "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\nm=audio 9 RTP/AVP 0\r\n"
        "a=zeta:1\r\na=alpha\r\na=mid:a\r\na=middle:2 3\r\n");
    EXPECT_EQ(d.media[0].other, (std::vector<std::string>{"zeta:1", "alpha", "middle:2 3"}));
    EXPECT_EQ(must_parse(serialize(d)).media[0].other, d.media[0].other);
}

TEST(Sdp, BadInputReportsTheLine) {
    struct bad_case {
        std::string text;
        std::size_t line;
    };
    const std::string head = "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n";
    const bad_case cases[] = {
        {"", 0},
        {"o=- 1 1 IN IP4 0.0.0.0\r\n", 1},
        {"v=1\r\n", 1},
        {"v=0\r\no=- x 1 IN IP4 0.0.0.0\r\n", 2},
        {"v=0\r\no=- 1 1 IN\r\n", 2},
        {head + "m=audio\r\n", 5},
        {head + "m=audio 9 RTP/AVP\r\n", 5},
        {head + "m=audio nine RTP/AVP 0\r\n", 5},
        {head + "m=audio 70000 RTP/AVP 0\r\n", 5},
        {head + "m=audio 9 RTP/AVP 0\r\nnot a line\r\n", 6},
        {head + "m=audio 9 RTP/AVP 0\r\na=rtpmap:x opus/48000\r\n", 6},
        {head + "m=audio 9 RTP/AVP 0\r\na=rtpmap:111 opus\r\n", 6},
        {head + "m=audio 9 RTP/AVP 0\r\na=rtpmap:111 opus/fast\r\n", 6},
        {head + "m=audio 9 RTP/AVP 0\r\na=ssrc:-1 cname:x\r\n", 6},
        {head + "m=audio 9 RTP/AVP 0\r\na=ssrc:99999999999 cname:x\r\n", 6},
        {head + "m=audio 9 RTP/AVP 0\r\na=extmap:0 urn:x\r\n", 6},
        {head + "a=fingerprint:sha-256\r\n", 5},
    };
    for (const auto& c : cases) {
        const auto r = parse(c.text);
        EXPECT_FALSE(r.description) << c.text;
        EXPECT_EQ(r.error.line, c.line) << c.text << " -> " << r.error.reason;
        EXPECT_FALSE(r.error.reason.empty());
    }
}

TEST(Sdp, Limits) {
    std::string many = "v=0\r\n";
    for (int i = 0; i < 65; ++i) many += "m=audio 9 RTP/AVP 0\r\n";
    const auto r = parse(many);
    EXPECT_FALSE(r.description);
    EXPECT_EQ(r.error.line, 66u);
    const auto big = parse("v=0\r\n" + std::string(64 * 1024, 'a'));
    EXPECT_FALSE(big.description);
    std::string exactly64 = "v=0\r\n";
    for (int i = 0; i < 64; ++i) exactly64 += "m=audio 9 RTP/AVP 0\r\n";
    EXPECT_TRUE(parse(exactly64).description);
}

TEST(Sdp, DirectionStrings) {
    EXPECT_EQ(to_string(direction::sendrecv), "sendrecv");
    EXPECT_EQ(to_string(direction::inactive), "inactive");
    EXPECT_EQ(reverse(direction::sendrecv), direction::sendrecv);
    EXPECT_EQ(reverse(direction::inactive), direction::inactive);
    EXPECT_EQ(reverse(direction::recvonly), direction::sendonly);
}

}  // namespace
}  // namespace driftway::rtc::sdp
