#include "driftway/auth/permissions.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace driftway::auth {
namespace {

constexpr std::uint64_t space_id = 100;
constexpr std::uint64_t owner_id = 1;
constexpr std::uint64_t member_id = 2;
constexpr std::uint64_t other_user = 3;
constexpr std::uint64_t moderator_role = 201;
constexpr std::uint64_t admin_role = 202;
constexpr std::uint64_t role_a = 203;
constexpr std::uint64_t role_b = 204;

const std::vector<role_grant>& roles() {
    static const std::vector<role_grant> r = {
        {space_id, perm::default_everyone},
        {moderator_role, perm::manage_messages | perm::kick_members | perm::mention_everyone},
        {admin_role, perm::administrator},
        {role_a, 0},
        {role_b, 0},
    };
    return r;
}

space_view space() {
    return {space_id, owner_id, roles()};
}

overwrite role_ow(std::uint64_t id, permission_set allow, permission_set deny) {
    return {id, overwrite::kind::role, allow, deny};
}
overwrite member_ow(std::uint64_t id, permission_set allow, permission_set deny) {
    return {id, overwrite::kind::member, allow, deny};
}

constexpr permission_set everyone = perm::default_everyone;

TEST(BasePermissions, OwnerAdministratorAndRoles) {
    EXPECT_EQ(base_permissions(space(), {owner_id, {}, false}), perm::all);
    EXPECT_EQ(base_permissions(space(), {member_id, {}, false}), everyone);
    EXPECT_EQ(base_permissions(space(), {member_id, {moderator_role}, false}),
              everyone | perm::manage_messages | perm::kick_members | perm::mention_everyone);
    EXPECT_EQ(base_permissions(space(), {member_id, {admin_role}, false}), perm::all);
    // A role id the space does not have grants nothing.
    EXPECT_EQ(base_permissions(space(), {member_id, {999}, false}), everyone);
}

TEST(BasePermissions, WithoutEveryoneRoleOnlyMemberRolesCount) {
    const std::vector<role_grant> r = {{role_a, perm::view_channel | (1ull << 12)}};
    const space_view s{space_id, owner_id, r};
    EXPECT_EQ(base_permissions(s, {member_id, {}, false}), 0u);
    // Bits that no permission uses are dropped.
    EXPECT_EQ(base_permissions(s, {member_id, {role_a}, false}), perm::view_channel);
}

struct channel_case {
    const char* name;
    member_view member;
    std::vector<overwrite> overwrites;
    permission_set expected;
};

class ChannelPermissions : public ::testing::TestWithParam<channel_case> {};

TEST_P(ChannelPermissions, Computes) {
    const auto& c = GetParam();
    EXPECT_EQ(channel_permissions(space(), c.member, c.overwrites), c.expected)
        << "missing: " << (c.expected & ~channel_permissions(space(), c.member, c.overwrites))
        << " extra: " << (channel_permissions(space(), c.member, c.overwrites) & ~c.expected);
}

const channel_case channel_cases[] = {
    {"plain_member", {member_id, {}, false}, {}, everyone},
    {"owner_ignores_overwrites",
     {owner_id, {}, false},
     {role_ow(space_id, 0, perm::all), member_ow(owner_id, 0, perm::all)},
     perm::all},
    {"owner_is_not_timed_out", {owner_id, {}, true}, {}, perm::all},
    {"administrator_ignores_overwrites",
     {member_id, {admin_role}, false},
     {role_ow(space_id, 0, perm::view_channel), role_ow(admin_role, 0, perm::all),
      member_ow(member_id, 0, perm::all)},
     perm::all},
    {"administrator_is_not_timed_out", {member_id, {admin_role}, true}, {}, perm::all},
    {"everyone_deny_view_hides_channel",
     {member_id, {}, false},
     {role_ow(space_id, 0, perm::view_channel)},
     0},
    {"everyone_deny_applies_to_role_holders",
     {member_id, {moderator_role}, false},
     {role_ow(space_id, 0, perm::view_channel)},
     0},
    {"role_allow_overrides_everyone_deny",
     {member_id, {role_a}, false},
     {role_ow(space_id, 0, perm::view_channel), role_ow(role_a, perm::view_channel, 0)},
     everyone},
    {"role_deny_overrides_everyone_allow",
     {member_id, {role_a}, false},
     {role_ow(space_id, perm::manage_messages, 0), role_ow(role_a, 0, perm::manage_messages)},
     everyone},
    {"everyone_allow_grants_to_all",
     {member_id, {}, false},
     {role_ow(space_id, perm::manage_messages, 0)},
     everyone | perm::manage_messages},
    {"member_deny_overrides_role_allow",
     {member_id, {role_a}, false},
     {role_ow(role_a, perm::manage_messages, 0), member_ow(member_id, 0, perm::manage_messages)},
     everyone},
    {"member_allow_overrides_role_deny",
     {member_id, {role_a}, false},
     {role_ow(role_a, 0, perm::embed_links), member_ow(member_id, perm::embed_links, 0)},
     everyone},
    {"member_allow_overrides_everyone_deny",
     {member_id, {}, false},
     {role_ow(space_id, 0, perm::view_channel), member_ow(member_id, perm::view_channel, 0)},
     everyone},
    {"role_allow_beats_other_role_deny",
     {member_id, {role_a, role_b}, false},
     {role_ow(role_a, 0, perm::send_messages), role_ow(role_b, perm::send_messages, 0)},
     everyone},
    {"role_allow_beats_other_role_deny_in_either_order",
     {member_id, {role_a, role_b}, false},
     {role_ow(role_b, perm::send_messages, 0), role_ow(role_a, 0, perm::send_messages)},
     everyone},
    {"role_denies_combine",
     {member_id, {role_a, role_b}, false},
     {role_ow(role_a, 0, perm::embed_links), role_ow(role_b, 0, perm::add_reactions)},
     everyone & ~perm::embed_links & ~perm::add_reactions},
    {"allow_and_deny_of_one_overwrite_allow_wins",
     {member_id, {}, false},
     {member_ow(member_id, perm::manage_messages, perm::manage_messages)},
     everyone | perm::manage_messages},
    {"overwrites_of_roles_not_held_are_ignored",
     {member_id, {role_a}, false},
     {role_ow(role_b, 0, perm::view_channel), role_ow(moderator_role, perm::manage_roles, 0)},
     everyone},
    {"overwrites_of_other_members_are_ignored",
     {member_id, {}, false},
     {member_ow(other_user, 0, perm::view_channel)},
     everyone},
    {"member_overwrite_with_role_id_is_not_a_role",
     {member_id, {role_a}, false},
     {member_ow(role_a, 0, perm::view_channel)},
     everyone},
    {"no_view_means_nothing_even_with_allows",
     {member_id, {moderator_role}, false},
     {member_ow(member_id, perm::manage_messages | perm::manage_roles, perm::view_channel)},
     0},
    {"no_send_removes_what_depends_on_it",
     {member_id, {moderator_role}, false},
     {role_ow(space_id, 0, perm::send_messages)},
     (everyone | perm::manage_messages | perm::kick_members) & ~perm::send_messages &
         ~perm::attach_files & ~perm::embed_links & ~perm::send_messages_in_threads},
    {"no_connect_removes_voice",
     {member_id, {}, false},
     {role_ow(space_id, perm::mute_members, perm::connect)},
     everyone & ~perm::connect & ~perm::speak & ~perm::use_vad & ~perm::stream},
    {"timed_out_keeps_only_reading",
     {member_id, {moderator_role}, true},
     {},
     perm::view_channel | perm::read_message_history},
    {"timed_out_without_view_sees_nothing",
     {member_id, {}, true},
     {role_ow(space_id, 0, perm::view_channel)},
     0},
    {"timed_out_without_history_keeps_view_only",
     {member_id, {}, true},
     {role_ow(space_id, 0, perm::read_message_history)},
     perm::view_channel},
};

INSTANTIATE_TEST_SUITE_P(Table, ChannelPermissions, ::testing::ValuesIn(channel_cases),
                         [](const auto& test_info) { return std::string(test_info.param.name); });

TEST(PermissionStrings, RoundTrip) {
    for (permission_set p : {permission_set{0}, perm::view_channel, perm::default_everyone,
                             perm::all, perm::moderate_members}) {
        const auto text = to_string(p);
        EXPECT_EQ(parse_permissions(text), p) << text;
    }
    EXPECT_EQ(to_string(perm::administrator | perm::view_channel), "1032");
    EXPECT_EQ(parse_permissions("1032"), perm::administrator | perm::view_channel);
    EXPECT_EQ(parse_permissions("0"), 0u);
    EXPECT_EQ(parse_permissions("0008"), perm::administrator);
}

TEST(PermissionStrings, RejectsBadText) {
    const char* bad[] = {
        "",
        "-1",
        "+8",
        " 8",
        "8 ",
        "8a",
        "0x8",
        "1e3",
        "8.0",
        "4096",                  // bit 12 is not a permission
        "18446744073709551615",  // every bit
        "18446744073709551616",  // overflows 64 bits
        "99999999999999999999999999",
    };
    for (const char* b : bad) EXPECT_FALSE(parse_permissions(b).has_value()) << b;
    EXPECT_FALSE(parse_permissions(std::string_view("8\0", 2)).has_value());
}

}  // namespace
}  // namespace driftway::auth
