#include "driftway/auth/voice_token.hpp"

#include "driftway/auth/crypto.hpp"

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace driftway::auth {
namespace {

constexpr std::int64_t now = 1'800'000'000;

voice_grant sample_grant() {
    voice_grant g;
    g.user_id = 1234567890123456789ull;
    g.channel_id = 987654321987654321ull;
    g.space_id = 555555555555555555ull;
    g.perms = perm::view_channel | perm::connect | perm::speak | (1ull << 63);
    g.expires_at = now + 60;
    g.server_mute = true;
    return g;
}

struct parts {
    std::string header, payload, signature;
};

parts split(const std::string& token) {
    const auto a = token.find('.');
    const auto b = token.find('.', a + 1);
    return {token.substr(0, a), token.substr(a + 1, b - a - 1), token.substr(b + 1)};
}

class VoiceToken : public ::testing::Test {
protected:
    jwt_signer signer_ = jwt_signer::generate();
    jwt_verifier verifier_{{signer_.public_key()}};
};

TEST_F(VoiceToken, RoundTripKeepsEveryClaim) {
    const auto g = sample_grant();
    const auto r = verify_voice_token(verifier_, sign_voice_token(signer_, g), now);
    ASSERT_TRUE(r.has_value()) << r.error().message;
    EXPECT_EQ(r->user_id, g.user_id);
    EXPECT_EQ(r->channel_id, g.channel_id);
    EXPECT_EQ(r->space_id, g.space_id);
    EXPECT_EQ(r->perms, g.perms);  // all 64 bits, through a decimal string
    EXPECT_EQ(r->expires_at, g.expires_at);
    EXPECT_TRUE(r->server_mute);
    EXPECT_FALSE(r->server_deaf);
}

TEST_F(VoiceToken, ClaimsAreStringsAndAudienceIsVoice) {
    const auto p = split(sign_voice_token(signer_, sample_grant()));
    const auto claims = boost::json::parse(*base64url_decode(p.payload)).as_object();
    EXPECT_EQ(claims.at("aud"), "voice");
    EXPECT_EQ(claims.at("sub"), "1234567890123456789");
    EXPECT_EQ(claims.at("channel"), "987654321987654321");
    EXPECT_EQ(claims.at("space"), "555555555555555555");
    EXPECT_TRUE(claims.at("perms").is_string());
    EXPECT_EQ(claims.at("mute"), true);
    EXPECT_EQ(claims.at("deaf"), false);
}

TEST_F(VoiceToken, DmCallHasSpaceZero) {
    auto g = sample_grant();
    g.space_id = 0;
    const auto r = verify_voice_token(verifier_, sign_voice_token(signer_, g), now);
    ASSERT_TRUE(r.has_value()) << r.error().message;
    EXPECT_EQ(r->space_id, 0u);
}

TEST_F(VoiceToken, ExpiresAtExp) {
    const auto token = sign_voice_token(signer_, sample_grant());
    EXPECT_TRUE(verify_voice_token(verifier_, token, now + 59).has_value());
    const auto r = verify_voice_token(verifier_, token, now + 60);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, "token_expired");
    EXPECT_EQ(r.error().status, 401);
}

TEST_F(VoiceToken, AccessTokensAndVoiceTokensAreNotInterchangeable) {
    // An access token is not a voice token…
    const auto access = signer_.sign({42, now, now + 900, "jti"});
    ASSERT_TRUE(verifier_.verify(access, now).ok);
    const auto r = verify_voice_token(verifier_, access, now);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, "invalid_token");
    // …and a voice token is not an access token.
    const auto voice = sign_voice_token(signer_, sample_grant());
    const auto o = verifier_.verify(voice, now);
    EXPECT_FALSE(o.ok);
    EXPECT_EQ(o.failure, jwt_failure::wrong_audience);
    // Nor is a token for some other audience a voice token.
    boost::json::object other{{"aud", "files"}, {"sub", "42"},     {"channel", "7"},
                              {"space", "8"},   {"perms", "1024"}, {"exp", now + 60}};
    EXPECT_FALSE(verify_voice_token(verifier_, signer_.sign_payload(other), now).has_value());
    other["aud"] = "voice";  // the same claims with the right audience pass: the test is honest
    EXPECT_TRUE(verify_voice_token(verifier_, signer_.sign_payload(other), now).has_value());
}

TEST_F(VoiceToken, TamperedOrForeignTokensAreRefused) {
    const auto token = sign_voice_token(signer_, sample_grant());
    auto p = split(token);
    // Move the grant to another channel without re-signing.
    auto claims = boost::json::parse(*base64url_decode(p.payload)).as_object();
    claims["channel"] = "111111111111111111";
    const auto forged =
        p.header + "." + base64url_encode(boost::json::serialize(claims)) + "." + p.signature;
    auto r = verify_voice_token(verifier_, forged, now);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, "invalid_token");

    // Signed by another instance's key.
    const auto other = jwt_signer::generate();
    EXPECT_FALSE(verify_voice_token(verifier_, sign_voice_token(other, sample_grant()), now));

    // Garbage of every shape never throws.
    const std::string prefix = token.substr(0, 20);
    for (std::string_view junk :
         {std::string_view(""), std::string_view("."), std::string_view(".."),
          std::string_view("a.b.c"), std::string_view("x.y"), std::string_view(prefix)})
        EXPECT_FALSE(verify_voice_token(verifier_, junk, now).has_value()) << junk;

    // Claims of the wrong types.
    boost::json::object bad{{"aud", "voice"}, {"sub", "42"},     {"channel", 7},
                            {"space", "8"},   {"perms", "1024"}, {"exp", now + 60}};
    EXPECT_FALSE(verify_voice_token(verifier_, signer_.sign_payload(bad), now).has_value());
    bad["channel"] = "7";
    bad["perms"] = "-1";
    EXPECT_FALSE(verify_voice_token(verifier_, signer_.sign_payload(bad), now).has_value());
    bad["perms"] = "18446744073709551616";  // 2^64
    EXPECT_FALSE(verify_voice_token(verifier_, signer_.sign_payload(bad), now).has_value());
}

TEST(TurnCredentials, CoturnRestApiScheme) {
    // Expected credential computed independently with OpenSSL's command line:
    //   printf '%s' '1767312000:123' | openssl dgst -sha1 -hmac 'north-wind' -binary | base64
    const std::int64_t issued = 1767312000 - 86400;
    const auto c = make_turn_credentials("north-wind", {"turn:127.0.0.1:3478?transport=udp"}, 123,
                                         86400, issued);
    EXPECT_EQ(c.username, "1767312000:123");
    EXPECT_EQ(c.credential, "mrOasD4q9ev/xDB0Hc72YIMi9ks=");
    EXPECT_EQ(c.ttl, 86400);
    EXPECT_EQ(c.urls, (std::vector<std::string>{"turn:127.0.0.1:3478?transport=udp"}));
    // Another secret gives another credential.
    EXPECT_NE(make_turn_credentials("south-wind", {}, 123, 86400, issued).credential, c.credential);
}

}  // namespace
}  // namespace driftway::auth
