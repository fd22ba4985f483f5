#include "text_fixture.hpp"

namespace driftway::store::testing {
namespace {

class message_search_test : public text_test {
protected:
    std::vector<search_hit> search(const std::string& q, std::vector<id_t> channels = {},
                                   id_t author = 0, id_t before = 0, int limit = 25) {
        if (channels.empty()) channels = {general, lounge};
        return run(db_->messages().search(q, channels, author, before, limit, alice));
    }
    static std::vector<id_t> hit_ids(const std::vector<search_hit>& hits) {
        std::vector<id_t> ids;
        for (const auto& h : hits) ids.push_back(h.msg.id);
        return ids;
    }
};
DRIFTWAY_STORE_SUITE(message_search_test);

TEST_P(message_search_test, ranks_better_matches_first_then_newer) {
    post(1000, general, alice, "the weather is nice and the sun is out today");
    post(1001, general, alice, "sun sun sun");
    post(1002, general, alice, "nothing to see");
    post(1003, general, alice, "the weather is nice and the sun is out today");
    auto hits = search("sun");
    ASSERT_EQ(hit_ids(hits), (std::vector<id_t>{1001, 1003, 1000}));
    EXPECT_LT(hits[0].rank, hits[1].rank);  // bm25: lower is better
    EXPECT_DOUBLE_EQ(hits[1].rank, hits[2].rank);
    EXPECT_EQ(hits[0].msg.content, "sun sun sun");
}

TEST_P(message_search_test, every_term_must_match_and_the_last_is_a_prefix) {
    post(1000, general, alice, "deploying the release tonight");
    post(1001, general, alice, "release notes");
    post(1002, general, alice, "tonight we dine");
    EXPECT_EQ(hit_ids(search("release tonight")), std::vector<id_t>{1000});
    EXPECT_EQ(hit_ids(search("relea")), (std::vector<id_t>{1001, 1000}));
    EXPECT_EQ(hit_ids(search("  RELEASE   not  ")), (std::vector<id_t>{1001}));
    // Only the last term is a prefix.
    EXPECT_TRUE(search("relea notes").empty());
}

TEST_P(message_search_test, folds_case_and_diacritics) {
    post(1000, general, alice, "Crème Brûlée at the café");
    EXPECT_EQ(hit_ids(search("creme brulee")), std::vector<id_t>{1000});
    EXPECT_EQ(hit_ids(search("CAFÉ")), std::vector<id_t>{1000});
}

TEST_P(message_search_test, highlights_matches_and_escapes_everything_else) {
    post(1000, general, alice, R"(<script>alert("x")</script> & the 'script' kiddie)");
    auto hits = search("script");
    ASSERT_EQ(hits.size(), 1u);
    EXPECT_EQ(hits[0].highlighted,
              "&lt;<mark>script</mark>&gt;alert(&quot;x&quot;)&lt;/<mark>script</mark>&gt; "
              "&amp; the &#39;<mark>script</mark>&#39; kiddie");
    EXPECT_EQ(hits[0].msg.content, R"(<script>alert("x")</script> & the 'script' kiddie)");

    post(1001, general, alice, "prefix matching highlights whole words");
    hits = search("highl");
    ASSERT_EQ(hits.size(), 1u);
    EXPECT_EQ(hits[0].highlighted, "prefix matching <mark>highlights</mark> whole words");
}

TEST_P(message_search_test, marker_characters_typed_by_users_stay_text) {
    // U+E000 and U+E001, the private-use characters that mark matches.
    post(1000, general, alice, "\xEE\x80\x80 fake \xEE\x80\x81 real");
    auto hits = search("real");
    ASSERT_EQ(hits.size(), 1u);
    EXPECT_EQ(hits[0].highlighted, "\xEE\x80\x80 fake \xEE\x80\x81 <mark>real</mark>");
}

TEST_P(message_search_test, query_syntax_is_taken_literally) {
    post(1000, general, alice, R"(say "hello" OR NOT -x (y) col:umn NEAR*)");
    post(1001, general, alice, "plain words");
    for (const std::string q : {R"("hello")", "OR", "NOT", "-x", "(y)", "col:umn", "NEAR", "\"",
                                "\"\"\"", "*", "^say", "hello\"", "AND"}) {
        EXPECT_NO_THROW({
            auto hits = search(q);
            for (const auto& h : hits) EXPECT_EQ(h.msg.id, 1000u) << q;
        }) << q;
    }
    // Bytes no client should send are no error either.
    for (const auto& q : {std::string("say\0hello", 9), std::string("\xff\xfe"),
                          std::string("\x01\x02"), std::string(5000, '"')}) {
        EXPECT_NO_THROW(search(q));
    }
    EXPECT_EQ(hit_ids(search(R"("hello")")), std::vector<id_t>{1000});
    EXPECT_EQ(hit_ids(search("col:umn")), std::vector<id_t>{1000});
    EXPECT_EQ(hit_ids(search("OR")), std::vector<id_t>{1000});
}

TEST_P(message_search_test, blank_queries_and_empty_channel_lists_find_nothing) {
    post(1000, general, alice, "anything");
    EXPECT_TRUE(search("").empty());
    EXPECT_TRUE(search(" \t\n ").empty());
    EXPECT_TRUE(run(db_->messages().search("anything", {}, 0, 0, 25, alice)).empty());
    EXPECT_TRUE(search("anything", {general}, 0, 0, 0).empty());
}

TEST_P(message_search_test, restricted_to_the_channels_given_author_and_before) {
    join(bob);
    post(1000, general, alice, "topic one");
    post(1001, lounge, alice, "topic two");
    post(1002, general, bob, "topic three");
    post(1003, general, alice, "topic four");
    make_channel(150, channel_type::dm, 0, 0, {alice, bob});
    post(1004, 150, bob, "topic secret");

    EXPECT_EQ(hit_ids(search("topic", {general})), (std::vector<id_t>{1003, 1002, 1000}));
    EXPECT_EQ(hit_ids(search("topic", {lounge, 150})), (std::vector<id_t>{1004, 1001}));
    EXPECT_EQ(hit_ids(search("topic", {general, lounge}, bob)), std::vector<id_t>{1002});
    EXPECT_EQ(hit_ids(search("topic", {general, lounge}, 0, 1002)),
              (std::vector<id_t>{1001, 1000}));
    EXPECT_EQ(hit_ids(search("topic", {general}, 0, 0, 2)), (std::vector<id_t>{1003, 1002}));
    EXPECT_TRUE(search("topic", {999}).empty());
}

TEST_P(message_search_test, hits_carry_the_messages_details) {
    join(bob);
    auto m = draft(1000, general, alice, "detailed result", t0);
    m.mentions = {bob};
    run(db_->messages().create(m, {}, {}, nullptr));
    run(db_->messages().add_reaction(general, 1000, alice, "👍"));
    auto hits = search("detailed");
    ASSERT_EQ(hits.size(), 1u);
    EXPECT_EQ(hits[0].msg.channel_id, general);
    EXPECT_EQ(hits[0].msg.author_id, alice);
    EXPECT_EQ(hits[0].msg.mentions, std::vector<id_t>{bob});
    ASSERT_EQ(hits[0].msg.reactions.size(), 1u);
    EXPECT_TRUE(hits[0].msg.reactions[0].me);
}

TEST_P(message_search_test, index_follows_edits_and_deletes) {
    post(1000, general, alice, "original wording");
    post(1001, general, alice, "doomed text");
    ASSERT_TRUE(run(db_->messages().edit(general, 1000, "revised phrasing", t0 + 1, alice)));
    EXPECT_TRUE(search("original").empty());
    auto hits = search("revised");
    ASSERT_EQ(hit_ids(hits), std::vector<id_t>{1000});
    EXPECT_EQ(hits[0].highlighted, "<mark>revised</mark> phrasing");

    // Pinning (an update that leaves content alone) keeps the index right.
    run(db_->messages().set_pinned(general, 1000, true));
    EXPECT_EQ(hit_ids(search("phrasing")), std::vector<id_t>{1000});

    ASSERT_TRUE(run(db_->messages().remove(general, 1001)));
    EXPECT_TRUE(search("doomed").empty());
    // An id used again after a delete finds only its own words.
    post(1001, general, alice, "fresh start");
    EXPECT_TRUE(search("doomed").empty());
    EXPECT_EQ(hit_ids(search("fresh")), std::vector<id_t>{1001});
}

TEST_P(message_search_test, index_follows_cascaded_deletes) {
    make_channel(130, channel_type::text);
    post(1000, 130, alice, "vanishing words");
    ASSERT_TRUE(run(db_->channels().remove(130)));
    make_channel(131, channel_type::text);
    post(1000, 131, alice, "replacement");
    EXPECT_TRUE(search("vanishing", {131}).empty());
    EXPECT_EQ(hit_ids(search("replacement", {131})), std::vector<id_t>{1000});
}

}  // namespace
}  // namespace driftway::store::testing
