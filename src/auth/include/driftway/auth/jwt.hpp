#pragma once
// Access tokens: compact JWS (RFC 7515) signed with Ed25519 (RFC 8037,
// "alg":"EdDSA"), header {"alg":"EdDSA","typ":"JWT","kid":…}, claims
// {"sub": user id string, "iat", "exp", "jti"}. Any service verifies them
// with the public key alone; any other alg (including "none") is rejected.
#include "driftway/core/error.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace driftway::auth {

struct access_claims {
    std::uint64_t user_id = 0;
    std::int64_t issued_at = 0;   // Unix seconds
    std::int64_t expires_at = 0;  // Unix seconds
    std::string token_id;         // jti
};

struct ed25519_public_key {
    std::string kid;
    std::string bytes;  // 32 raw bytes
};

class jwt_signer {
public:
    // Reads the 64-byte secret key (libsodium layout) from path, or creates it
    // (mode 0600, parent directories too) when the file does not exist.
    static jwt_signer load_or_create(const std::string& path);
    // A fresh in-memory key, for tests.
    static jwt_signer generate();

    std::string sign(const access_claims& claims) const;
    // Any claims set (voice tokens: aud "voice" and their own claims). The
    // header is the same as an access token's.
    std::string sign_payload(const boost::json::object& claims) const;
    const ed25519_public_key& public_key() const noexcept { return public_; }

private:
    std::string secret_;  // 64 bytes
    ed25519_public_key public_;
};

enum class jwt_failure {
    malformed,
    unsupported_alg,
    unknown_key,
    bad_signature,
    expired,
    not_yet_valid,
    wrong_audience  // e.g. a voice token (aud "voice") offered as an access token
};

// Thread-safe after construction.
class jwt_verifier {
public:
    explicit jwt_verifier(std::vector<ed25519_public_key> keys);

    struct outcome {
        bool ok = false;
        jwt_failure failure = jwt_failure::malformed;
        access_claims claims;
    };
    // An access token: no "aud" claim (tokens for other audiences are refused).
    outcome verify(std::string_view token, std::int64_t now_seconds) const noexcept;

    // Only the signature, algorithm and key; the caller checks the claims
    // (time, audience) of its own kind of token.
    struct signed_outcome {
        bool ok = false;
        jwt_failure failure = jwt_failure::malformed;
        boost::json::object claims;
    };
    signed_outcome verify_signature(std::string_view token) const noexcept;

    // {"keys":[{"kty":"OKP","crv":"Ed25519","alg":"EdDSA","use":"sig","kid":…,"x":…}]}
    boost::json::value jwks() const;

private:
    std::map<std::string, std::string, std::less<>> keys_;  // kid -> raw public key
};

// kid = base64url of the first 12 bytes of SHA-256(public key).
std::string key_id_for(std::string_view public_key_bytes);

}  // namespace driftway::auth
