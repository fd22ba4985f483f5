#pragma once
// Voice tokens and TURN credentials (docs/voice.md).
//
// A voice token admits one user to one voice channel for a short time. It is
// an Ed25519 JWT from the instance key, like an access token, but with
// aud "voice": the voice signaling endpoint accepts only those, and the REST
// authenticator refuses them (jwt_verifier::verify rejects any "aud"). Its
// claims: sub (user), channel, space, perms (the caller's permissions in the
// channel, decimal string: 64-bit values do not survive JavaScript numbers),
// mute/deaf (the member's server mute and deafen at join), iat, exp.
#include "driftway/auth/jwt.hpp"
#include "driftway/auth/permissions.hpp"
#include "driftway/core/error.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace driftway::auth {

struct voice_grant {
    std::uint64_t user_id = 0, channel_id = 0, space_id = 0;
    permission_set perms = 0;
    std::int64_t expires_at = 0;  // unix seconds
    bool server_mute = false, server_deaf = false;
};

std::string sign_voice_token(const jwt_signer&, const voice_grant&);
// 401 invalid_token (bad, tampered, other audience) or token_expired.
result<voice_grant> verify_voice_token(const jwt_verifier&, std::string_view token,
                                       std::int64_t now_unix);

// The TURN REST API scheme of coturn's use-auth-secret
// (draft-uberti-behave-turn-rest-00): username "<expiry unix>:<user id>",
// credential base64(HMAC-SHA1(secret, username)).
struct turn_credentials {
    std::vector<std::string> urls;
    std::string username, credential;
    std::int64_t ttl = 0;
};
turn_credentials make_turn_credentials(std::string_view secret, std::vector<std::string> urls,
                                       std::uint64_t user_id, std::int64_t ttl_seconds,
                                       std::int64_t now_unix);

}  // namespace driftway::auth
