#include "messages/mentions.hpp"

#include <gtest/gtest.h>

#include <string>

namespace driftway::text::messages {
namespace {

using ids = std::vector<std::uint64_t>;

TEST(mentions, user_mentions_in_order_without_duplicates) {
    const auto m = parse_mentions("hi <@123> and <@!456>, again <@123>");
    EXPECT_EQ(m.user_ids, (ids{123, 456}));
    EXPECT_FALSE(m.everyone);
}

TEST(mentions, malformed_mentions_are_plain_text) {
    const char* texts[] = {
        "<@>",
        "<@abc>",
        "<@12",
        "@123>",
        "<@0>",
        "<@0123>",
        "<@-5>",
        "< @5>",
        "<@ 5>",
        "<@99999999999999999999>",   // above 2^64 - 1
        "<@123456789012345678901>",  // 21 digits
        "<#123>",
        "<@&123>",  // channel and role mentions are not user mentions
    };
    for (const char* t : texts) {
        const auto m = parse_mentions(t);
        EXPECT_TRUE(m.user_ids.empty()) << t;
        EXPECT_FALSE(m.everyone) << t;
    }
}

TEST(mentions, largest_id_is_accepted) {
    EXPECT_EQ(parse_mentions("<@18446744073709551615>").user_ids, (ids{18446744073709551615ull}));
}

TEST(mentions, everyone_only_as_its_own_token) {
    EXPECT_TRUE(parse_mentions("@everyone").everyone);
    EXPECT_TRUE(parse_mentions("hey @everyone!").everyone);
    EXPECT_TRUE(parse_mentions("(@everyone)").everyone);
    EXPECT_FALSE(parse_mentions("mail me at team@everyone.example").everyone);
    EXPECT_FALSE(parse_mentions("@everyones").everyone);
    EXPECT_FALSE(parse_mentions("@Everyone").everyone);
    EXPECT_FALSE(parse_mentions("@every one").everyone);
}

TEST(mentions, distinct_user_mentions_are_capped) {
    std::string content;
    for (int i = 1; i <= 80; ++i) content += "<@" + std::to_string(i) + ">";
    content += " @everyone";
    const auto m = parse_mentions(content);
    ASSERT_EQ(m.user_ids.size(), max_user_mentions);
    EXPECT_EQ(m.user_ids.front(), 1u);
    EXPECT_EQ(m.user_ids.back(), max_user_mentions);
    EXPECT_TRUE(m.everyone) << "scanning goes on after the cap";
}

TEST(mentions, arbitrary_bytes_never_throw) {
    std::string junk;
    for (int i = 0; i < 4096; ++i) junk.push_back(static_cast<char>((i * 131) ^ (i >> 3)));
    junk += "<@";
    EXPECT_NO_THROW(parse_mentions(junk));
    EXPECT_NO_THROW(parse_mentions(std::string_view("<@1\0>", 5)));
}

}  // namespace
}  // namespace driftway::text::messages
