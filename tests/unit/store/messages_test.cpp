#include "text_fixture.hpp"

namespace driftway::store::testing {
namespace {

class messages_test : public text_test {
protected:
    attachment upload(id_t id, id_t uploader, std::string name = "f.png") {
        attachment a{.id = id,
                     .uploader_id = uploader,
                     .filename = std::move(name),
                     .content_type = "image/png",
                     .size = 1234,
                     .sha256 = std::string(64, 'a'),
                     .created_at = t0};
        run(db_->attachments().create(a));
        return a;
    }
};
DRIFTWAY_STORE_SUITE(messages_test);

TEST_P(messages_test, create_returns_the_complete_stored_message) {
    join(bob);
    upload(900, alice, "a.png");
    upload(901, alice, "b.txt");
    auto m = draft(1000, general, alice, "hi <@2>", t0 + 7);
    m.reply_to = 999;
    m.mentions = {bob, bob, carol};
    m.mention_everyone = true;
    m.nonce = "n1";
    bool created = false;
    auto stored = run(db_->messages().create(m, {901, 900}, {bob}, &created));
    EXPECT_TRUE(created);
    EXPECT_EQ(stored.id, 1000u);
    EXPECT_EQ(stored.content, "hi <@2>");
    EXPECT_EQ(stored.created_at, t0 + 7);
    EXPECT_EQ(stored.reply_to, 999u);
    EXPECT_EQ(stored.nonce, "n1");
    EXPECT_TRUE(stored.mention_everyone);
    EXPECT_EQ(stored.mentions, (std::vector<id_t>{bob, carol}));
    ASSERT_EQ(stored.attachments.size(), 2u);
    EXPECT_EQ(stored.attachments[0].id, 900u);
    EXPECT_EQ(stored.attachments[0].message_id, 1000u);
    EXPECT_EQ(stored.attachments[0].channel_id, general);
    EXPECT_EQ(stored.attachments[1].filename, "b.txt");

    // What a reader sees afterwards is the same.
    auto got = run(db_->messages().get(general, 1000, bob));
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(got->content, stored.content);
    EXPECT_EQ(got->mentions, stored.mentions);
    EXPECT_EQ(got->reply_to, 999u);
    EXPECT_TRUE(got->mention_everyone);
    ASSERT_EQ(got->attachments.size(), 2u);
    EXPECT_EQ(got->attachments[1].id, 901u);
    EXPECT_EQ(run(db_->attachments().get(900))->message_id, 1000u);
    EXPECT_FALSE(run(db_->messages().get(lounge, 1000, bob)).has_value());
}

TEST_P(messages_test, create_claims_only_the_authors_unclaimed_attachments) {
    upload(900, alice);
    upload(901, bob);
    auto first =
        run(db_->messages().create(draft(1000, general, alice, "one", t0), {900}, {}, nullptr));
    ASSERT_EQ(first.attachments.size(), 1u);
    auto second = run(db_->messages().create(draft(1001, general, alice, "two", t0),
                                             {900, 901, 902}, {}, nullptr));
    EXPECT_TRUE(second.attachments.empty());
    EXPECT_EQ(run(db_->attachments().get(900))->message_id, 1000u);
    auto bobs = run(db_->attachments().get(901));
    EXPECT_EQ(bobs->message_id, 0u);
    EXPECT_EQ(bobs->channel_id, 0u);
}

TEST_P(messages_test, create_updates_last_message_id_and_mention_counts) {
    join(bob);
    join(carol);
    post(1000, general, alice, "a");
    run(db_->messages().create(draft(1001, general, alice, "b", t0), {}, {bob, carol}, nullptr));
    run(db_->messages().create(draft(1002, general, alice, "c", t0), {}, {bob}, nullptr));
    EXPECT_EQ(run(db_->channels().get(general))->last_message_id, 1002u);
    // An older id arriving late does not move it back.
    post(999, general, alice, "late");
    EXPECT_EQ(run(db_->channels().get(general))->last_message_id, 1002u);

    auto bobs = run(db_->read_states().for_user(bob));
    ASSERT_EQ(bobs.size(), 1u);
    EXPECT_EQ(bobs[0].channel_id, general);
    EXPECT_EQ(bobs[0].mention_count, 2);
    EXPECT_EQ(bobs[0].last_read_id, 0u);
    EXPECT_EQ(run(db_->read_states().for_user(carol)).at(0).mention_count, 1);
}

TEST_P(messages_test, nonce_returns_the_first_message_within_ten_minutes) {
    auto first = draft(1000, general, alice, "first", t0);
    first.nonce = "retry-me";
    bool created = false;
    run(db_->messages().create(first, {}, {}, &created));
    EXPECT_TRUE(created);

    auto retry = draft(1001, general, alice, "second", t0 + 10 * 60 * 1000 - 1);
    retry.nonce = "retry-me";
    auto again = run(db_->messages().create(retry, {}, {bob}, &created));
    EXPECT_FALSE(created);
    EXPECT_EQ(again.id, 1000u);
    EXPECT_EQ(again.content, "first");
    EXPECT_EQ(ids_in(general), std::vector<id_t>{1000});
    EXPECT_TRUE(run(db_->read_states().for_user(bob)).empty());

    // Another author's nonce is theirs.
    join(bob);
    auto bobs = draft(1002, general, bob, "bob's", t0 + 1);
    bobs.nonce = "retry-me";
    run(db_->messages().create(bobs, {}, {}, &created));
    EXPECT_TRUE(created);

    // After the window the nonce is free again.
    auto later = draft(1003, general, alice, "later", t0 + 10 * 60 * 1000 + 1);
    later.nonce = "retry-me";
    auto fresh = run(db_->messages().create(later, {}, {}, &created));
    EXPECT_TRUE(created);
    EXPECT_EQ(fresh.id, 1003u);
    EXPECT_EQ(ids_in(general), (std::vector<id_t>{1000, 1002, 1003}));
}

TEST_P(messages_test, an_empty_nonce_never_deduplicates) {
    post(1000, general, alice, "same");
    bool created = false;
    run(db_->messages().create(draft(1001, general, alice, "same", t0), {}, {}, &created));
    EXPECT_TRUE(created);
    EXPECT_EQ(ids_in(general).size(), 2u);
}

TEST_P(messages_test, create_in_an_unknown_channel_fails_and_stores_nothing) {
    EXPECT_THROW(post(1000, 999, alice, "nowhere"), error_exception);
    EXPECT_THROW(post(1001, general, 999, "nobody"), error_exception);
    EXPECT_TRUE(ids_in(general).empty());
}

class page_test : public messages_test {
protected:
    void SetUp() override {
        messages_test::SetUp();
        for (id_t id = 1; id <= 10; ++id) post(1000 + id, general, alice, "m");
        post(2000, lounge, alice, "other channel");
    }
    std::vector<id_t> page(message_page p) {
        return ids_of(run(db_->messages().page(general, p, alice)));
    }
    static std::vector<id_t> range(id_t from, id_t to) {  // inclusive, either direction
        std::vector<id_t> out;
        for (id_t i = from;; from <= to ? ++i : --i) {
            out.push_back(i);
            if (i == to) break;
        }
        return out;
    }
};
DRIFTWAY_STORE_SUITE(page_test);

TEST_P(page_test, newest_first_without_anchor) {
    EXPECT_EQ(page({.limit = 3}), range(1010, 1008));
    EXPECT_EQ(page({.limit = 50}), range(1010, 1001));
    EXPECT_TRUE(page({.limit = 0}).empty());
}

TEST_P(page_test, before_is_newest_first_and_exclusive) {
    EXPECT_EQ(page({.before = 1005, .limit = 2}), range(1004, 1003));
    EXPECT_EQ(page({.before = 1003, .limit = 50}), range(1002, 1001));
    EXPECT_TRUE(page({.before = 1001, .limit = 50}).empty());
    EXPECT_EQ(page({.before = 5000, .limit = 1}), range(1010, 1010));
}

TEST_P(page_test, after_is_oldest_first_and_exclusive) {
    EXPECT_EQ(page({.after = 1005, .limit = 2}), range(1006, 1007));
    EXPECT_EQ(page({.after = 1008, .limit = 50}), range(1009, 1010));
    EXPECT_TRUE(page({.after = 1010, .limit = 50}).empty());
    EXPECT_EQ(page({.after = 1, .limit = 1}), range(1001, 1001));
}

TEST_P(page_test, around_is_centred_and_oldest_first) {
    EXPECT_EQ(page({.around = 1005, .limit = 4}), range(1003, 1006));
    EXPECT_EQ(page({.around = 1005, .limit = 5}), range(1003, 1007));
    EXPECT_EQ(page({.around = 1005, .limit = 1}), range(1005, 1005));
    // At the edges the missing side stays short.
    EXPECT_EQ(page({.around = 1001, .limit = 4}), range(1001, 1002));
    EXPECT_EQ(page({.around = 1010, .limit = 4}), range(1008, 1010));
    // Around an id that is not a message of the channel.
    EXPECT_EQ(page({.around = 2000, .limit = 4}), range(1009, 1010));
}

TEST_P(page_test, page_carries_attachments_mentions_and_reactions) {
    run(db_->attachments().create({.id = 900,
                                   .uploader_id = alice,
                                   .filename = "x",
                                   .content_type = "text/plain",
                                   .size = 1,
                                   .sha256 = "s",
                                   .created_at = t0}));
    auto m = draft(1011, general, alice, "with details", t0 + 11);
    m.mentions = {carol, bob};
    run(db_->messages().create(m, {900}, {}, nullptr));
    run(db_->messages().add_reaction(general, 1011, bob, "👍"));
    run(db_->messages().add_reaction(general, 1010, alice, "🎉"));

    auto msgs = run(db_->messages().page(general, {.after = 1009, .limit = 5}, alice));
    ASSERT_EQ(ids_of(msgs), range(1010, 1011));
    ASSERT_EQ(msgs[0].reactions.size(), 1u);
    EXPECT_TRUE(msgs[0].reactions[0].me);
    EXPECT_TRUE(msgs[0].attachments.empty());
    EXPECT_TRUE(msgs[0].mentions.empty());
    ASSERT_EQ(msgs[1].attachments.size(), 1u);
    EXPECT_EQ(msgs[1].attachments[0].id, 900u);
    EXPECT_EQ(msgs[1].mentions, (std::vector<id_t>{bob, carol}));
    ASSERT_EQ(msgs[1].reactions.size(), 1u);
    EXPECT_FALSE(msgs[1].reactions[0].me);
}

TEST_P(messages_test, reactions_count_users_and_say_whether_the_viewer_reacted) {
    join(bob);
    join(carol);
    post(1000, general, alice, "react to me");
    EXPECT_TRUE(run(db_->messages().add_reaction(general, 1000, bob, "🎉")));
    EXPECT_TRUE(run(db_->messages().add_reaction(general, 1000, alice, "👍")));
    EXPECT_TRUE(run(db_->messages().add_reaction(general, 1000, carol, "🎉")));
    EXPECT_FALSE(run(db_->messages().add_reaction(general, 1000, carol, "🎉")));
    EXPECT_FALSE(run(db_->messages().add_reaction(lounge, 1000, carol, "👍")));
    EXPECT_FALSE(run(db_->messages().add_reaction(general, 4242, carol, "👍")));

    auto as_bob = run(db_->messages().get(general, 1000, bob));
    ASSERT_EQ(as_bob->reactions.size(), 2u);
    // In the order each emoji first appeared.
    EXPECT_EQ(as_bob->reactions[0].emoji, "🎉");
    EXPECT_EQ(as_bob->reactions[0].count, 2);
    EXPECT_TRUE(as_bob->reactions[0].me);
    EXPECT_EQ(as_bob->reactions[1].emoji, "👍");
    EXPECT_EQ(as_bob->reactions[1].count, 1);
    EXPECT_FALSE(as_bob->reactions[1].me);

    auto as_dave = run(db_->messages().get(general, 1000, dave));
    EXPECT_FALSE(as_dave->reactions[0].me);
    EXPECT_FALSE(as_dave->reactions[1].me);

    EXPECT_TRUE(run(db_->messages().remove_reaction(general, 1000, bob, "🎉")));
    EXPECT_FALSE(run(db_->messages().remove_reaction(general, 1000, bob, "🎉")));
    EXPECT_FALSE(run(db_->messages().remove_reaction(lounge, 1000, carol, "🎉")));
    as_bob = run(db_->messages().get(general, 1000, bob));
    EXPECT_EQ(as_bob->reactions[0].count, 1);
    EXPECT_FALSE(as_bob->reactions[0].me);
    EXPECT_TRUE(run(db_->messages().remove_reaction(general, 1000, carol, "🎉")));
    as_bob = run(db_->messages().get(general, 1000, bob));
    ASSERT_EQ(as_bob->reactions.size(), 1u);
    EXPECT_EQ(as_bob->reactions[0].emoji, "👍");
}

TEST_P(messages_test, edit_changes_content_and_edited_at) {
    post(1000, general, alice, "draft");
    run(db_->messages().add_reaction(general, 1000, alice, "👍"));
    auto edited = run(db_->messages().edit(general, 1000, "final", t0 + 99, alice));
    ASSERT_TRUE(edited.has_value());
    EXPECT_EQ(edited->content, "final");
    EXPECT_EQ(edited->edited_at, t0 + 99);
    EXPECT_EQ(edited->created_at, t0 + 1000);
    ASSERT_EQ(edited->reactions.size(), 1u);
    EXPECT_TRUE(edited->reactions[0].me);
    EXPECT_EQ(run(db_->messages().get(general, 1000, 0))->content, "final");

    auto missing = run(db_->messages().edit(lounge, 1000, "x", t0, alice));
    ASSERT_FALSE(missing.has_value());
    EXPECT_EQ(missing.error().status, 404);
    EXPECT_EQ(missing.error().code, "unknown_message");
}

TEST_P(messages_test, remove_deletes_the_message_with_its_reactions_and_attachments) {
    run(db_->attachments().create({.id = 900,
                                   .uploader_id = alice,
                                   .filename = "x",
                                   .content_type = "text/plain",
                                   .size = 1,
                                   .sha256 = "s",
                                   .created_at = t0}));
    run(db_->messages().create(draft(1000, general, alice, "bye", t0), {900}, {}, nullptr));
    run(db_->messages().add_reaction(general, 1000, alice, "👋"));
    EXPECT_FALSE(run(db_->messages().remove(lounge, 1000)));
    EXPECT_TRUE(run(db_->messages().remove(general, 1000)));
    EXPECT_FALSE(run(db_->messages().remove(general, 1000)));
    EXPECT_FALSE(run(db_->messages().get(general, 1000, 0)).has_value());
    EXPECT_FALSE(run(db_->attachments().get(900)).has_value());
    // The id can be used again with nothing of the old message left over.
    post(1000, general, alice, "again");
    EXPECT_TRUE(run(db_->messages().get(general, 1000, alice))->reactions.empty());
}

TEST_P(messages_test, remove_recent_by_deletes_one_authors_recent_messages_in_one_space) {
    join(bob);
    make_channel(139, channel_type::thread, general);
    make_channel(150, channel_type::dm, 0, 0, {alice, bob});
    post(1000, general, bob, "old", t0 - 1);
    post(1001, general, bob, "recent", t0);
    post(1002, 139, bob, "recent in thread", t0 + 5);
    post(1003, general, alice, "not bob", t0 + 5);
    post(1004, 150, bob, "dm", t0 + 5);

    auto removed = run(db_->messages().remove_recent_by(space_id, bob, t0));
    EXPECT_EQ(removed, (std::vector<std::pair<id_t, id_t>>{{general, 1001}, {139, 1002}}));
    EXPECT_EQ(ids_in(general), (std::vector<id_t>{1000, 1003}));
    EXPECT_TRUE(ids_in(139).empty());
    EXPECT_EQ(ids_in(150), std::vector<id_t>{1004});
    EXPECT_TRUE(run(db_->messages().remove_recent_by(space_id, bob, t0)).empty());
}

TEST_P(messages_test, pins_are_newest_first) {
    post(1000, general, alice, "a");
    post(1001, general, alice, "b");
    post(1002, general, alice, "c");
    EXPECT_TRUE(run(db_->messages().set_pinned(general, 1000, true)));
    EXPECT_TRUE(run(db_->messages().set_pinned(general, 1002, true)));
    EXPECT_TRUE(run(db_->messages().set_pinned(general, 1002, true)));  // already: still there
    EXPECT_FALSE(run(db_->messages().set_pinned(lounge, 1001, true)));
    EXPECT_FALSE(run(db_->messages().set_pinned(general, 4242, true)));
    auto pins = run(db_->messages().pins(general, alice));
    EXPECT_EQ(ids_of(pins), (std::vector<id_t>{1002, 1000}));
    EXPECT_TRUE(pins[0].pinned);
    EXPECT_TRUE(run(db_->messages().set_pinned(general, 1002, false)));
    EXPECT_EQ(ids_of(run(db_->messages().pins(general, alice))), std::vector<id_t>{1000});
    EXPECT_FALSE(run(db_->messages().get(general, 1002, 0))->pinned);
}

TEST_P(messages_test, read_state_ack_never_moves_back_and_clears_mentions) {
    post(1000, general, alice, "a");
    run(db_->messages().create(draft(1001, general, alice, "@bob", t0), {}, {bob}, nullptr));
    auto acked = run(db_->read_states().ack(bob, general, 1001));
    EXPECT_EQ(acked.channel_id, general);
    EXPECT_EQ(acked.last_read_id, 1001u);
    EXPECT_EQ(acked.mention_count, 0);
    run(db_->messages().create(draft(1002, general, alice, "@bob", t0), {}, {bob}, nullptr));
    EXPECT_EQ(run(db_->read_states().for_user(bob)).at(0).mention_count, 1);
    acked = run(db_->read_states().ack(bob, general, 1000));
    EXPECT_EQ(acked.last_read_id, 1001u);
    EXPECT_EQ(acked.mention_count, 0);
    run(db_->read_states().ack(bob, lounge, 5));
    auto states = run(db_->read_states().for_user(bob));
    ASSERT_EQ(states.size(), 2u);
    EXPECT_EQ(states[0].channel_id, general);
    EXPECT_EQ(states[0].last_read_id, 1001u);
    EXPECT_EQ(states[1].channel_id, lounge);
    EXPECT_EQ(states[1].last_read_id, 5u);
}

TEST_P(messages_test, attachment_round_trips_every_field) {
    auto a = upload(900, bob, "report.pdf");
    auto got = run(db_->attachments().get(900));
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(got->uploader_id, bob);
    EXPECT_EQ(got->message_id, 0u);
    EXPECT_EQ(got->channel_id, 0u);
    EXPECT_EQ(got->filename, "report.pdf");
    EXPECT_EQ(got->content_type, "image/png");
    EXPECT_EQ(got->size, 1234);
    EXPECT_EQ(got->sha256, a.sha256);
    EXPECT_EQ(got->created_at, t0);
    EXPECT_FALSE(run(db_->attachments().get(901)).has_value());
}

TEST_P(messages_test, messages_survive_reopening) {
    if (!GetParam().persistent) GTEST_SKIP() << "data does not outlive the backend";
    post(1000, general, alice, "kept");
    reopen();
    EXPECT_EQ(run(db_->messages().get(general, 1000, 0))->content, "kept");
    EXPECT_EQ(run(db_->messages().search("kept", {general}, 0, 0, 10, 0)).size(), 1u);
}

}  // namespace
}  // namespace driftway::store::testing
