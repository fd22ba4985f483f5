#include "driftway/bus/redis_codec.hpp"

#include <gtest/gtest.h>

namespace driftway::bus {
namespace {

event_ptr sample_event() {
    auto e = std::make_shared<event>();
    e->to = event::audience::users;
    e->target = 0xfedcba9876543210ull;
    e->users = {1, 2, 0xffffffffffffffffull};
    e->space_id = 42;
    e->channel_filter = 7;
    e->type = "MESSAGE_CREATE";
    e->body = make_event_body("MESSAGE_CREATE", R"({"content":"h\u00e9llo \"x\"\n"})");
    e->changes_access = true;
    return e;
}

void expect_same(const event& a, const event& b) {
    EXPECT_EQ(a.to, b.to);
    EXPECT_EQ(a.target, b.target);
    EXPECT_EQ(a.users, b.users);
    EXPECT_EQ(a.space_id, b.space_id);
    EXPECT_EQ(a.channel_filter, b.channel_filter);
    EXPECT_EQ(a.type, b.type);
    ASSERT_EQ(!a.body, !b.body);
    if (a.body) EXPECT_EQ(*a.body, *b.body);
    EXPECT_EQ(a.changes_access, b.changes_access);
}

TEST(RedisCodec, EventsRoundTripExactly) {
    auto bare = std::make_shared<event>();  // no body, no users, defaults
    const std::vector<event_ptr> events{sample_event(), bare};
    const auto bytes = codec::encode_events(99, events);
    const auto f = codec::decode_events(bytes);
    ASSERT_TRUE(f);
    EXPECT_EQ(f->node_id, 99u);
    ASSERT_EQ(f->events.size(), 2u);
    expect_same(*f->events[0], *events[0]);
    expect_same(*f->events[1], *events[1]);
}

TEST(RedisCodec, EveryTruncationAndTrailingByteIsRejected) {
    const std::vector<event_ptr> events{sample_event()};
    const auto bytes = codec::encode_events(1, events);
    for (std::size_t n = 0; n < bytes.size(); ++n)
        EXPECT_FALSE(codec::decode_events(std::string_view(bytes).substr(0, n))) << n;
    EXPECT_FALSE(codec::decode_events(bytes + "x"));
}

TEST(RedisCodec, HugeCountsDoNotAllocate) {
    std::string bytes = "DWE1";
    bytes.append(8, '\0');
    bytes.append("\xff\xff\xff\xff", 4);  // four billion events in zero bytes
    EXPECT_FALSE(codec::decode_events(bytes));
    auto s = codec::encode_states({1, 100, {}, {}});
    for (int i = 16; i < 20; ++i) s[i] = '\xff';  // count of puts
    EXPECT_FALSE(codec::decode_states(s));
}

TEST(RedisCodec, BadAudienceIsRejected) {
    auto bytes = codec::encode_events(1, std::vector<event_ptr>{sample_event()});
    bytes[16] = 9;  // the first event's audience
    EXPECT_FALSE(codec::decode_events(bytes));
}

TEST(RedisCodec, VoiceCommandsAndStatesRoundTrip) {
    voice_command c;
    c.what = voice_command::kind::move;
    c.user_id = 5;
    c.channel_id = 6;
    c.target_channel_id = 7;
    c.server_mute = true;
    c.can_speak = false;
    const auto cf = codec::decode_command(codec::encode_command(3, c));
    ASSERT_TRUE(cf);
    EXPECT_EQ(cf->node_id, 3u);
    EXPECT_EQ(cf->command.what, c.what);
    EXPECT_EQ(cf->command.target_channel_id, 7u);
    EXPECT_TRUE(cf->command.server_mute);
    EXPECT_FALSE(cf->command.server_deaf);
    EXPECT_FALSE(cf->command.can_speak);

    const voice_state s{10, 20, 30, true, false, true, false, true};
    const auto sf = codec::decode_states(codec::encode_states({4, 1500, {s}, {11, 12}}));
    ASSERT_TRUE(sf);
    EXPECT_EQ(sf->ttl_ms, 1500u);
    ASSERT_EQ(sf->put.size(), 1u);
    EXPECT_EQ(sf->put[0], s);
    EXPECT_EQ(sf->removed, (std::vector<std::uint64_t>{11, 12}));
    const auto cmd = codec::encode_command(3, c);
    for (std::size_t n = 0; n < cmd.size(); ++n)
        EXPECT_FALSE(codec::decode_command(std::string_view(cmd).substr(0, n)));
}

}  // namespace
}  // namespace driftway::bus
