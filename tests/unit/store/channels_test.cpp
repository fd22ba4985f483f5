#include "text_fixture.hpp"

#include <tuple>

namespace driftway::store::testing {
namespace {

class channels_test : public text_test {};
DRIFTWAY_STORE_SUITE(channels_test);

std::vector<id_t> channel_ids(const std::vector<channel>& channels) {
    std::vector<id_t> ids;
    for (const auto& c : channels) ids.push_back(c.id);
    return ids;
}

auto fields(const overwrite_row& o) {
    return std::tie(o.id, o.is_member, o.allow, o.deny);
}

TEST_P(channels_test, create_then_get_every_field_with_overwrites) {
    channel c{.id = 130,
              .space_id = space_id,
              .name = "secret",
              .type = channel_type::text,
              .topic = "shh",
              .parent_id = 0,
              .position = 4,
              .overwrites = {{.id = space_id,
                              .is_member = false,
                              .allow = 0,
                              .deny = 0x8000'0000'0000'0400ull},
                             {.id = bob, .is_member = true, .allow = 0x400, .deny = 0}},
              .recipients = {},
              .owner_id = alice,
              .origin_message_id = 0,
              .last_message_id = 0,
              .created_at = t0 + 3};
    run(db_->channels().create(c));
    auto got = run(db_->channels().get(130));
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(got->space_id, space_id);
    EXPECT_EQ(got->name, "secret");
    EXPECT_EQ(got->type, channel_type::text);
    EXPECT_EQ(got->topic, "shh");
    EXPECT_EQ(got->position, 4);
    EXPECT_EQ(got->owner_id, alice);
    EXPECT_EQ(got->created_at, t0 + 3);
    ASSERT_EQ(got->overwrites.size(), 2u);
    // By target id: bob (2) before @everyone (100).
    EXPECT_EQ(fields(got->overwrites[0]), fields(c.overwrites[1]));
    EXPECT_EQ(fields(got->overwrites[1]), fields(c.overwrites[0]));
    EXPECT_FALSE(run(db_->channels().get(999)).has_value());
}

TEST_P(channels_test, list_orders_by_position_then_id_and_includes_threads_not_dms) {
    make_channel(140, channel_type::category);
    channel_update move;
    move.position = 1;
    run(db_->channels().update(140, move));
    make_channel(141, channel_type::text, 140);
    make_channel(139, channel_type::thread, general);
    make_channel(150, channel_type::dm, 0, 0, {alice, bob});
    auto list = run(db_->channels().list(space_id));
    // general(0) 139(0) 141(0), then lounge(1) 140(1)
    EXPECT_EQ(channel_ids(list), (std::vector<id_t>{general, 139, 141, lounge, 140}));
    EXPECT_EQ(list[1].parent_id, general);
    EXPECT_EQ(list[1].type, channel_type::thread);
}

TEST_P(channels_test, update_changes_only_given_fields_and_404s_unknown) {
    channel_update u;
    u.topic = "news";
    u.position = 7;
    auto updated = run(db_->channels().update(general, u));
    ASSERT_TRUE(updated.has_value());
    EXPECT_EQ(updated->name, "general");
    EXPECT_EQ(updated->topic, "news");
    EXPECT_EQ(updated->position, 7);
    make_channel(140, channel_type::category);
    u = {};
    u.name = "main";
    u.parent_id = 140;
    updated = run(db_->channels().update(general, u));
    ASSERT_TRUE(updated.has_value());
    EXPECT_EQ(updated->name, "main");
    EXPECT_EQ(updated->parent_id, 140u);
    EXPECT_EQ(updated->topic, "news");
    u = {};
    u.parent_id = 0;
    updated = run(db_->channels().update(general, u));
    EXPECT_EQ(updated->parent_id, 0u);

    u = {};
    u.name = "x";
    auto missing = run(db_->channels().update(999, u));
    ASSERT_FALSE(missing.has_value());
    EXPECT_EQ(missing.error().status, 404);
    EXPECT_EQ(missing.error().code, "unknown_channel");
}

TEST_P(channels_test, overwrites_are_upserted_and_removed) {
    run(db_->channels().put_overwrite(general, {.id = bob, .is_member = true, .allow = 1}));
    run(db_->channels().put_overwrite(
        general, {.id = bob, .is_member = true, .allow = 2, .deny = 0xFFFF'FFFF'FFFF'FFFFull}));
    auto c = run(db_->channels().get(general));
    ASSERT_EQ(c->overwrites.size(), 1u);
    EXPECT_EQ(c->overwrites[0].allow, 2u);
    EXPECT_EQ(c->overwrites[0].deny, 0xFFFF'FFFF'FFFF'FFFFull);
    EXPECT_TRUE(run(db_->channels().remove_overwrite(general, bob)));
    EXPECT_FALSE(run(db_->channels().remove_overwrite(general, bob)));
    EXPECT_TRUE(run(db_->channels().get(general))->overwrites.empty());
}

TEST_P(channels_test, remove_takes_messages_threads_overwrites_and_read_states) {
    join(bob);
    make_channel(139, channel_type::thread, general);
    run(db_->channels().put_overwrite(general, {.id = bob, .is_member = true, .allow = 1}));
    post(1000, general, alice, "parent message");
    post(1001, 139, bob, "thread message");
    post(1002, lounge, bob, "elsewhere");
    run(db_->read_states().ack(bob, general, 1000));
    run(db_->read_states().ack(bob, lounge, 1002));

    EXPECT_TRUE(run(db_->channels().remove(general)));
    EXPECT_FALSE(run(db_->channels().remove(general)));

    EXPECT_FALSE(run(db_->channels().get(general)).has_value());
    EXPECT_FALSE(run(db_->channels().get(139)).has_value());
    EXPECT_FALSE(run(db_->messages().get(general, 1000, 0)).has_value());
    EXPECT_FALSE(run(db_->messages().get(139, 1001, 0)).has_value());
    EXPECT_TRUE(run(db_->messages().get(lounge, 1002, 0)).has_value());
    auto states = run(db_->read_states().for_user(bob));
    ASSERT_EQ(states.size(), 1u);
    EXPECT_EQ(states[0].channel_id, lounge);
    EXPECT_EQ(channel_ids(run(db_->channels().list(space_id))), std::vector<id_t>{lounge});
}

TEST_P(channels_test, removing_a_category_keeps_its_channels) {
    make_channel(140, channel_type::category);
    make_channel(141, channel_type::text, 140);
    EXPECT_TRUE(run(db_->channels().remove(140)));
    auto kept = run(db_->channels().get(141));
    ASSERT_TRUE(kept.has_value());
    EXPECT_EQ(kept->parent_id, 0u);
}

TEST_P(channels_test, removing_a_thread_unlinks_the_message_it_started_from) {
    post(1000, general, alice, "start here");
    auto thread = channel_row(139, space_id, channel_type::thread, "t");
    thread.parent_id = general;
    thread.owner_id = alice;
    thread.origin_message_id = 1000;
    run(db_->channels().create(thread));
    run(db_->messages().set_thread(general, 1000, 139));
    EXPECT_EQ(run(db_->messages().get(general, 1000, 0))->thread_id, 139u);
    EXPECT_EQ(run(db_->channels().get(139))->origin_message_id, 1000u);

    EXPECT_TRUE(run(db_->channels().remove(139)));
    auto origin = run(db_->messages().get(general, 1000, 0));
    ASSERT_TRUE(origin.has_value());
    EXPECT_EQ(origin->thread_id, 0u);
}

TEST_P(channels_test, find_dm_matches_exactly_the_two_recipients) {
    make_channel(150, channel_type::group_dm, 0, 0, {alice, bob, carol});
    EXPECT_FALSE(run(db_->channels().find_dm(alice, bob)).has_value());
    make_channel(151, channel_type::dm, 0, 0, {alice, bob});
    make_channel(152, channel_type::dm, 0, 0, {alice, carol});
    make_channel(153, channel_type::dm, 0, 0, {dave});

    auto ab = run(db_->channels().find_dm(bob, alice));
    ASSERT_TRUE(ab.has_value());
    EXPECT_EQ(ab->id, 151u);
    EXPECT_EQ(ab->space_id, 0u);
    EXPECT_EQ(ab->recipients, (std::vector<id_t>{alice, bob}));
    EXPECT_EQ(run(db_->channels().find_dm(alice, carol))->id, 152u);
    EXPECT_FALSE(run(db_->channels().find_dm(bob, carol)).has_value());
    EXPECT_EQ(run(db_->channels().find_dm(dave, dave))->id, 153u);
    EXPECT_FALSE(run(db_->channels().find_dm(alice, alice)).has_value());
}

TEST_P(channels_test, private_channels_are_the_users_dms_and_group_dms) {
    make_channel(150, channel_type::group_dm, 0, 0, {alice, bob, carol});
    make_channel(151, channel_type::dm, 0, 0, {alice, bob});
    make_channel(152, channel_type::dm, 0, 0, {carol, dave});
    auto of_bob = run(db_->channels().private_channels(bob));
    ASSERT_EQ(channel_ids(of_bob), (std::vector<id_t>{150, 151}));
    EXPECT_EQ(of_bob[0].type, channel_type::group_dm);
    EXPECT_EQ(of_bob[0].recipients, (std::vector<id_t>{alice, bob, carol}));
    EXPECT_EQ(of_bob[1].recipients, (std::vector<id_t>{alice, bob}));
    EXPECT_EQ(channel_ids(run(db_->channels().private_channels(dave))), std::vector<id_t>{152});
    // alice owns the space; its channels are not private ones.
    EXPECT_EQ(channel_ids(run(db_->channels().private_channels(alice))),
              (std::vector<id_t>{150, 151}));
    // A DM's messages go with it like any channel's.
    post(1000, 151, alice, "hi");
    EXPECT_TRUE(run(db_->channels().remove(151)));
    EXPECT_FALSE(run(db_->messages().get(151, 1000, 0)).has_value());
    EXPECT_EQ(channel_ids(run(db_->channels().private_channels(bob))), std::vector<id_t>{150});
}

}  // namespace
}  // namespace driftway::store::testing
