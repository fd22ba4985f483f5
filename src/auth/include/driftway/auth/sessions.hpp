#pragma once
// Login sessions: a short-lived access token plus an opaque refresh token.
// Refresh tokens are stored hashed, rotated on every use, and grouped in a
// family per login; presenting a spent one means it leaked, so the whole
// family is revoked (OAuth 2.0 Security BCP, refresh token rotation).
#include "driftway/auth/jwt.hpp"
#include "driftway/core/error.hpp"
#include "driftway/store/repositories.hpp"

#include <boost/asio/awaitable.hpp>

#include <string>

namespace driftway::auth {

struct token_pair {
    std::string access_token;
    std::string refresh_token;
    unsigned expires_in = 0;  // seconds, of the access token
};

class session_service {
public:
    session_service(const jwt_signer& signer, store::refresh_token_repository& tokens,
                    unsigned access_ttl_seconds, unsigned refresh_ttl_seconds);

    std::string access_token_for(std::uint64_t user_id) const;

    // A new session (new family) for a user who just proved who they are.
    boost::asio::awaitable<token_pair> start(std::uint64_t user_id);

    struct refreshed {
        token_pair tokens;
        std::uint64_t user_id = 0;
    };
    // 401 invalid_refresh_token or refresh_token_reused.
    boost::asio::awaitable<result<refreshed>> refresh(std::string refresh_token);

    // Revokes the token's family; unknown tokens are ignored.
    boost::asio::awaitable<void> end(std::string refresh_token);

private:
    store::refresh_token make_row(std::uint64_t user_id, std::string family,
                                  std::string& secret_out) const;

    const jwt_signer& signer_;
    store::refresh_token_repository& tokens_;
    unsigned access_ttl_;
    unsigned refresh_ttl_;
};

}  // namespace driftway::auth
