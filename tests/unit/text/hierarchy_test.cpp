#include "routes/hierarchy.hpp"

#include <gtest/gtest.h>

namespace driftway::text::routes {
namespace {

namespace perm = auth::perm;

rank owner() {
    return {.owner = true, .top = INT_MAX, .permissions = perm::all};
}
rank moderator(int top, auth::permission_set p = perm::manage_roles | perm::kick_members) {
    return {.owner = false, .top = top, .permissions = p};
}

TEST(role_hierarchy, roles_below_the_highest_role_only) {
    EXPECT_TRUE(can_manage_role(moderator(3), 2, false));
    EXPECT_FALSE(can_manage_role(moderator(3), 3, false));  // their own highest role
    EXPECT_FALSE(can_manage_role(moderator(3), 4, false));
    EXPECT_FALSE(can_manage_role(moderator(0), 1, false));  // only @everyone: nothing
    EXPECT_TRUE(can_manage_role(owner(), 1000, false));
}

TEST(role_hierarchy, everyone_role_is_below_everybody) {
    EXPECT_TRUE(can_manage_role(moderator(0), 0, true));
    EXPECT_TRUE(can_manage_role(moderator(5), 0, true));
}

TEST(role_hierarchy, acting_on_members) {
    EXPECT_TRUE(can_act_on(moderator(3), false, 2));
    EXPECT_TRUE(can_act_on(moderator(3), false, 0));
    EXPECT_FALSE(can_act_on(moderator(3), false, 3));  // peers cannot kick each other
    EXPECT_FALSE(can_act_on(moderator(3), false, 7));
    EXPECT_FALSE(can_act_on(moderator(3), true, 0));  // nobody acts on the owner
    EXPECT_TRUE(can_act_on(owner(), false, 100));
    EXPECT_FALSE(can_act_on(owner(), true, INT_MAX));  // not even on themselves
}

TEST(role_hierarchy, administrators_rank_by_position_too) {
    // Administrator grants every permission, not a place in the hierarchy.
    rank admin = moderator(2, perm::all);
    EXPECT_TRUE(admin.privileged());
    EXPECT_FALSE(can_act_on(admin, false, 2));
    EXPECT_FALSE(can_manage_role(admin, 2, false));
}

TEST(role_hierarchy, grants_only_what_one_holds) {
    const rank r = moderator(3, perm::manage_roles | perm::kick_members);
    EXPECT_EQ(ungrantable(r, perm::kick_members), 0u);
    EXPECT_EQ(ungrantable(r, perm::kick_members | perm::ban_members), perm::ban_members);
    EXPECT_EQ(ungrantable(r, perm::administrator), perm::administrator);
    EXPECT_EQ(ungrantable(moderator(3, perm::all), perm::all), 0u);  // administrators
    EXPECT_EQ(ungrantable(owner(), perm::all), 0u);
    EXPECT_EQ(ungrantable(r, 0), 0u);
}

std::vector<role_position> roles(std::initializer_list<role_position> r) {
    return r;
}

TEST(role_reorder, moving_up_takes_the_slot_and_shifts_the_others_down) {
    // A(1) B(2) C(3) D(4); A to 3 -> B(1) C(2) A(3) D(4)
    auto after = reorder(roles({{1, 1}, {2, 2}, {3, 3}, {4, 4}}), {{1, 3}});
    EXPECT_EQ(after, roles({{2, 1}, {3, 2}, {1, 3}, {4, 4}}));
}

TEST(role_reorder, moving_down_takes_the_slot_and_shifts_the_others_up) {
    auto after = reorder(roles({{1, 1}, {2, 2}, {3, 3}, {4, 4}}), {{3, 1}});
    EXPECT_EQ(after, roles({{3, 1}, {1, 2}, {2, 3}, {4, 4}}));
}

TEST(role_reorder, past_the_top_lands_on_top) {
    auto after = reorder(roles({{1, 1}, {2, 2}, {3, 3}}), {{1, 99}});
    EXPECT_EQ(after, roles({{2, 1}, {3, 2}, {1, 3}}));
}

TEST(role_reorder, gaps_are_kept_for_roles_that_do_not_move) {
    // Positions 1, 2, 5: swapping the two lowest leaves the top role at 5.
    auto after = reorder(roles({{1, 1}, {2, 2}, {3, 5}}), {{1, 2}});
    EXPECT_EQ(after, roles({{2, 1}, {1, 2}, {3, 5}}));
}

TEST(role_reorder, no_moves_or_same_position_changes_nothing) {
    auto before = roles({{1, 1}, {2, 2}, {3, 3}});
    EXPECT_EQ(reorder(before, {}), before);
    EXPECT_EQ(reorder(before, {{2, 2}}), before);
    EXPECT_EQ(reorder(before, {{42, 1}}), before);  // unknown ids are ignored
}

TEST(role_reorder, input_order_does_not_matter) {
    auto after = reorder(roles({{3, 3}, {1, 1}, {2, 2}}), {{3, 1}});
    EXPECT_EQ(after, roles({{3, 1}, {1, 2}, {2, 3}}));
}

TEST(role_reorder, several_moves_in_one_request) {
    // Reverse three roles by asking for each one's new position.
    auto after = reorder(roles({{1, 1}, {2, 2}, {3, 3}}), {{1, 3}, {3, 1}});
    EXPECT_EQ(after, roles({{3, 1}, {2, 2}, {1, 3}}));
}

TEST(role_reorder, forbidden_moves_guard_the_roles_at_and_above_the_actor) {
    const auto before = roles({{1, 1}, {2, 2}, {3, 3}, {4, 4}});
    const rank r = moderator(3);
    // Swapping the two roles below them is fine.
    EXPECT_TRUE(forbidden_moves(r, before, reorder(before, {{1, 2}})).empty());
    // Lifting a role to their own level moves their role down: refused.
    auto lifted = reorder(before, {{1, 3}});
    EXPECT_EQ(forbidden_moves(r, before, lifted), (std::vector<std::uint64_t>{3, 1}));
    // Moving a role above them at all: refused.
    EXPECT_EQ(forbidden_moves(r, before, reorder(before, {{4, 1}})),
              (std::vector<std::uint64_t>{4, 2, 3}));
    // The owner moves anything.
    EXPECT_TRUE(forbidden_moves(owner(), before, reorder(before, {{4, 1}})).empty());
}

}  // namespace
}  // namespace driftway::text::routes
