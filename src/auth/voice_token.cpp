#include "driftway/auth/voice_token.hpp"

#include "driftway/core/json.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>

namespace driftway::auth {

namespace {

constexpr std::string_view audience = "voice";

std::optional<std::int64_t> integer_of(const boost::json::value* v) {
    if (!v) return std::nullopt;
    if (v->is_int64()) return v->get_int64();
    if (v->is_uint64() && v->get_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
        return static_cast<std::int64_t>(v->get_uint64());
    return std::nullopt;
}

std::optional<std::uint64_t> id_of(const boost::json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    if (!v || !v->is_string()) return std::nullopt;
    return json::parse_id(v->get_string());
}

// The 64-bit permission set as a decimal string (0 is a valid value, unlike an id).
std::optional<std::uint64_t> uint_string_of(const boost::json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    if (!v || !v->is_string()) return std::nullopt;
    const auto& s = v->get_string();
    if (s.empty() || s.size() > 20) return std::nullopt;
    std::uint64_t out = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return std::nullopt;
        const auto digit = static_cast<std::uint64_t>(c - '0');
        if (out > (UINT64_MAX - digit) / 10) return std::nullopt;
        out = out * 10 + digit;
    }
    return out;
}

bool bool_of(const boost::json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    return v && v->is_bool() && v->get_bool();
}

error invalid() {
    return error::unauthorized("invalid_token", "the voice token is not valid");
}

}  // namespace

std::string sign_voice_token(const jwt_signer& signer, const voice_grant& g) {
    boost::json::object claims;
    claims["aud"] = audience;
    claims["sub"] = json::id_string(g.user_id);
    claims["channel"] = json::id_string(g.channel_id);
    claims["space"] = std::to_string(g.space_id);
    claims["perms"] = std::to_string(g.perms);
    claims["mute"] = g.server_mute;
    claims["deaf"] = g.server_deaf;
    // Issued "now" by the grant's own clock: the token lives until expires_at.
    claims["exp"] = g.expires_at;
    return signer.sign_payload(claims);
}

result<voice_grant> verify_voice_token(const jwt_verifier& verifier, std::string_view token,
                                       std::int64_t now_unix) {
    auto checked = verifier.verify_signature(token);
    if (!checked.ok) return invalid();
    const auto& c = checked.claims;
    // Only tokens minted for voice: an access token (no aud) is refused.
    const auto* aud = c.if_contains("aud");
    if (!aud || !aud->is_string() || aud->get_string() != audience) return invalid();
    voice_grant g;
    const auto user = id_of(c, "sub");
    const auto channel = id_of(c, "channel");
    const auto space = uint_string_of(c, "space");  // "0" for a DM call
    const auto perms = uint_string_of(c, "perms");
    const auto exp = integer_of(c.if_contains("exp"));
    if (!user || !channel || !space || !perms || !exp) return invalid();
    if (*exp <= now_unix)
        return error::unauthorized("token_expired", "the voice token has expired");
    g.user_id = *user;
    g.channel_id = *channel;
    g.space_id = *space;
    g.perms = *perms;
    g.expires_at = *exp;
    g.server_mute = bool_of(c, "mute");
    g.server_deaf = bool_of(c, "deaf");
    return g;
}

turn_credentials make_turn_credentials(std::string_view secret, std::vector<std::string> urls,
                                       std::uint64_t user_id, std::int64_t ttl_seconds,
                                       std::int64_t now_unix) {
    turn_credentials out;
    out.urls = std::move(urls);
    out.ttl = ttl_seconds;
    out.username = std::to_string(now_unix + ttl_seconds) + ":" + std::to_string(user_id);
    std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
    unsigned int mac_len = 0;
    HMAC(EVP_sha1(), secret.data(), static_cast<int>(secret.size()),
         reinterpret_cast<const unsigned char*>(out.username.data()), out.username.size(),
         mac.data(), &mac_len);
    // coturn decodes standard base64 with padding (RFC 4648 §4), not base64url.
    std::array<unsigned char, 4 * ((EVP_MAX_MD_SIZE + 2) / 3) + 1> b64{};
    const int n = EVP_EncodeBlock(b64.data(), mac.data(), static_cast<int>(mac_len));
    out.credential.assign(reinterpret_cast<const char*>(b64.data()), static_cast<std::size_t>(n));
    return out;
}

}  // namespace driftway::auth
