#include "postgres/repositories.hpp"

namespace driftway::store::postgres {

namespace {

void insert_token(connection& c, const refresh_token& t) {
    c.prepare(
         "INSERT INTO refresh_tokens"
         " (token_hash, user_id, family, created_at, expires_at, spent, revoked)"
         " VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(t.token_hash, t.user_id, t.family, t.created_at, t.expires_at, t.spent, t.revoked)
        .run();
}

void revoke_family(connection& c, const std::string& family) {
    c.prepare("UPDATE refresh_tokens SET revoked = true WHERE family = $1 AND NOT revoked")
        .bind(family)
        .run();
}

}  // namespace

task<void> refresh_token_repo::insert(refresh_token t) {
    co_await exec_.write([&](connection& c) { insert_token(c, t); });
}

task<refresh_token_repository::rotate_outcome> refresh_token_repo::rotate(std::string old_hash,
                                                                          refresh_token next,
                                                                          std::int64_t now_ms,
                                                                          id_t* user_id) {
    struct rotation {
        rotate_outcome outcome = rotate_outcome::unknown;
        id_t user_id = 0;
    };
    // One write transaction: the check and the change cannot interleave with
    // a concurrent rotation of the same token, so exactly one of two racing
    // clients rotates and the other is treated as reuse.
    const auto r = co_await exec_.write([&](connection& c) -> rotation {
        auto st = c.prepare(
            "SELECT user_id, family, expires_at, spent, revoked FROM refresh_tokens"
            " WHERE token_hash = $1");
        if (!st.bind(old_hash).step()) return {};
        const id_t owner = st.id(0);
        const std::string family = st.text(1);
        const std::int64_t expires_at = st.int64(2);
        const bool spent = st.boolean(3);
        const bool revoked = st.boolean(4);
        // Reuse is checked before expiry: a spent token replayed after it
        // expired still means it leaked, and its family may hold a live token.
        if (spent) {
            revoke_family(c, family);
            return {rotate_outcome::reused, 0};
        }
        if (revoked) return {rotate_outcome::revoked, 0};
        if (expires_at <= now_ms) return {rotate_outcome::expired, 0};
        c.prepare("UPDATE refresh_tokens SET spent = true WHERE token_hash = $1")
            .bind(old_hash)
            .run();
        next.user_id = owner;
        next.family = family;
        next.spent = false;
        next.revoked = false;
        insert_token(c, next);
        return {rotate_outcome::rotated, owner};
    });
    if (r.outcome == rotate_outcome::rotated && user_id != nullptr) *user_id = r.user_id;
    co_return r.outcome;
}

task<bool> refresh_token_repo::revoke_family_of(std::string token_hash) {
    co_return co_await exec_.write([&](connection& c) {
        auto st = c.prepare("SELECT family FROM refresh_tokens WHERE token_hash = $1");
        if (!st.bind(token_hash).step()) return false;
        revoke_family(c, st.text(0));
        return true;
    });
}

task<void> refresh_token_repo::revoke_all_for_user(id_t user_id) {
    co_await exec_.write([&](connection& c) {
        c.prepare("UPDATE refresh_tokens SET revoked = true WHERE user_id = $1 AND NOT revoked")
            .bind(user_id)
            .run();
    });
}

}  // namespace driftway::store::postgres
