#include "text_fixture.hpp"

namespace driftway::store::testing {
namespace {

class members_test : public text_test {};
DRIFTWAY_STORE_SUITE(members_test);

std::vector<id_t> user_ids(const std::vector<member>& members) {
    std::vector<id_t> ids;
    for (const auto& m : members) ids.push_back(m.user_id);
    return ids;
}

TEST_P(members_test, add_returns_the_member_and_a_second_add_is_409) {
    run(db_->roles().create({.id = 120, .space_id = space_id, .name = "r", .position = 1}));
    auto added = run(db_->members().add({.space_id = space_id,
                                         .user_id = bob,
                                         .nick = "bobby",
                                         .role_ids = {120},
                                         .joined_at = t0 + 1,
                                         .communication_disabled_until = 0}));
    ASSERT_TRUE(added.has_value());
    EXPECT_EQ(added->nick, std::optional<std::string>("bobby"));
    EXPECT_EQ(added->role_ids, std::vector<id_t>{120});
    EXPECT_EQ(added->joined_at, t0 + 1);

    auto again = run(db_->members().add(member_row(space_id, bob)));
    ASSERT_FALSE(again.has_value());
    EXPECT_EQ(again.error().status, 409);
    EXPECT_EQ(again.error().code, "already_member");
    EXPECT_EQ(run(db_->members().get(space_id, bob))->nick, std::optional<std::string>("bobby"));
}

TEST_P(members_test, list_pages_by_user_id_with_roles) {
    run(db_->roles().create({.id = 120, .space_id = space_id, .name = "r", .position = 1}));
    run(db_->roles().create({.id = 121, .space_id = space_id, .name = "s", .position = 2}));
    join(dave);
    join(bob);
    join(carol);
    run(db_->members().update(space_id, carol, roles_update({121, 120})));

    auto first = run(db_->members().list(space_id, 0, 2));
    EXPECT_EQ(user_ids(first), (std::vector<id_t>{alice, bob}));
    auto rest = run(db_->members().list(space_id, bob, 10));
    ASSERT_EQ(user_ids(rest), (std::vector<id_t>{carol, dave}));
    EXPECT_EQ(rest[0].role_ids, (std::vector<id_t>{120, 121}));
    EXPECT_TRUE(rest[1].role_ids.empty());
    EXPECT_EQ(run(db_->members().count(space_id)), 4);
}

TEST_P(members_test, search_matches_username_display_name_or_nick_by_prefix_ignoring_case) {
    join(bob);
    join(carol);
    join(dave);
    run(db_->members().update(space_id, dave, nick_update("Bo_Dave")));
    // bob's display name is "The bob"; carol's username starts with "car".
    EXPECT_EQ(user_ids(run(db_->members().search(space_id, "BO", 10))),
              (std::vector<id_t>{bob, dave}));
    EXPECT_EQ(user_ids(run(db_->members().search(space_id, "the c", 10))),
              (std::vector<id_t>{carol}));
    EXPECT_EQ(user_ids(run(db_->members().search(space_id, "Car", 10))),
              (std::vector<id_t>{carol}));
    EXPECT_EQ(user_ids(run(db_->members().search(space_id, "bo", 1))), (std::vector<id_t>{bob}));
    // LIKE wildcards are taken literally.
    EXPECT_EQ(user_ids(run(db_->members().search(space_id, "bo_", 10))), (std::vector<id_t>{dave}));
    EXPECT_TRUE(run(db_->members().search(space_id, "%", 10)).empty());
    EXPECT_TRUE(run(db_->members().search(space_id, "ob", 10)).empty());
    // Users outside the space are never found.
    EXPECT_TRUE(run(db_->members().search(999, "bo", 10)).empty());
}

TEST_P(members_test, update_sets_and_clears_nick_roles_and_timeout) {
    run(db_->roles().create({.id = 120, .space_id = space_id, .name = "r", .position = 1}));
    join(bob);
    auto set = run(db_->members().update(space_id, bob,
                                         {.nick = std::optional<std::string>("b"),
                                          .role_ids = std::vector<id_t>{120},
                                          .communication_disabled_until = t0 + 60'000}));
    ASSERT_TRUE(set.has_value());
    EXPECT_EQ(set->nick, std::optional<std::string>("b"));
    EXPECT_EQ(set->role_ids, std::vector<id_t>{120});
    EXPECT_EQ(set->communication_disabled_until, t0 + 60'000);

    // Fields not given stay as they are.
    auto kept = run(db_->members().update(space_id, bob, {}));
    ASSERT_TRUE(kept.has_value());
    EXPECT_EQ(kept->nick, std::optional<std::string>("b"));
    EXPECT_EQ(kept->role_ids, std::vector<id_t>{120});

    auto cleared = run(db_->members().update(space_id, bob,
                                             {.nick = std::optional<std::string>(),
                                              .role_ids = std::vector<id_t>{},
                                              .communication_disabled_until = 0}));
    ASSERT_TRUE(cleared.has_value());
    EXPECT_FALSE(cleared->nick.has_value());
    EXPECT_TRUE(cleared->role_ids.empty());
    EXPECT_EQ(cleared->communication_disabled_until, 0);
    auto stored = run(db_->members().get(space_id, bob));
    ASSERT_TRUE(stored.has_value());
    EXPECT_FALSE(stored->nick.has_value());
    EXPECT_TRUE(stored->role_ids.empty());

    auto missing = run(db_->members().update(space_id, carol, nick_update("c")));
    ASSERT_FALSE(missing.has_value());
    EXPECT_EQ(missing.error().status, 404);
}

TEST_P(members_test, remove_is_true_once) {
    join(bob);
    EXPECT_TRUE(run(db_->members().remove(space_id, bob)));
    EXPECT_FALSE(run(db_->members().remove(space_id, bob)));
    EXPECT_FALSE(run(db_->members().get(space_id, bob)).has_value());
    join(bob);  // and can come back
}

TEST_P(members_test, space_peers_are_everyone_sharing_a_space_once) {
    run(db_->spaces().create(space_row(200, "Other", bob, t0), {.name = "@everyone"}, {},
                             member_row(0, bob, t0)));
    join(bob);
    join(carol, 200);
    EXPECT_EQ(run(db_->members().space_peers(bob)), (std::vector<id_t>{alice, carol}));
    EXPECT_EQ(run(db_->members().space_peers(alice)), std::vector<id_t>{bob});
    EXPECT_EQ(run(db_->members().space_peers(carol)), std::vector<id_t>{bob});
    EXPECT_TRUE(run(db_->members().space_peers(dave)).empty());
}

class invites_test : public text_test {};
DRIFTWAY_STORE_SUITE(invites_test);

invite sample_invite(std::string code, int max_uses = 0, std::int64_t expires_at = 0) {
    return {.code = std::move(code),
            .space_id = 100,
            .creator_id = 1,
            .uses = 0,
            .max_uses = max_uses,
            .expires_at = expires_at,
            .created_at = 1'750'000'000'000};
}

TEST_P(invites_test, create_get_list_remove) {
    run(db_->invites().create(sample_invite("b", 5, t0 + 100)));
    run(db_->invites().create(sample_invite("a")));
    auto got = run(db_->invites().get("b"));
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(got->space_id, space_id);
    EXPECT_EQ(got->creator_id, alice);
    EXPECT_EQ(got->max_uses, 5);
    EXPECT_EQ(got->expires_at, t0 + 100);
    EXPECT_EQ(got->uses, 0);
    EXPECT_FALSE(run(db_->invites().get("B")).has_value());

    auto all = run(db_->invites().list(space_id));
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[0].code, "a");
    EXPECT_EQ(all[1].code, "b");

    EXPECT_TRUE(run(db_->invites().remove("a")));
    EXPECT_FALSE(run(db_->invites().remove("a")));
    EXPECT_EQ(run(db_->invites().list(space_id)).size(), 1u);
}

TEST_P(invites_test, redeem_adds_the_member_and_counts_the_use) {
    run(db_->invites().create(sample_invite("code", 2)));
    auto joined = run(db_->invites().redeem("code", bob, t0 + 10));
    ASSERT_TRUE(joined.has_value()) << joined.error().code;
    EXPECT_EQ(joined->space_id, space_id);
    EXPECT_EQ(joined->user_id, bob);
    EXPECT_EQ(joined->joined_at, t0 + 10);
    EXPECT_EQ(run(db_->members().get(space_id, bob))->joined_at, t0 + 10);
    EXPECT_EQ(run(db_->invites().get("code"))->uses, 1);
}

TEST_P(invites_test, redeem_refuses_unknown_expired_and_used_up_invites_with_404) {
    run(db_->invites().create(sample_invite("expired", 0, t0 + 10)));
    run(db_->invites().create(sample_invite("once", 1)));
    auto expect_404 = [&](const std::string& code, id_t user, std::int64_t now) {
        auto r = run(db_->invites().redeem(code, user, now));
        ASSERT_FALSE(r.has_value()) << code;
        EXPECT_EQ(r.error().status, 404) << code;
        EXPECT_EQ(r.error().code, "unknown_invite") << code;
        EXPECT_FALSE(run(db_->members().get(space_id, user)).has_value()) << code;
    };
    expect_404("nope", bob, t0);
    // Expiry is exclusive: usable before expires_at, not at it.
    expect_404("expired", bob, t0 + 10);
    ASSERT_TRUE(run(db_->invites().redeem("expired", bob, t0 + 9)).has_value());

    ASSERT_TRUE(run(db_->invites().redeem("once", carol, t0)).has_value());
    expect_404("once", dave, t0);
    EXPECT_EQ(run(db_->invites().get("once"))->uses, 1);
}

TEST_P(invites_test, redeem_refuses_banned_users_with_403_and_members_with_409) {
    run(db_->invites().create(sample_invite("code", 10)));
    run(db_->bans().put(ban_row(space_id, bob, alice)));
    auto banned = run(db_->invites().redeem("code", bob, t0));
    ASSERT_FALSE(banned.has_value());
    EXPECT_EQ(banned.error().status, 403);
    EXPECT_EQ(banned.error().code, "banned");
    EXPECT_FALSE(run(db_->members().get(space_id, bob)).has_value());

    auto member = run(db_->invites().redeem("code", alice, t0));
    ASSERT_FALSE(member.has_value());
    EXPECT_EQ(member.error().status, 409);
    EXPECT_EQ(member.error().code, "already_member");
    // Refusals use nothing up.
    EXPECT_EQ(run(db_->invites().get("code"))->uses, 0);
}

}  // namespace
}  // namespace driftway::store::testing
