#include "driftway/auth/sessions.hpp"

#include "driftway/auth/crypto.hpp"
#include "driftway/core/clock.hpp"

namespace driftway::auth {

session_service::session_service(const jwt_signer& signer, store::refresh_token_repository& tokens,
                                 unsigned access_ttl_seconds, unsigned refresh_ttl_seconds)
    : signer_(signer),
      tokens_(tokens),
      access_ttl_(access_ttl_seconds),
      refresh_ttl_(refresh_ttl_seconds) {}

std::string session_service::access_token_for(std::uint64_t user_id) const {
    const std::int64_t now = clock::unix_seconds();
    return signer_.sign({user_id, now, now + access_ttl_, random_token(12)});
}

store::refresh_token session_service::make_row(std::uint64_t user_id, std::string family,
                                               std::string& secret_out) const {
    secret_out = random_token(32);
    const std::int64_t now = clock::unix_ms();
    store::refresh_token row;
    row.token_hash = sha256_hex(secret_out);
    row.user_id = user_id;
    row.family = std::move(family);
    row.created_at = now;
    row.expires_at = now + std::int64_t{refresh_ttl_} * 1000;
    return row;
}

boost::asio::awaitable<token_pair> session_service::start(std::uint64_t user_id) {
    token_pair pair;
    auto row = make_row(user_id, random_token(16), pair.refresh_token);
    co_await tokens_.insert(std::move(row));
    pair.access_token = access_token_for(user_id);
    pair.expires_in = access_ttl_;
    co_return pair;
}

boost::asio::awaitable<result<session_service::refreshed>> session_service::refresh(
    std::string refresh_token) {
    const auto invalid = error::unauthorized("invalid_refresh_token",
                                             "the refresh token is unknown, expired or revoked");
    if (refresh_token.size() < 16 || refresh_token.size() > 256) co_return invalid;
    refreshed out;
    // The family is kept by the repository; the next row only needs a user
    // and a family placeholder that rotate() fills from the old row.
    auto next = make_row(0, {}, out.tokens.refresh_token);
    std::uint64_t user_id = 0;
    const auto outcome = co_await tokens_.rotate(sha256_hex(refresh_token), std::move(next),
                                                 clock::unix_ms(), &user_id);
    using rotate_outcome = store::refresh_token_repository::rotate_outcome;
    switch (outcome) {
        case rotate_outcome::rotated:
            break;
        case rotate_outcome::reused:
            co_return error::unauthorized(
                "refresh_token_reused",
                "this refresh token was already used; the session has been revoked");
        case rotate_outcome::unknown:
        case rotate_outcome::expired:
        case rotate_outcome::revoked:
            co_return invalid;
    }
    out.user_id = user_id;
    out.tokens.access_token = access_token_for(user_id);
    out.tokens.expires_in = access_ttl_;
    co_return out;
}

boost::asio::awaitable<void> session_service::end(std::string refresh_token) {
    if (refresh_token.size() < 16 || refresh_token.size() > 256) co_return;
    co_await tokens_.revoke_family_of(sha256_hex(refresh_token));
}

}  // namespace driftway::auth
