#include "store_fixture.hpp"

#include <tuple>

namespace driftway::store::testing {
namespace {

class users_test : public store_test {};
DRIFTWAY_STORE_SUITE(users_test);

auto fields(const user& u) {
    return std::tie(u.id, u.username, u.email, u.password_hash, u.display_name, u.avatar,
                    u.preferences, u.status, u.created_at, u.last_active, u.owner);
}

TEST_P(users_test, create_then_read_back_every_field) {
    auto u = sample_user(101, "alice");
    u.avatar = 555;
    u.preferences = R"({"theme":"dark"})";
    u.status = "dnd";
    auto created = run(db_->users().create(u, false));
    ASSERT_TRUE(created.has_value());
    EXPECT_EQ(fields(*created), fields(u));

    auto got = run(db_->users().by_id(101));
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(fields(*got), fields(u));
    EXPECT_FALSE(run(db_->users().by_id(102)).has_value());
}

TEST_P(users_test, by_login_matches_username_or_email_ignoring_case) {
    add_user(101, "alice");
    add_user(102, "bob");

    auto by_name = run(db_->users().by_login("ALICE"));
    ASSERT_TRUE(by_name.has_value());
    EXPECT_EQ(by_name->id, 101u);

    auto by_email = run(db_->users().by_login("Bob@Example.COM"));
    ASSERT_TRUE(by_email.has_value());
    EXPECT_EQ(by_email->id, 102u);

    EXPECT_FALSE(run(db_->users().by_login("carol")).has_value());
    EXPECT_FALSE(run(db_->users().by_login("alice@example")).has_value());
}

TEST_P(users_test, duplicate_username_or_email_is_a_409_naming_the_field) {
    add_user(101, "alice");

    auto same_name = sample_user(102, "ALICE");
    same_name.email = "other@example.com";
    auto r1 = run(db_->users().create(same_name, false));
    ASSERT_FALSE(r1.has_value());
    EXPECT_EQ(r1.error().status, 409);
    EXPECT_EQ(r1.error().code, "username_taken");

    auto same_email = sample_user(103, "alice2");
    same_email.email = "Alice@EXAMPLE.com";
    auto r2 = run(db_->users().create(same_email, true));
    ASSERT_FALSE(r2.has_value());
    EXPECT_EQ(r2.error().status, 409);
    EXPECT_EQ(r2.error().code, "email_taken");

    EXPECT_EQ(run(db_->users().count()), 1);
    EXPECT_FALSE(run(db_->users().by_id(102)).has_value());
    EXPECT_FALSE(run(db_->users().by_id(103)).has_value());
}

TEST_P(users_test, first_user_becomes_owner_and_the_second_does_not) {
    auto first = run(db_->users().create(sample_user(101, "alice"), true));
    ASSERT_TRUE(first.has_value());
    EXPECT_TRUE(first->owner);
    EXPECT_TRUE(run(db_->users().by_id(101))->owner);
    EXPECT_EQ(run(db_->instance().get()).owner_id, std::optional<id_t>(101));

    auto second = run(db_->users().create(sample_user(102, "bob"), true));
    ASSERT_TRUE(second.has_value());
    EXPECT_FALSE(second->owner);
    EXPECT_FALSE(run(db_->users().by_id(102))->owner);
    EXPECT_EQ(run(db_->instance().get()).owner_id, std::optional<id_t>(101));
}

TEST_P(users_test, a_failed_first_sign_up_does_not_claim_ownership) {
    add_user(101, "alice");
    auto clash = sample_user(102, "bob");
    clash.email = "alice@example.com";
    ASSERT_FALSE(run(db_->users().create(clash, true)).has_value());
    EXPECT_FALSE(run(db_->instance().get()).owner_id.has_value());
}

TEST_P(users_test, first_user_is_not_owner_unless_asked) {
    auto first = run(db_->users().create(sample_user(101, "alice"), false));
    ASSERT_TRUE(first.has_value());
    EXPECT_FALSE(first->owner);
    EXPECT_FALSE(run(db_->instance().get()).owner_id.has_value());
}

TEST_P(users_test, update_changes_only_the_given_fields) {
    const auto original = add_user(101, "alice");

    user_update name_only;
    name_only.display_name = "Alice A.";
    auto r1 = run(db_->users().update(101, name_only));
    ASSERT_TRUE(r1.has_value());
    auto expected = original;
    expected.display_name = "Alice A.";
    EXPECT_EQ(fields(*r1), fields(expected));

    user_update rest;
    rest.avatar = std::optional<id_t>(77);
    rest.preferences = R"({"compact":true})";
    rest.status = "idle";
    auto r2 = run(db_->users().update(101, rest));
    ASSERT_TRUE(r2.has_value());
    expected.avatar = 77;
    expected.preferences = R"({"compact":true})";
    expected.status = "idle";
    EXPECT_EQ(fields(*r2), fields(expected));
    EXPECT_EQ(fields(*run(db_->users().by_id(101))), fields(expected));

    user_update clear_avatar;
    clear_avatar.avatar = std::optional<id_t>();
    auto r3 = run(db_->users().update(101, clear_avatar));
    ASSERT_TRUE(r3.has_value());
    EXPECT_FALSE(r3->avatar.has_value());
    EXPECT_EQ(r3->status, "idle");
    EXPECT_FALSE(run(db_->users().by_id(101))->avatar.has_value());
}

TEST_P(users_test, update_of_unknown_user_is_404) {
    user_update u;
    u.display_name = "nobody";
    auto r = run(db_->users().update(999, u));
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().status, 404);
    EXPECT_EQ(r.error().code, "unknown_user");
}

TEST_P(users_test, touch_moves_last_active_forward_only) {
    const auto u = add_user(101, "alice");
    run(db_->users().touch(101, u.last_active + 5000));
    EXPECT_EQ(run(db_->users().by_id(101))->last_active, u.last_active + 5000);
    run(db_->users().touch(101, u.last_active + 1000));
    EXPECT_EQ(run(db_->users().by_id(101))->last_active, u.last_active + 5000);
}

TEST_P(users_test, count_counts_users) {
    EXPECT_EQ(run(db_->users().count()), 0);
    add_user(101, "alice");
    add_user(102, "bob");
    EXPECT_EQ(run(db_->users().count()), 2);
}

}  // namespace
}  // namespace driftway::store::testing
