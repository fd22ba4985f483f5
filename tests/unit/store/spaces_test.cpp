#include "text_fixture.hpp"

#include <tuple>

namespace driftway::store::testing {
namespace {

class spaces_test : public text_test {};
DRIFTWAY_STORE_SUITE(spaces_test);

auto fields(const role& r) {
    return std::tie(r.id, r.space_id, r.name, r.permissions, r.position, r.color, r.hoist,
                    r.mentionable);
}

TEST_P(spaces_test, create_stores_space_everyone_role_channels_and_owner) {
    auto s = run(db_->spaces().get(space_id));
    ASSERT_TRUE(s.has_value());
    EXPECT_EQ(s->name, "Home");
    EXPECT_EQ(s->owner_id, alice);
    EXPECT_EQ(s->created_at, t0);
    EXPECT_FALSE(s->icon.has_value());

    auto roles = run(db_->roles().list(space_id));
    ASSERT_EQ(roles.size(), 1u);
    EXPECT_EQ(roles[0].id, space_id);
    EXPECT_EQ(roles[0].name, "@everyone");
    EXPECT_EQ(roles[0].permissions, 0x3u);

    auto channels = run(db_->channels().list(space_id));
    ASSERT_EQ(channels.size(), 2u);
    EXPECT_EQ(channels[0].id, general);
    EXPECT_EQ(channels[0].type, channel_type::text);
    EXPECT_EQ(channels[1].id, lounge);
    EXPECT_EQ(channels[1].type, channel_type::voice);

    auto owner = run(db_->members().get(space_id, alice));
    ASSERT_TRUE(owner.has_value());
    EXPECT_EQ(owner->joined_at, t0);
    EXPECT_EQ(run(db_->members().count(space_id)), 1);
}

TEST_P(spaces_test, create_is_all_or_nothing) {
    // The owner is not a user: the last insert fails and takes the rest with it.
    auto c = channel_row(210, 200, channel_type::text);
    EXPECT_THROW(
        run(db_->spaces().create(space_row(200, "Broken", alice), {.id = 200, .name = "@everyone"},
                                 {c}, member_row(200, 999))),
        error_exception);
    EXPECT_FALSE(run(db_->spaces().get(200)).has_value());
    EXPECT_TRUE(run(db_->roles().list(200)).empty());
    EXPECT_FALSE(run(db_->channels().get(210)).has_value());
}

TEST_P(spaces_test, update_changes_name_icon_and_owner) {
    run(db_->spaces().update(
        {.id = space_id, .name = "Renamed", .icon = 77, .owner_id = bob, .created_at = 1}));
    auto s = run(db_->spaces().get(space_id));
    ASSERT_TRUE(s.has_value());
    EXPECT_EQ(s->name, "Renamed");
    EXPECT_EQ(s->icon, std::optional<id_t>(77));
    EXPECT_EQ(s->owner_id, bob);
    EXPECT_EQ(s->created_at, t0);  // not changeable
}

TEST_P(spaces_test, for_user_lists_the_spaces_a_user_is_member_of) {
    run(db_->spaces().create(space_row(200, "Other", bob, t0), {.name = "@everyone"}, {},
                             member_row(0, bob, t0)));
    join(bob);
    auto of_bob = run(db_->spaces().for_user(bob));
    ASSERT_EQ(of_bob.size(), 2u);
    EXPECT_EQ(of_bob[0].id, space_id);
    EXPECT_EQ(of_bob[1].id, 200u);
    auto of_alice = run(db_->spaces().for_user(alice));
    ASSERT_EQ(of_alice.size(), 1u);
    EXPECT_EQ(of_alice[0].id, space_id);
    EXPECT_TRUE(run(db_->spaces().for_user(carol)).empty());
    // The space's @everyone took its id whatever the caller passed.
    EXPECT_EQ(run(db_->roles().list(200)).at(0).id, 200u);
}

TEST_P(spaces_test, remove_cascades_to_everything_in_the_space) {
    join(bob);
    run(db_->roles().create({.id = 120, .space_id = space_id, .name = "mod", .position = 1}));
    ASSERT_TRUE(run(db_->members().update(space_id, bob, roles_update({120}))).has_value());
    run(db_->invites().create({.code = "abc", .space_id = space_id, .creator_id = alice}));
    run(db_->bans().put(ban_row(space_id, carol, alice)));
    run(db_->audit().append(audit_row(1, space_id, alice, "x")));
    make_channel(130, channel_type::thread, general);
    post(1000, general, alice, "hello there");
    post(1001, 130, bob, "in a thread");
    run(db_->read_states().ack(bob, general, 1000));

    run(db_->spaces().remove(space_id));

    EXPECT_FALSE(run(db_->spaces().get(space_id)).has_value());
    EXPECT_TRUE(run(db_->roles().list(space_id)).empty());
    EXPECT_EQ(run(db_->members().count(space_id)), 0);
    EXPECT_FALSE(run(db_->members().get(space_id, bob)).has_value());
    EXPECT_FALSE(run(db_->invites().get("abc")).has_value());
    EXPECT_TRUE(run(db_->bans().list(space_id)).empty());
    EXPECT_TRUE(run(db_->audit().list(space_id, 0, 10)).empty());
    EXPECT_TRUE(run(db_->channels().list(space_id)).empty());
    EXPECT_FALSE(run(db_->channels().get(130)).has_value());
    EXPECT_FALSE(run(db_->messages().get(general, 1000, 0)).has_value());
    EXPECT_FALSE(run(db_->messages().get(130, 1001, 0)).has_value());
    EXPECT_TRUE(run(db_->read_states().for_user(bob)).empty());
    EXPECT_TRUE(run(db_->messages().search("hello", {general, 130}, 0, 0, 10, 0)).empty());
    EXPECT_TRUE(run(db_->spaces().for_user(bob)).empty());
}

TEST_P(spaces_test, roles_round_trip_every_field_and_full_64_bit_permissions) {
    role r{.id = 120,
           .space_id = space_id,
           .name = "admin",
           .permissions = 0xFFFF'FFFF'FFFF'FFFFull,
           .position = 3,
           .color = 0xFFAA00,
           .hoist = true,
           .mentionable = true};
    run(db_->roles().create(r));
    auto roles = run(db_->roles().list(space_id));
    ASSERT_EQ(roles.size(), 2u);
    EXPECT_EQ(fields(roles[1]), fields(r));

    r.name = "boss";
    r.permissions = 0x8000'0000'0000'0001ull;
    r.position = 2;
    r.hoist = false;
    run(db_->roles().update(r));
    roles = run(db_->roles().list(space_id));
    EXPECT_EQ(fields(roles[1]), fields(r));
}

TEST_P(spaces_test, roles_are_listed_by_position_and_reordered_together) {
    run(db_->roles().create({.id = 120, .space_id = space_id, .name = "a", .position = 2}));
    run(db_->roles().create({.id = 121, .space_id = space_id, .name = "b", .position = 1}));
    auto order = [&] {
        std::vector<id_t> ids;
        for (const auto& r : run(db_->roles().list(space_id))) ids.push_back(r.id);
        return ids;
    };
    EXPECT_EQ(order(), (std::vector<id_t>{space_id, 121, 120}));
    run(db_->roles().set_positions(space_id, {{120, 1}, {121, 2}}));
    EXPECT_EQ(order(), (std::vector<id_t>{space_id, 120, 121}));
}

TEST_P(spaces_test, removing_a_role_takes_it_from_every_member) {
    join(bob);
    join(carol);
    run(db_->roles().create({.id = 120, .space_id = space_id, .name = "a", .position = 1}));
    run(db_->roles().create({.id = 121, .space_id = space_id, .name = "b", .position = 2}));
    run(db_->members().update(space_id, bob, roles_update({120, 121})));
    run(db_->members().update(space_id, carol, roles_update({120})));

    EXPECT_TRUE(run(db_->roles().remove(space_id, 120)));
    EXPECT_FALSE(run(db_->roles().remove(space_id, 120)));
    EXPECT_EQ(run(db_->members().get(space_id, bob))->role_ids, std::vector<id_t>{121});
    EXPECT_TRUE(run(db_->members().get(space_id, carol))->role_ids.empty());
    EXPECT_EQ(run(db_->roles().list(space_id)).size(), 2u);
    // Another space's id does not reach this space's roles.
    EXPECT_FALSE(run(db_->roles().remove(999, 121)));
}

TEST_P(spaces_test, bans_put_get_list_and_remove) {
    EXPECT_FALSE(run(db_->bans().get(space_id, bob)).has_value());
    run(db_->bans().put({.space_id = space_id,
                         .user_id = bob,
                         .reason = "spam",
                         .banned_by = alice,
                         .created_at = t0}));
    run(db_->bans().put(ban_row(space_id, carol, alice)));
    // Banning again replaces the record.
    run(db_->bans().put({.space_id = space_id,
                         .user_id = bob,
                         .reason = "more spam",
                         .banned_by = alice,
                         .created_at = t0 + 5}));
    auto b = run(db_->bans().get(space_id, bob));
    ASSERT_TRUE(b.has_value());
    EXPECT_EQ(b->reason, "more spam");
    EXPECT_EQ(b->banned_by, alice);
    EXPECT_EQ(b->created_at, t0 + 5);

    auto all = run(db_->bans().list(space_id));
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[0].user_id, bob);
    EXPECT_EQ(all[1].user_id, carol);

    EXPECT_TRUE(run(db_->bans().remove(space_id, bob)));
    EXPECT_FALSE(run(db_->bans().remove(space_id, bob)));
    EXPECT_FALSE(run(db_->bans().get(space_id, bob)).has_value());
}

TEST_P(spaces_test, audit_log_is_listed_newest_first_in_pages) {
    for (id_t id = 1; id <= 5; ++id) {
        run(db_->audit().append({.id = id,
                                 .space_id = space_id,
                                 .actor_id = alice,
                                 .action = "channel_create",
                                 .target_id = 100 + id,
                                 .changes = R"({"name":"x"})",
                                 .reason = "r" + std::to_string(id),
                                 .created_at = t0 + static_cast<std::int64_t>(id)}));
    }
    auto first = run(db_->audit().list(space_id, 0, 2));
    ASSERT_EQ(first.size(), 2u);
    EXPECT_EQ(first[0].id, 5u);
    EXPECT_EQ(first[1].id, 4u);
    EXPECT_EQ(first[0].action, "channel_create");
    EXPECT_EQ(first[0].target_id, 105u);
    EXPECT_EQ(first[0].changes, R"({"name":"x"})");
    EXPECT_EQ(first[0].reason, "r5");
    EXPECT_EQ(first[0].actor_id, alice);
    EXPECT_EQ(first[0].created_at, t0 + 5);

    auto next = run(db_->audit().list(space_id, first.back().id, 10));
    ASSERT_EQ(next.size(), 3u);
    EXPECT_EQ(next[0].id, 3u);
    EXPECT_EQ(next[2].id, 1u);
    EXPECT_TRUE(run(db_->audit().list(999, 0, 10)).empty());
}

TEST_P(spaces_test, audit_entry_without_id_gets_one) {
    run(db_->audit().append(audit_row(0, space_id, alice, "a")));
    run(db_->audit().append(audit_row(0, space_id, alice, "b")));
    auto entries = run(db_->audit().list(space_id, 0, 10));
    ASSERT_EQ(entries.size(), 2u);
    EXPECT_EQ(entries[0].action, "b");
    EXPECT_GT(entries[0].id, entries[1].id);
    EXPECT_EQ(entries[0].changes, "{}");
}

}  // namespace
}  // namespace driftway::store::testing
