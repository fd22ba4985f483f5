#include "driftway/bus/voice_states.hpp"
#include "driftway/bus/voice_commands.hpp"

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

#include <algorithm>
#include <thread>
#include <vector>

namespace driftway::bus {
namespace {

voice_state state(std::uint64_t user, std::uint64_t space, std::uint64_t channel) {
    voice_state s;
    s.user_id = user;
    s.space_id = space;
    s.channel_id = channel;
    return s;
}

std::vector<std::uint64_t> users_of(std::vector<voice_state> v) {
    std::vector<std::uint64_t> out;
    for (const auto& s : v) out.push_back(s.user_id);
    std::sort(out.begin(), out.end());
    return out;
}

TEST(MemoryVoiceStates, PutReplacesTheUsersOneChannel) {
    memory_voice_states store;
    store.put(state(1, 10, 100));
    store.put(state(2, 10, 100));
    store.put(state(3, 20, 200));
    EXPECT_EQ(users_of(store.in_channel(100)), (std::vector<std::uint64_t>{1, 2}));
    EXPECT_EQ(users_of(store.in_space(20)), (std::vector<std::uint64_t>{3}));

    // User 1 moves to another channel of the same space: one state, the new one.
    auto moved = state(1, 10, 101);
    moved.self_mute = true;
    store.put(moved);
    EXPECT_EQ(users_of(store.in_channel(100)), (std::vector<std::uint64_t>{2}));
    EXPECT_EQ(users_of(store.in_channel(101)), (std::vector<std::uint64_t>{1}));
    EXPECT_EQ(users_of(store.in_space(10)), (std::vector<std::uint64_t>{1, 2}));
    ASSERT_TRUE(store.of_user(1));
    EXPECT_EQ(*store.of_user(1), moved);
}

TEST(MemoryVoiceStates, RemoveForgetsTheUser) {
    memory_voice_states store;
    store.put(state(1, 10, 100));
    store.remove(1);
    store.remove(42);  // unknown: nothing happens
    EXPECT_FALSE(store.of_user(1));
    EXPECT_TRUE(store.in_channel(100).empty());
    EXPECT_TRUE(store.in_space(10).empty());
}

TEST(MemoryVoiceStates, ConcurrentWritersAndReaders) {
    memory_voice_states store;
    std::vector<std::thread> threads;
    for (std::uint64_t t = 0; t < 4; ++t)
        threads.emplace_back([&store, t] {
            for (std::uint64_t i = 0; i < 500; ++i) {
                store.put(state(t * 1000 + i, 10, 100 + i % 3));
                (void)store.in_space(10);
                if (i % 2) store.remove(t * 1000 + i);
            }
        });
    for (auto& th : threads) th.join();
    EXPECT_EQ(store.in_space(10).size(), 4u * 250u);
}

TEST(VoiceStateEvent, ShapeAndAudience) {
    auto s = state(123, 10, 100);
    s.self_mute = true;
    s.server_deaf = true;
    const auto e = make_voice_state_event(s, false);
    EXPECT_EQ(e->to, event::audience::space);
    EXPECT_EQ(e->target, 10u);
    EXPECT_EQ(e->space_id, 10u);
    EXPECT_EQ(e->channel_filter, 100u);
    EXPECT_EQ(e->type, "VOICE_STATE_UPDATE");
    // The body is the tail of a dispatch frame: make it a whole object to parse.
    const auto frame = boost::json::parse("{" + *e->body).as_object();
    EXPECT_EQ(frame.at("t"), "VOICE_STATE_UPDATE");
    const auto& d = frame.at("d").as_object();
    EXPECT_EQ(d.at("user_id"), "123");
    EXPECT_EQ(d.at("space_id"), "10");
    EXPECT_EQ(d.at("channel_id"), "100");
    EXPECT_EQ(d.at("self_mute"), true);
    EXPECT_EQ(d.at("self_deaf"), false);
    EXPECT_EQ(d.at("server_mute"), false);
    EXPECT_EQ(d.at("server_deaf"), true);
}

TEST(VoiceStateEvent, LeavingHasNullChannelButStillFilters) {
    const auto e = make_voice_state_event(state(5, 10, 100), true);
    // Only those who could see the participant in the channel learn they left.
    EXPECT_EQ(e->channel_filter, 100u);
    const auto d = boost::json::parse("{" + *e->body).as_object().at("d").as_object();
    EXPECT_TRUE(d.at("channel_id").is_null());
    EXPECT_EQ(d.at("user_id"), "5");
}

TEST(InProcessVoiceCommands, DeliversToTheReceiver) {
    in_process_voice_commands commands;
    voice_command c;
    c.what = voice_command::kind::move;
    c.user_id = 7;
    commands.send(c);  // no receiver yet: dropped, no crash
    std::vector<voice_command> got;
    commands.set_receiver([&got](const voice_command& v) { got.push_back(v); });
    c.target_channel_id = 99;
    commands.send(c);
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].what, voice_command::kind::move);
    EXPECT_EQ(got[0].user_id, 7u);
    EXPECT_EQ(got[0].target_channel_id, 99u);
}

}  // namespace
}  // namespace driftway::bus
