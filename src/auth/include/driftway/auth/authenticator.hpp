#pragma once
// Turns a request's credentials (Authorization: Bearer <jwt> or X-API-Key)
// into a principal. Verified access tokens are remembered until they expire
// so an Ed25519 verification is paid once per token, not once per request;
// API keys are remembered briefly and forgotten at once when revoked here.
#include "driftway/auth/jwt.hpp"
#include "driftway/auth/principal.hpp"
#include "driftway/core/error.hpp"
#include "driftway/net/http.hpp"
#include "driftway/store/repositories.hpp"

#include <boost/asio/awaitable.hpp>

#include <memory>
#include <string>

namespace driftway::auth {

class authenticator {
public:
    authenticator(const jwt_verifier& verifier, store::api_key_repository& keys);
    ~authenticator();

    // 401 unauthorized / invalid_token / token_expired / invalid_api_key.
    // Runs on the caller's shard; storage is reached only for an API key
    // not seen in the last minute.
    boost::asio::awaitable<result<principal>> authenticate(const net::request& req);

    // Verifies an access token alone (the gateway's identify uses this too).
    result<principal> verify_access_token(std::string_view token);

    // Called when a key is revoked so it stops working at once.
    void forget_api_key(const std::string& key_hash);

private:
    struct cache;
    const jwt_verifier& verifier_;
    store::api_key_repository& keys_;
    std::unique_ptr<cache> cache_;
};

// "dw_" + 43 base64url characters (32 random bytes).
std::string make_api_key_secret();
bool looks_like_api_key(std::string_view text) noexcept;

}  // namespace driftway::auth
