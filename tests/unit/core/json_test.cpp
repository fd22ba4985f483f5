#include "driftway/core/json.hpp"

#include <gtest/gtest.h>

namespace driftway::json {
namespace {

std::string nested(std::size_t depth) {
    return std::string(depth, '[') + "1" + std::string(depth, ']');
}

TEST(JsonParse, ParsesValidJson) {
    auto r = parse(R"({"name":"général","n":[1,2,{"x":null}]})");
    ASSERT_TRUE(r.has_value()) << r.error().message;
    EXPECT_EQ(r->at("name").as_string(), "général");
    EXPECT_EQ(r->at("n").as_array().size(), 3u);
}

TEST(JsonParse, DepthLimit) {
    EXPECT_TRUE(parse(nested(3), {1 << 20, 3}).has_value());
    auto r = parse(nested(4), {1 << 20, 3});
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().status, 400);
    EXPECT_EQ(r.error().code, "json_too_deep");
    r = parse(std::string(R"({"a":)") + nested(40) + "}");
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, "json_too_deep");
}

TEST(JsonParse, SizeLimit) {
    const std::string body = R"({"text":"0123456789"})";
    EXPECT_TRUE(parse(body, {body.size(), 32}).has_value());
    auto r = parse(body, {body.size() - 1, 32});
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().status, 413);
    EXPECT_EQ(r.error().code, "payload_too_large");
}

TEST(JsonParse, InvalidUtf8) {
    for (const char* text : {"\"\xff\"", "{\"a\":\"\xc3\"}", "\"\xc0\xaf\"", "\"\xed\xa0\x80\"",
                             "\"\xf4\x90\x80\x80\"", "\xef\xbb\xbf{}"}) {
        auto r = parse(text);
        ASSERT_FALSE(r.has_value()) << text;
        EXPECT_EQ(r.error().status, 400);
        // A byte-order mark is valid UTF-8 but not JSON (RFC 8259 §8.1).
        if (std::string_view(text).starts_with("\xef")) continue;
        EXPECT_EQ(r.error().code, "invalid_utf8") << text;
    }
}

TEST(JsonParse, Malformed) {
    for (const char* text : {"", "{", "{\"a\":}", "[1,]", "{'a':1}", "{} {}", "nul", "01",
                             "\"unterminated", "{\"a\" 1}"}) {
        auto r = parse(text);
        ASSERT_FALSE(r.has_value()) << text;
        EXPECT_EQ(r.error().status, 400) << text;
        EXPECT_EQ(r.error().code, "malformed_json") << text;
    }
}

TEST(JsonParse, EscapedSurrogatesArePaired) {
    auto r = parse(R"("\ud83d\ude00")");
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->as_string(), "\xf0\x9f\x98\x80");
}

TEST(JsonIds, ParseId) {
    EXPECT_EQ(parse_id("1"), 1u);
    EXPECT_EQ(parse_id("123456789012345678"), 123456789012345678u);
    EXPECT_EQ(parse_id("18446744073709551615"), 18446744073709551615u);
    for (const char* bad :
         {"", "0", "-1", "+1", " 1", "1 ", "1a", "0x10", "1.0", "18446744073709551616",
          "99999999999999999999", "123456789012345678901"})
        EXPECT_FALSE(parse_id(bad).has_value()) << bad;
    EXPECT_EQ(id_string(18446744073709551615u), "18446744073709551615");
}

TEST(JsonUtf8, ValidatesAndCounts) {
    EXPECT_TRUE(valid_utf8(""));
    EXPECT_TRUE(valid_utf8("plain ascii"));
    EXPECT_TRUE(valid_utf8("h\xc3\xa9llo"));      // é
    EXPECT_TRUE(valid_utf8("\xe2\x82\xac"));      // €
    EXPECT_TRUE(valid_utf8("\xf0\x9f\x98\x80"));  // 😀
    EXPECT_TRUE(valid_utf8("\xf4\x8f\xbf\xbf"));  // U+10FFFF
    EXPECT_TRUE(valid_utf8("\xed\x9f\xbf"));      // U+D7FF, just below the surrogates
    EXPECT_TRUE(valid_utf8("\xee\x80\x80"));      // U+E000, just above
    EXPECT_TRUE(valid_utf8(std::string_view("a\0b", 3)));

    const char* bad[] = {
        "\x80",              // lone continuation byte
        "\xc3",              // truncated
        "\xe2\x82",          // truncated
        "\xf0\x9f\x98",      // truncated
        "\xc3\x28",          // bad continuation
        "\xc0\x80",          // overlong NUL
        "\xc1\xbf",          // overlong
        "\xe0\x80\xaf",      // overlong '/'
        "\xe0\x9f\xbf",      // overlong U+07FF
        "\xf0\x80\x80\xaf",  // overlong '/'
        "\xf0\x8f\xbf\xbf",  // overlong U+FFFF
        "\xed\xa0\x80",      // U+D800 (surrogate)
        "\xed\xbf\xbf",      // U+DFFF (surrogate)
        "\xf4\x90\x80\x80",  // U+110000
        "\xf8\x88\x80\x80\x80",
        "\xff",
    };
    for (const char* b : bad) EXPECT_FALSE(valid_utf8(b)) << testing::PrintToString(b);

    EXPECT_EQ(utf8_length(""), 0u);
    EXPECT_EQ(utf8_length("h\xc3\xa9llo"), 5u);
    EXPECT_EQ(utf8_length("\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80"), 3u);
}

value parsed(std::string_view text) {
    auto r = parse(text);
    EXPECT_TRUE(r.has_value()) << text;
    return r.has_value() ? *r : value{};
}

TEST(ObjectReader, ReadsValidObject) {
    const auto v = parsed(
        R"({"name":"  general  ","topic":null,"nsfw":true,"position":3,"parent_id":"42","tags":["a","b"]})");
    object_reader r(v);
    EXPECT_EQ(r.required_string("name", {1, 100, true}), "general");
    const auto topic = r.nullable_string("topic");
    ASSERT_TRUE(topic.has_value());
    EXPECT_FALSE(topic->has_value());
    EXPECT_EQ(r.optional_bool("nsfw"), true);
    EXPECT_EQ(r.optional_int("position", 0, 100), 3);
    EXPECT_EQ(r.optional_id("parent_id"), 42u);
    EXPECT_EQ(r.optional_string_array("tags", 5), (std::vector<std::string>{"a", "b"}));
    EXPECT_FALSE(r.optional_string("absent").has_value());
    EXPECT_FALSE(r.nullable_string("absent").has_value());
    EXPECT_TRUE(r.has("nsfw"));
    EXPECT_FALSE(r.has("absent"));
    EXPECT_TRUE(r.finish().has_value());
}

TEST(ObjectReader, CollectsEveryProblem) {
    const auto v = parsed(
        R"({"topic":5,"nsfw":"yes","position":101,"parent_id":42,"extra":1,"tags":["a",2]})");
    object_reader r(v);
    EXPECT_FALSE(r.required_string("name").has_value());
    EXPECT_FALSE(r.optional_string("topic").has_value());
    EXPECT_FALSE(r.optional_bool("nsfw").has_value());
    EXPECT_FALSE(r.optional_int("position", 0, 100).has_value());
    EXPECT_FALSE(r.optional_id("parent_id").has_value());
    EXPECT_FALSE(r.required_id("owner_id").has_value());
    EXPECT_FALSE(r.optional_string_array("tags", 5).has_value());
    auto done = r.finish();
    ASSERT_FALSE(done.has_value());
    const auto& e = done.error();
    EXPECT_EQ(e.status, 400);
    EXPECT_EQ(e.code, "validation_failed");
    EXPECT_EQ(e.fields.size(), 8u);
    EXPECT_EQ(e.fields.at("name"), "is required");
    EXPECT_EQ(e.fields.at("owner_id"), "is required");
    EXPECT_EQ(e.fields.at("extra"), "is not a known field");
    EXPECT_TRUE(e.fields.contains("topic"));
    EXPECT_TRUE(e.fields.contains("nsfw"));
    EXPECT_TRUE(e.fields.contains("position"));
    EXPECT_TRUE(e.fields.contains("parent_id"));
    EXPECT_TRUE(e.fields.contains("tags"));
    const auto body = to_json(e);
    EXPECT_EQ(body.at("code"), "validation_failed");
    EXPECT_EQ(body.at("errors").at("extra"), "is not a known field");
}

TEST(ObjectReader, LengthsAreCodePoints) {
    const std::string three_emoji = "\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80";
    const auto v = parsed(R"({"a":")" + three_emoji + R"(","b":")" + three_emoji +
                          "\xf0\x9f\x98\x80" + R"(","c":"","d":"   ","e":"ab"})");
    object_reader r(v);
    const string_rule up_to_three{1, 3};
    EXPECT_EQ(r.required_string("a", up_to_three), three_emoji);  // 12 bytes, 3 characters
    EXPECT_FALSE(r.required_string("b", up_to_three).has_value());
    EXPECT_FALSE(r.required_string("c", up_to_three).has_value());
    EXPECT_FALSE(r.required_string("d", {1, 3, true}).has_value());  // blank once trimmed
    EXPECT_FALSE(r.required_string("e", {3, 10}).has_value());
    auto done = r.finish();
    ASSERT_FALSE(done.has_value());
    const auto& f = done.error().fields;
    EXPECT_EQ(f.size(), 4u);
    EXPECT_EQ(f.at("b"), "must be at most 3 characters");
    EXPECT_EQ(f.at("c"), "must not be empty");
    EXPECT_EQ(f.at("d"), "must not be empty");
    EXPECT_EQ(f.at("e"), "must be at least 3 characters");
}

TEST(ObjectReader, NonObjectBody) {
    for (const char* text : {"[]", "\"text\"", "null", "1"}) {
        const auto v = parsed(text);
        object_reader r(v);
        EXPECT_FALSE(r.required_string("name").has_value());
        auto done = r.finish();
        ASSERT_FALSE(done.has_value()) << text;
        EXPECT_EQ(done.error().fields.at("body"), "must be a JSON object");
    }
}

TEST(ObjectReader, NullIsNotAString) {
    const auto v = parsed(R"({"name":null})");
    object_reader r(v);
    EXPECT_FALSE(r.optional_string("name").has_value());
    EXPECT_FALSE(r.finish().has_value());
}

TEST(ObjectReader, IntegerBounds) {
    const auto v = parsed(R"({"a":-5,"b":1.5,"c":18446744073709551615,"d":100})");
    object_reader r(v);
    EXPECT_EQ(r.optional_int("a", -10, 10), -5);
    EXPECT_FALSE(r.optional_int("b", 0, 10).has_value());
    EXPECT_FALSE(r.optional_int("c", 0, INT64_MAX).has_value());
    EXPECT_EQ(r.optional_int("d", 100, 100), 100);
    auto done = r.finish();
    ASSERT_FALSE(done.has_value());
    EXPECT_EQ(done.error().fields.size(), 2u);
}

TEST(Json, ErrorBodyShape) {
    const auto body = to_json(error::not_found("channel"));
    EXPECT_EQ(serialize(body), R"({"code":"unknown_channel","message":"channel not found"})");
}

}  // namespace
}  // namespace driftway::json
