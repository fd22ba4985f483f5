#include "driftway/text/json_shapes.hpp"

#include <gtest/gtest.h>

namespace driftway::text {
namespace {

store::attachment sample_attachment() {
    store::attachment a;
    a.id = 42;
    a.uploader_id = 7;
    a.filename = "my report #1.pdf";
    a.content_type = "application/pdf";
    a.size = 1234;
    a.sha256 = std::string(64, 'a');
    return a;
}

TEST(json_message, attachment_shape_and_url_encoding) {
    const auto o = attachment_json(sample_attachment());
    EXPECT_EQ(o.at("id").as_string(), "42");
    EXPECT_EQ(o.at("filename").as_string(), "my report #1.pdf");
    EXPECT_EQ(o.at("content_type").as_string(), "application/pdf");
    EXPECT_EQ(o.at("size").as_int64(), 1234);
    EXPECT_EQ(o.at("url").as_string(), "/api/v1/attachments/42/my%20report%20%231.pdf");
    EXPECT_FALSE(o.contains("sha256")) << "storage keys stay private";
    EXPECT_EQ(o.size(), 5u);
}

TEST(json_message, message_shape) {
    store::message m;
    m.id = 1001;
    m.channel_id = 2002;
    m.author_id = 7;
    m.content = "hello <@8>";
    m.created_at = 1767225600000;  // 2026-01-01T00:00:00Z
    m.attachments.push_back(sample_attachment());
    m.reactions.push_back({"\xF0\x9F\x91\x8D", 3, true});
    m.mentions = {8};
    store::user author;
    author.id = 7;
    author.username = "ada";
    author.display_name = "";
    author.avatar = 99;

    const auto o = message_json(m, &author);
    EXPECT_EQ(o.at("id").as_string(), "1001");
    EXPECT_EQ(o.at("channel_id").as_string(), "2002");
    const auto& a = o.at("author").as_object();
    EXPECT_EQ(a.at("id").as_string(), "7");
    EXPECT_EQ(a.at("username").as_string(), "ada");
    EXPECT_EQ(a.at("display_name").as_string(), "ada") << "falls back to the username";
    EXPECT_EQ(a.at("avatar").as_string(), "99");
    EXPECT_FALSE(a.contains("email"));
    EXPECT_EQ(o.at("content").as_string(), "hello <@8>");
    EXPECT_EQ(o.at("created_at").as_string(), "2026-01-01T00:00:00.000Z");
    EXPECT_TRUE(o.at("edited_at").is_null());
    EXPECT_TRUE(o.at("reply_to").is_null());
    EXPECT_TRUE(o.at("thread_id").is_null());
    EXPECT_EQ(o.at("attachments").as_array().size(), 1u);
    const auto& r = o.at("reactions").as_array().at(0).as_object();
    EXPECT_EQ(r.at("emoji").as_string(), "\xF0\x9F\x91\x8D");
    EXPECT_EQ(r.at("count").as_int64(), 3);
    EXPECT_TRUE(r.at("me").as_bool());
    EXPECT_FALSE(o.at("pinned").as_bool());
    EXPECT_EQ(o.at("mentions").as_array().at(0).as_string(), "8");
    EXPECT_FALSE(o.at("mention_everyone").as_bool());
    EXPECT_FALSE(o.contains("nonce")) << "nonce only when set";

    m.nonce = "n-1";
    m.edited_at = 1767225601000;
    m.reply_to = 900;
    m.thread_id = 3003;
    const auto o2 = message_json(m, &author);
    EXPECT_EQ(o2.at("nonce").as_string(), "n-1");
    EXPECT_EQ(o2.at("edited_at").as_string(), "2026-01-01T00:00:01.000Z");
    EXPECT_EQ(o2.at("reply_to").as_string(), "900");
    EXPECT_EQ(o2.at("thread_id").as_string(), "3003");
}

TEST(json_message, deleted_author) {
    store::message m;
    m.id = 1;
    m.channel_id = 2;
    m.author_id = 77;
    m.created_at = 1767225600000;
    const auto a = message_json(m, nullptr).at("author").as_object();
    EXPECT_EQ(a.at("id").as_string(), "77");
    EXPECT_TRUE(a.at("avatar").is_null());
    EXPECT_TRUE(a.at("deleted").as_bool());
}

}  // namespace
}  // namespace driftway::text
