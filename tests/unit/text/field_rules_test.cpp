#include "routes/field_rules.hpp"

#include <gtest/gtest.h>

#include <set>

namespace driftway::text::routes {
namespace {

using store::channel_type;

TEST(channel_names, text_channels_are_lowercased_with_dashes) {
    EXPECT_EQ(normalize_channel_name(channel_type::text, "Release Notes"), "release-notes");
    EXPECT_EQ(normalize_channel_name(channel_type::text, "a  \t b"), "a-b");
    EXPECT_EQ(normalize_channel_name(channel_type::thread, "Bug 42"), "bug-42");
    // Non-ASCII letters pass through byte for byte.
    EXPECT_EQ(normalize_channel_name(channel_type::text, "Café Ünïcode"), "café-Ünïcode");
}

TEST(channel_names, other_types_keep_their_name) {
    EXPECT_EQ(normalize_channel_name(channel_type::voice, "Voice Lounge"), "Voice Lounge");
    EXPECT_EQ(normalize_channel_name(channel_type::category, "TEXT CHANNELS"), "TEXT CHANNELS");
}

TEST(rfc3339, parses_utc_times) {
    EXPECT_EQ(parse_rfc3339_ms("1970-01-01T00:00:00Z"), 0);
    EXPECT_EQ(parse_rfc3339_ms("2026-11-26T22:06:45.123Z"), 1795730805123);
    EXPECT_EQ(parse_rfc3339_ms("2026-11-26T22:06:45.1Z"), 1795730805100);
    EXPECT_EQ(parse_rfc3339_ms("2026-11-26T22:06:45.123456789Z"), 1795730805123);
    EXPECT_EQ(parse_rfc3339_ms("2024-02-29T12:00:00z"), 1709208000000);
}

TEST(rfc3339, applies_offsets) {
    EXPECT_EQ(parse_rfc3339_ms("2026-11-26T23:06:45.123+01:00"), 1795730805123);
    EXPECT_EQ(parse_rfc3339_ms("2026-11-26T17:36:45.123-04:30"), 1795730805123);
}

TEST(rfc3339, rejects_malformed_text) {
    for (const char* bad :
         {"", "2026-11-26", "2026-11-26T22:06:45", "2026-13-01T00:00:00Z", "2026-02-29T00:00:00Z",
          "2026-11-31T00:00:00Z", "2026-11-26T24:00:00Z", "2026-11-26T22:60:00Z",
          "2026-11-26T22:06:45.Z", "2026-11-26T22:06:45ZZ", "2026-11-26T22:06:45+0100",
          "2026-11-26T22:06:45+25:00", "1969-12-31T23:59:59Z", "2026/11/26T22:06:45Z",
          "２０２６-11-26T22:06:45Z", "2026-11-26T22:06:45.1234567890Z", "+2026-11-26T22:06:45Z"})
        EXPECT_FALSE(parse_rfc3339_ms(bad).has_value()) << bad;
}

TEST(invite_codes, are_eight_alphanumerics_and_differ) {
    std::set<std::string> seen;
    for (int i = 0; i < 200; ++i) {
        auto code = make_invite_code();
        ASSERT_EQ(code.size(), invite_code_length);
        EXPECT_TRUE(plausible_invite_code(code)) << code;
        seen.insert(code);
    }
    EXPECT_EQ(seen.size(), 200u);
}

TEST(invite_codes, plausibility_refuses_what_cannot_be_a_code) {
    EXPECT_FALSE(plausible_invite_code(""));
    EXPECT_FALSE(plausible_invite_code("abc/def"));
    EXPECT_FALSE(plausible_invite_code("abc-def_"));
    EXPECT_FALSE(plausible_invite_code(std::string(33, 'a')));
    EXPECT_TRUE(plausible_invite_code("AbC123xy"));
}

}  // namespace
}  // namespace driftway::text::routes
