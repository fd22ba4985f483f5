#include "messages/names.hpp"

#include <gtest/gtest.h>

namespace driftway::text::messages {
namespace {

TEST(reaction_emoji, unicode_emoji_are_accepted) {
    for (const char* e :
         {"\xF0\x9F\x91\x8D",                  // 👍
          "\xE2\x9D\xA4\xEF\xB8\x8F",          // ❤️
          "\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD",  // 👍🏽
          "#\xEF\xB8\x8F\xE2\x83\xA3",         // #️⃣ (keycap)
          "\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x91\xA7"})
        EXPECT_TRUE(valid_reaction_emoji(e)) << e;
}

TEST(reaction_emoji, words_paths_and_junk_are_refused) {
    for (const char* e :
         {"", "a", "thumbsup", "1", "#", ":+1:", "\xF0\x9F\x91\x8D x", "\xF0\x9F\x91\x8D\n",
          "\xF0\x9F\x91\x8D/..", "..\\\xF0\x9F\x91\x8D", "%F0%9F%91%8D", "\xF0\x9F\x91", "\xFF"})
        EXPECT_FALSE(valid_reaction_emoji(e)) << e;
    std::string long_one;
    for (int i = 0; i < 9; ++i) long_one += "\xF0\x9F\x91\x8D";  // 36 bytes
    EXPECT_FALSE(valid_reaction_emoji(long_one));
    EXPECT_TRUE(valid_reaction_emoji(long_one.substr(0, 32)));
}

TEST(filename, keeps_the_base_name) {
    EXPECT_EQ(sanitize_filename("report.pdf"), "report.pdf");
    EXPECT_EQ(sanitize_filename("C:\\Users\\me\\report.pdf"), "report.pdf");
    EXPECT_EQ(sanitize_filename("../../etc/passwd"), "passwd");
    EXPECT_EQ(sanitize_filename("  spaced name.txt  "), "spaced name.txt");
    EXPECT_EQ(sanitize_filename("\xE2\x82\xAC rates.txt"), "\xE2\x82\xAC rates.txt");
}

TEST(filename, drops_control_characters) {
    EXPECT_EQ(sanitize_filename("a\r\nContent-Type: x.txt"), "aContent-Type: x.txt");
    EXPECT_EQ(sanitize_filename(std::string("nul\0byte.txt", 12)), "nulbyte.txt");
    EXPECT_EQ(sanitize_filename("del\x7f.txt"), "del.txt");
    EXPECT_EQ(sanitize_filename("c1\xC2\x85.txt"), "c1.txt");              // U+0085 NEL
    EXPECT_EQ(sanitize_filename("nbsp\xC2\xA0.txt"), "nbsp\xC2\xA0.txt");  // U+00A0 is not C1
}

TEST(filename, refuses_what_is_left_unusable) {
    for (const char* n : {"", "   ", ".", "..", "dir/", "a/..", "\x01\x02", "\xC3\x28.txt"})
        EXPECT_FALSE(sanitize_filename(n)) << n;
}

TEST(filename, cut_to_255_bytes_on_a_code_point_boundary) {
    std::string name;
    for (int i = 0; i < 100; ++i) name += "\xE2\x82\xAC";  // 300 bytes of 3-byte code points
    const auto out = sanitize_filename(name);
    ASSERT_TRUE(out);
    EXPECT_EQ(out->size(), 255u);
    const auto exact = sanitize_filename(std::string(255, 'a'));
    ASSERT_TRUE(exact);
    EXPECT_EQ(exact->size(), 255u);
    std::string mixed = std::string(254, 'a') + "\xE2\x82\xAC";
    EXPECT_EQ(sanitize_filename(mixed), std::string(254, 'a'));
}

TEST(percent_encode, only_unreserved_characters_stay) {
    EXPECT_EQ(percent_encode_segment("a-b_c.d~e"), "a-b_c.d~e");
    EXPECT_EQ(percent_encode_segment("my file?#/%.txt"), "my%20file%3F%23%2F%25.txt");
    EXPECT_EQ(percent_encode_segment("\xE2\x82\xAC"), "%E2%82%AC");
}

TEST(content_disposition, inline_or_attachment_with_both_filename_forms) {
    EXPECT_EQ(content_disposition(true, "cat.png"),
              "inline; filename=\"cat.png\"; filename*=UTF-8''cat.png");
    EXPECT_EQ(content_disposition(false, "a \"b\"\\\xE2\x82\xAC.html"),
              "attachment; filename=\"a _b_____.html\"; "
              "filename*=UTF-8''a%20%22b%22%5C%E2%82%AC.html");
}

}  // namespace
}  // namespace driftway::text::messages
