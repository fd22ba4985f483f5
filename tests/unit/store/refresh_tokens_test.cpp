#include "store_fixture.hpp"

namespace driftway::store::testing {
namespace {

using outcome = refresh_token_repository::rotate_outcome;

constexpr std::int64_t now = 1'700'000'000'000;
constexpr std::int64_t day = 86'400'000;

class refresh_tokens_test : public store_test {
protected:
    void SetUp() override {
        store_test::SetUp();
        add_user(1, "alice");
        add_user(2, "bob");
    }

    void insert(const std::string& hash, id_t user, const std::string& family,
                std::int64_t expires_at = now + day) {
        refresh_token t;
        t.token_hash = hash;
        t.user_id = user;
        t.family = family;
        t.created_at = now - 1000;
        t.expires_at = expires_at;
        run(db_->refresh_tokens().insert(t));
    }

    // Rotates old_hash into new_hash; the next token deliberately names no
    // user or family, which the repository takes from the old one.
    outcome rotate(const std::string& old_hash, const std::string& new_hash, id_t* user = nullptr,
                   std::int64_t at = now) {
        refresh_token next;
        next.token_hash = new_hash;
        next.created_at = at;
        next.expires_at = at + day;
        return run(db_->refresh_tokens().rotate(old_hash, next, at, user));
    }
};
DRIFTWAY_STORE_SUITE(refresh_tokens_test);

TEST_P(refresh_tokens_test, live_token_rotates_and_the_next_inherits_user_and_family) {
    insert("t1", 2, "f1");
    id_t user = 0;
    EXPECT_EQ(rotate("t1", "t2", &user), outcome::rotated);
    EXPECT_EQ(user, 2u);

    user = 0;
    EXPECT_EQ(rotate("t2", "t3", &user), outcome::rotated);
    EXPECT_EQ(user, 2u);

    // t3 is in f1: revoking through the first token reaches it.
    EXPECT_TRUE(run(db_->refresh_tokens().revoke_family_of("t1")));
    EXPECT_EQ(rotate("t3", "t4"), outcome::revoked);
}

TEST_P(refresh_tokens_test, reusing_a_spent_token_revokes_its_family) {
    insert("t1", 1, "f1");
    insert("other", 1, "f2");
    ASSERT_EQ(rotate("t1", "t2"), outcome::rotated);

    id_t user = 777;
    EXPECT_EQ(rotate("t1", "t2b", &user), outcome::reused);
    EXPECT_EQ(user, 777u);
    EXPECT_EQ(rotate("t2b", "t3"), outcome::unknown);  // nothing was inserted
    // The legitimate sibling is revoked with the family and stops working.
    EXPECT_EQ(rotate("t2", "t3"), outcome::revoked);
    EXPECT_EQ(rotate("other", "other2"), outcome::rotated);
}

TEST_P(refresh_tokens_test, expired_token_changes_nothing) {
    insert("t1", 1, "f1", now);
    id_t user = 777;
    EXPECT_EQ(rotate("t1", "t2", &user, now), outcome::expired);
    EXPECT_EQ(user, 777u);
    EXPECT_EQ(rotate("t2", "t3", nullptr, now - 10), outcome::unknown);
    // Not marked spent: before its expiry the same token still rotates.
    EXPECT_EQ(rotate("t1", "t2", nullptr, now - 10), outcome::rotated);
}

TEST_P(refresh_tokens_test, unknown_token_changes_nothing) {
    id_t user = 777;
    EXPECT_EQ(rotate("nope", "t2", &user), outcome::unknown);
    EXPECT_EQ(user, 777u);
    EXPECT_EQ(rotate("t2", "t3"), outcome::unknown);
}

TEST_P(refresh_tokens_test, revoke_family_of_revokes_every_token_of_the_family) {
    EXPECT_FALSE(run(db_->refresh_tokens().revoke_family_of("nope")));
    insert("a", 1, "f1");
    insert("b", 1, "f1");
    insert("c", 1, "f2");
    EXPECT_TRUE(run(db_->refresh_tokens().revoke_family_of("a")));
    EXPECT_EQ(rotate("b", "b2"), outcome::revoked);
    // Presenting it again does not make it "reused": it was never spent.
    EXPECT_EQ(rotate("b", "b2"), outcome::revoked);
    EXPECT_EQ(rotate("c", "c2"), outcome::rotated);
}

TEST_P(refresh_tokens_test, revoke_all_for_user_spares_other_users) {
    insert("a", 1, "f1");
    insert("b", 1, "f2");
    insert("c", 2, "g1");
    run(db_->refresh_tokens().revoke_all_for_user(1));
    EXPECT_EQ(rotate("a", "a2"), outcome::revoked);
    EXPECT_EQ(rotate("b", "b2"), outcome::revoked);
    EXPECT_EQ(rotate("c", "c2"), outcome::rotated);
}

}  // namespace
}  // namespace driftway::store::testing
