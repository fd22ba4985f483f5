#include "driftway/core/clock.hpp"
#include "driftway/text/json_shapes.hpp"

#include <gtest/gtest.h>

namespace driftway::text {
namespace {

namespace perm = auth::perm;

TEST(json_space, channel_types_round_trip) {
    using store::channel_type;
    for (auto t : {channel_type::text, channel_type::voice, channel_type::category,
                   channel_type::thread, channel_type::dm, channel_type::group_dm})
        EXPECT_EQ(parse_channel_type(to_string(t)), t);
    EXPECT_FALSE(parse_channel_type("Text").has_value());
    EXPECT_FALSE(parse_channel_type("").has_value());
}

TEST(json_space, space_ids_are_strings_and_icon_null) {
    store::space s{.id = 12345678901234567,
                   .name = "Lounge",
                   .icon = std::nullopt,
                   .owner_id = 7,
                   .created_at = 1795730805123};
    auto o = space_json(s, 3);
    EXPECT_EQ(o.at("id"), "12345678901234567");
    EXPECT_EQ(o.at("owner_id"), "7");
    EXPECT_TRUE(o.at("icon").is_null());
    EXPECT_EQ(o.at("created_at"), "2026-11-26T22:06:45.123Z");
    EXPECT_EQ(o.at("member_count"), 3);
    s.icon = 99;
    EXPECT_EQ(space_json(s, 3).at("icon"), "99");
}

TEST(json_space, role_permissions_are_a_decimal_string) {
    store::role r{.id = 2,
                  .space_id = 1,
                  .name = "mods",
                  .permissions = perm::kick_members | perm::moderate_members,
                  .position = 4,
                  .color = 0xff0000,
                  .hoist = true,
                  .mentionable = false};
    auto o = role_json(r);
    EXPECT_EQ(o.at("permissions"),
              json::value(std::to_string(perm::kick_members | perm::moderate_members)));
    EXPECT_EQ(o.at("space_id"), "1");
    EXPECT_EQ(o.at("position"), 4);
    EXPECT_EQ(o.at("color"), 0xff0000);
    EXPECT_EQ(o.at("hoist"), true);
}

TEST(json_space, space_channel_has_overwrites_and_no_recipients) {
    store::channel c;
    c.id = 10;
    c.space_id = 1;
    c.name = "general";
    c.type = store::channel_type::text;
    c.overwrites = {{1, false, 0, perm::view_channel}, {5, true, perm::view_channel, 0}};
    c.created_at = 1000;
    auto o = channel_json(c);
    EXPECT_EQ(o.at("type"), "text");
    EXPECT_EQ(o.at("space_id"), "1");
    EXPECT_TRUE(o.at("parent_id").is_null());
    EXPECT_TRUE(o.at("owner_id").is_null());
    EXPECT_TRUE(o.at("last_message_id").is_null());
    EXPECT_FALSE(o.contains("recipients"));
    const auto& ow = o.at("permission_overwrites").as_array();
    ASSERT_EQ(ow.size(), 2u);
    EXPECT_EQ(ow[0].at("type"), "role");
    EXPECT_EQ(ow[0].at("deny"), json::value(std::to_string(perm::view_channel)));
    EXPECT_EQ(ow[0].at("allow"), "0");
    EXPECT_EQ(ow[1].at("type"), "member");
    EXPECT_EQ(ow[1].at("id"), "5");
}

TEST(json_space, dm_has_recipients_and_null_space) {
    store::channel c;
    c.id = 10;
    c.type = store::channel_type::dm;
    c.recipients = {3, 4};
    auto o = channel_json(c);
    EXPECT_TRUE(o.at("space_id").is_null());
    EXPECT_EQ(o.at("type"), "dm");
    ASSERT_EQ(o.at("recipients").as_array().size(), 2u);
    EXPECT_EQ(o.at("recipients").as_array()[1], "4");
}

TEST(json_space, member_shows_only_a_running_timeout) {
    store::member m{.space_id = 1,
                    .user_id = 2,
                    .nick = std::nullopt,
                    .role_ids = {8, 9},
                    .joined_at = 1000,
                    .communication_disabled_until = 0};
    store::user u;
    u.id = 2;
    u.username = "ada";
    u.email = "secret@example.test";
    auto o = member_json(m, &u);
    EXPECT_TRUE(o.at("nick").is_null());
    EXPECT_TRUE(o.at("communication_disabled_until").is_null());
    EXPECT_EQ(o.at("user").at("username"), "ada");
    EXPECT_FALSE(o.at("user").as_object().contains("email"));
    EXPECT_EQ(o.at("roles").as_array().size(), 2u);

    m.communication_disabled_until = clock::unix_ms() + 60'000;
    EXPECT_EQ(member_json(m, &u).at("communication_disabled_until"),
              json::value(clock::iso8601(m.communication_disabled_until)));
    m.communication_disabled_until = clock::unix_ms() - 60'000;  // ran out
    EXPECT_TRUE(member_json(m, &u).at("communication_disabled_until").is_null());

    auto gone = member_json(m, nullptr);
    EXPECT_EQ(gone.at("user").at("id"), "2");
    EXPECT_TRUE(gone.at("user").at("username").is_null());
}

TEST(json_space, invite_and_audit_entry) {
    store::space s{.id = 1, .name = "Lounge", .icon = std::nullopt, .owner_id = 7, .created_at = 0};
    store::invite i{.code = "AbC123xy",
                    .space_id = 1,
                    .creator_id = 7,
                    .uses = 2,
                    .max_uses = 0,
                    .expires_at = 0,
                    .created_at = 0};
    auto o = invite_json(i, &s, 5);
    EXPECT_EQ(o.at("space").at("name"), "Lounge");
    EXPECT_TRUE(o.at("expires_at").is_null());
    EXPECT_EQ(o.at("member_count"), 5);
    EXPECT_EQ(o.at("creator_id"), "7");

    store::audit_entry e{.id = 3,
                         .space_id = 1,
                         .actor_id = 7,
                         .action = "member_kick",
                         .target_id = 0,
                         .changes = R"({"nick":{"old":null,"new":"x"}})",
                         .reason = "",
                         .created_at = 0};
    auto a = audit_json(e);
    EXPECT_TRUE(a.at("target_id").is_null());
    EXPECT_TRUE(a.at("reason").is_null());
    EXPECT_EQ(a.at("changes").at("nick").at("new"), "x");
    e.changes = "not json";
    EXPECT_TRUE(audit_json(e).at("changes").as_object().empty());
}

}  // namespace
}  // namespace driftway::text
