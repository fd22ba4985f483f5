// The gateway end to end above the transport: identify and READY, who
// receives which event, access changes, resume on the same and on another
// shard, presence, client ops and close codes.
#include "gateway/session.hpp"
#include "gateway_test_support.hpp"

#include "driftway/core/metrics.hpp"

#include <gtest/gtest.h>

namespace driftway::text::gw {
namespace {

using namespace std::chrono_literals;
using testing::dispatches;
using testing::fake_connection;
using testing::harness;
using testing::identify;
using testing::last_seq;
using testing::resume;
namespace bj = boost::json;

// alice (1) and bob (2) share space 100; carol (3) is outside it.
// Channel 101 is public, 102 is alice's private channel.
constexpr id_t alice = 1, bob = 2, carol = 3;
constexpr id_t space = 100, general = 101, secret = 102, other_space = 200, other_channel = 201;

void seed(testing::fake_data& d) {
    d.tokens = {{"ta", alice}, {"tb", bob}, {"tc", carol}};
    // Invisible: no PRESENCE_UPDATE between the dispatches the tests count.
    d.status = {{alice, "invisible"}, {bob, "invisible"}, {carol, "invisible"}};
    d.spaces[space].members = {alice, bob};
    d.spaces[space].channels = {{general, {}}, {secret, {alice}}};
    d.spaces[other_space].members = {carol};
    d.spaces[other_space].channels = {{other_channel, {}}};
}

json::object message(id_t channel, int n) {
    return {{"channel_id", json::id_string(channel)}, {"n", n}};
}

std::vector<int> numbers(const fake_connection& c, std::string_view type = "MESSAGE_CREATE") {
    std::vector<int> out;
    for (const auto& f : dispatches(c, type))
        out.push_back(static_cast<int>(f.at("d").at("n").as_int64()));
    return out;
}

// Every dispatch's s is exactly one more than the previous one.
void expect_consecutive(const fake_connection& c, std::uint64_t from = 1) {
    std::uint64_t next = from;
    for (const auto& f : dispatches(c)) {
        EXPECT_EQ(f.at("s").to_number<std::uint64_t>(), next) << bj::serialize(f);
        next = f.at("s").to_number<std::uint64_t>() + 1;
    }
}

std::string session_of(const fake_connection& c) {
    return std::string(dispatches(c, "READY").at(0).at("d").at("session_id").as_string());
}

class GatewaySession : public ::testing::Test {
protected:
    void SetUp() override { seed(h.data); }
    harness h;
};

TEST_F(GatewaySession, HelloThenReadyWithVisibleChannelsAndSeqOne) {
    auto& c = h.connect();
    ASSERT_TRUE(h.run_until([&] { return !c.frames.empty(); }));
    EXPECT_EQ(c.frames[0].at("op"), "hello");
    EXPECT_EQ(c.frames[0].at("d").at("heartbeat_interval_ms"), 5000);

    c.say(identify("tb"));
    ASSERT_TRUE(h.run_until([&] { return !dispatches(c, "READY").empty(); }));
    const auto ready = dispatches(c, "READY").at(0);
    EXPECT_EQ(ready.at("s"), 1);
    const auto& d = ready.at("d");
    EXPECT_FALSE(d.at("session_id").as_string().empty());
    EXPECT_EQ(d.at("user").at("id"), "2");
    ASSERT_EQ(d.at("spaces").as_array().size(), 1u);
    const auto& channels = d.at("spaces").at(0).at("channels").as_array();
    ASSERT_EQ(channels.size(), 1u) << "bob cannot see the private channel";
    EXPECT_EQ(channels[0].at("id"), "101");
    EXPECT_TRUE(d.at("private_channels").is_array());
    EXPECT_TRUE(d.at("read_states").is_array());
    EXPECT_EQ(h.data.large_threshold_seen, 250);
    EXPECT_EQ(h.core->session_count(), 1u);
}

TEST_F(GatewaySession, ChannelEventsReachOnlyThoseWhoCanViewTheChannel) {
    auto& a = h.identified("ta");
    auto& b = h.identified("tb");
    auto& c = h.identified("tc");

    h.events.to_channel(space, secret, "MESSAGE_CREATE", message(secret, 1));
    h.events.to_channel(space, general, "MESSAGE_CREATE", message(general, 2));
    h.events.to_channel(other_space, other_channel, "MESSAGE_CREATE", message(other_channel, 3));
    ASSERT_TRUE(h.run_until([&] { return numbers(a).size() == 2 && numbers(c).size() == 1; }));
    h.run_for(50ms);

    EXPECT_EQ(numbers(a), (std::vector<int>{1, 2}));
    EXPECT_EQ(numbers(b), (std::vector<int>{2})) << "bob may not view the private channel";
    EXPECT_EQ(numbers(c), (std::vector<int>{3})) << "carol is outside the space";
    EXPECT_EQ(dispatches(a, "MESSAGE_CREATE")[0].at("s"), 2);
    EXPECT_EQ(dispatches(b, "MESSAGE_CREATE")[0].at("s"), 2);
    expect_consecutive(a);
    expect_consecutive(b);
}

TEST_F(GatewaySession, SpaceAndUserAudiences) {
    auto& a = h.identified("ta");
    auto& b = h.identified("tb");
    auto& c = h.identified("tc");

    h.events.to_space(space, "SPACE_UPDATE", json::object{{"n", 1}});
    // A space event about one channel goes only to those who can view it.
    h.events.to_space(space, "CHANNEL_UPDATE", json::object{{"n", 2}}, false, secret);
    h.events.to_users({bob, carol}, "READ_STATE_UPDATE", json::object{{"n", 3}});
    ASSERT_TRUE(h.run_until([&] { return numbers(c, "READ_STATE_UPDATE").size() == 1; }));
    h.run_for(30ms);

    EXPECT_EQ(numbers(a, "SPACE_UPDATE"), (std::vector<int>{1}));
    EXPECT_EQ(numbers(b, "SPACE_UPDATE"), (std::vector<int>{1}));
    EXPECT_TRUE(numbers(c, "SPACE_UPDATE").empty());
    EXPECT_EQ(numbers(a, "CHANNEL_UPDATE"), (std::vector<int>{2}));
    EXPECT_TRUE(numbers(b, "CHANNEL_UPDATE").empty());
    EXPECT_TRUE(numbers(a, "READ_STATE_UPDATE").empty());
    EXPECT_EQ(numbers(b, "READ_STATE_UPDATE"), (std::vector<int>{3}));
}

TEST_F(GatewaySession, LosingViewPermissionStopsChannelEvents) {
    auto& a = h.identified("ta");
    auto& b = h.identified("tb");
    // An overwrite now hides the general channel from bob.
    h.data.spaces[space].channels[general] = {alice};
    h.events.to_space(space, "CHANNEL_UPDATE", json::object{{"n", 1}}, true, general);
    h.events.to_channel(space, general, "MESSAGE_CREATE", message(general, 2));
    ASSERT_TRUE(h.run_until(
        [&] { return numbers(a).size() == 1 && !dispatches(b, "CHANNEL_DELETE").empty(); }));
    h.run_for(30ms);

    EXPECT_EQ(numbers(a, "CHANNEL_UPDATE"), (std::vector<int>{1}));
    EXPECT_TRUE(numbers(b, "CHANNEL_UPDATE").empty()) << "bob can no longer see the channel";
    const auto gone = dispatches(b, "CHANNEL_DELETE");
    ASSERT_EQ(gone.size(), 1u) << "bob is told the channel vanished for him";
    EXPECT_EQ(gone[0].at("d").at("id"), "101");
    EXPECT_EQ(gone[0].at("d").at("space_id"), "100");
    EXPECT_TRUE(numbers(b).empty()) << "no message of a channel bob cannot view";
    expect_consecutive(b);
}

TEST_F(GatewaySession, GainingViewPermissionAnnouncesTheChannelAndItsEvents) {
    auto& b = h.identified("tb");
    h.data.spaces[space].channels[secret] = {alice, bob};
    h.events.to_space(space, "ROLE_UPDATE", json::object{{"n", 1}}, true);
    h.events.to_channel(space, secret, "MESSAGE_CREATE", message(secret, 2));
    ASSERT_TRUE(h.run_until([&] { return numbers(b).size() == 1; }));

    const auto d = dispatches(b);
    ASSERT_EQ(d.size(), 4u);  // READY, ROLE_UPDATE, CHANNEL_CREATE, MESSAGE_CREATE
    EXPECT_EQ(d[1].at("t"), "ROLE_UPDATE");
    EXPECT_EQ(d[2].at("t"), "CHANNEL_CREATE");
    EXPECT_EQ(d[2].at("d").at("id"), "102");
    EXPECT_EQ(d[3].at("t"), "MESSAGE_CREATE");
    expect_consecutive(b);
}

TEST_F(GatewaySession, EventsDuringARecomputeWaitBehindItInOrder) {
    auto& a = h.identified("ta");
    auto& b = h.identified("tb");
    h.data.access_delay = 40ms;
    h.data.spaces[space].channels[general] = {alice};
    h.events.to_space(space, "CHANNEL_UPDATE", json::object{{"n", 1}}, true, general);
    // Published while the sessions are still recomputing.
    h.events.to_channel(space, general, "MESSAGE_CREATE", message(general, 2));
    h.events.to_space(space, "SPACE_UPDATE", json::object{{"n", 3}});
    ASSERT_TRUE(h.run_until([&] {
        return numbers(a, "SPACE_UPDATE").size() == 1 && numbers(b, "SPACE_UPDATE").size() == 1;
    }));

    const auto da = dispatches(a);
    ASSERT_EQ(da.size(), 4u);
    EXPECT_EQ(da[1].at("t"), "CHANNEL_UPDATE");
    EXPECT_EQ(da[2].at("t"), "MESSAGE_CREATE");
    EXPECT_EQ(da[3].at("t"), "SPACE_UPDATE");
    const auto db = dispatches(b);
    ASSERT_EQ(db.size(), 3u);
    EXPECT_EQ(db[1].at("t"), "CHANNEL_DELETE");
    EXPECT_EQ(db[2].at("t"), "SPACE_UPDATE");
    expect_consecutive(a);
    expect_consecutive(b);
}

TEST_F(GatewaySession, EventsDuringReadyAreDeliveredAfterIt) {
    h.data.ready_delay = 40ms;
    auto& b = h.connect();
    b.say(identify("tb"));
    h.run_for(10ms);
    ASSERT_TRUE(dispatches(b).empty());
    h.events.to_channel(space, general, "MESSAGE_CREATE", message(general, 1));
    h.events.to_channel(space, secret, "MESSAGE_CREATE", message(secret, 2));
    ASSERT_TRUE(h.run_until([&] { return numbers(b).size() == 1; }));
    h.run_for(20ms);
    const auto d = dispatches(b);
    ASSERT_EQ(d.size(), 2u);
    EXPECT_EQ(d[0].at("t"), "READY");
    EXPECT_EQ(d[1].at("d").at("n"), 1);
    expect_consecutive(b);
}

TEST_F(GatewaySession, KickedMemberStopsReceivingTheSpaceAtOnce) {
    auto& a = h.identified("ta");
    auto& b = h.identified("tb");
    h.data.spaces[space].members.erase(bob);
    h.events.to_space(space, "MEMBER_REMOVE",
                      json::object{{"space_id", "100"}, {"user", json::object{{"id", "2"}}}}, true);
    h.events.to_users({bob}, "SPACE_DELETE", json::object{{"id", "100"}});
    h.events.to_channel(space, general, "MESSAGE_CREATE", message(general, 1));
    h.events.to_space(space, "SPACE_UPDATE", json::object{{"n", 2}});
    ASSERT_TRUE(h.run_until([&] { return numbers(a, "SPACE_UPDATE").size() == 1; }));
    h.run_for(30ms);

    EXPECT_EQ(dispatches(a, "MEMBER_REMOVE").size(), 1u);
    EXPECT_TRUE(dispatches(b, "MEMBER_REMOVE").empty());
    EXPECT_EQ(dispatches(b, "SPACE_DELETE").size(), 1u);
    EXPECT_TRUE(numbers(b).empty());
    EXPECT_TRUE(numbers(b, "SPACE_UPDATE").empty());
    EXPECT_EQ(h.core->shard(0).subscribers(hub::topic::space, space), 1u);
    EXPECT_EQ(h.core->shard(0).subscribers(hub::topic::channel, general), 1u);
}

TEST_F(GatewaySession, DeletedSpaceIsAnnouncedThenForgotten) {
    auto& a = h.identified("ta");
    h.data.spaces.erase(space);
    h.events.to_space(space, "SPACE_DELETE", json::object{{"id", "100"}}, true);
    h.events.to_channel(space, general, "MESSAGE_CREATE", message(general, 1));
    ASSERT_TRUE(h.run_until([&] { return !dispatches(a, "SPACE_DELETE").empty(); }));
    h.run_for(30ms);
    EXPECT_TRUE(numbers(a).empty());
    EXPECT_EQ(h.core->shard(0).subscribers(hub::topic::space, space), 0u);
}

TEST_F(GatewaySession, JoiningASpaceSubscribesToIt) {
    auto& c = h.identified("tc");
    h.data.spaces[space].members.insert(carol);
    h.events.to_space(space, "MEMBER_ADD", json::object{{"user", json::object{{"id", "3"}}}}, true);
    h.events.to_users({carol}, "SPACE_CREATE", json::object{{"id", "100"}}, space, true);
    h.events.to_channel(space, general, "MESSAGE_CREATE", message(general, 1));
    h.events.to_channel(space, secret, "MESSAGE_CREATE", message(secret, 2));
    ASSERT_TRUE(h.run_until([&] { return numbers(c).size() == 1; }));
    h.run_for(30ms);
    const auto d = dispatches(c);
    ASSERT_EQ(d.size(), 3u);
    EXPECT_EQ(d[1].at("t"), "SPACE_CREATE");
    EXPECT_EQ(d[2].at("d").at("n"), 1);
    EXPECT_TRUE(dispatches(c, "CHANNEL_CREATE").empty()) << "SPACE_CREATE carries the channels";
}

TEST_F(GatewaySession, NewDirectMessageChannelIsSubscribed) {
    auto& a = h.identified("ta");
    auto& c = h.identified("tc");
    h.data.dms[900] = {alice, carol};
    h.events.to_users({alice, carol}, "CHANNEL_CREATE",
                      json::object{{"id", "900"}, {"type", "dm"}});
    h.events.to_channel(0, 900, "MESSAGE_CREATE", message(900, 1));
    ASSERT_TRUE(h.run_until([&] { return numbers(a).size() == 1 && numbers(c).size() == 1; }));
    EXPECT_EQ(dispatches(a, "CHANNEL_CREATE").size(), 1u);
}

TEST_F(GatewaySession, ResumeReplaysExactlyTheMissedEventsThenResumed) {
    auto& a = h.identified("ta");
    const auto id = session_of(a);
    h.events.to_channel(space, general, "MESSAGE_CREATE", message(general, 1));
    ASSERT_TRUE(h.run_until([&] { return numbers(a).size() == 1; }));
    const std::uint64_t seen = last_seq(a);  // 2
    a.drop();
    h.run_for(10ms);
    for (int n = 2; n <= 4; ++n)
        h.events.to_channel(space, general, "MESSAGE_CREATE", message(general, n));
    h.run_for(20ms);
    EXPECT_EQ(h.core->session_count(), 1u) << "kept for the grace period";

    auto& again = h.connect();
    again.say(resume("ta", id, seen));
    ASSERT_TRUE(h.run_until([&] { return !dispatches(again, "RESUMED").empty(); }));
    EXPECT_EQ(numbers(again), (std::vector<int>{2, 3, 4}));
    const auto d = dispatches(again);
    EXPECT_EQ(d.front().at("s").to_number<std::uint64_t>(), seen + 1);
    expect_consecutive(again, seen + 1);

    h.events.to_channel(space, general, "MESSAGE_CREATE", message(general, 5));
    ASSERT_TRUE(h.run_until([&] { return numbers(again).size() == 4; }));
    expect_consecutive(again, seen + 1);
}

TEST(GatewayResume, WorksOnAnotherShard) {
    harness h(2);
    seed(h.data);
    auto& a = h.identified("ta", 0);
    auto& b = h.identified("tb", 1);
    const auto id = session_of(a);
    a.drop();
    h.run_for(10ms);
    h.events.to_channel(space, general, "MESSAGE_CREATE", message(general, 1));
    h.events.to_channel(space, general, "MESSAGE_CREATE", message(general, 2));
    ASSERT_TRUE(h.run_until([&] { return numbers(b).size() == 2; }));

    auto& again = h.connect(1);
    again.say(resume("ta", id, 1));
    ASSERT_TRUE(h.run_until([&] { return !dispatches(again, "RESUMED").empty(); }));
    EXPECT_EQ(numbers(again), (std::vector<int>{1, 2}));
    for (int n = 3; n <= 20; ++n)
        h.events.to_channel(space, general, "MESSAGE_CREATE", message(general, n));
    ASSERT_TRUE(h.run_until([&] { return numbers(again).size() == 20; }));
    std::vector<int> expected;
    for (int n = 1; n <= 20; ++n) expected.push_back(n);
    EXPECT_EQ(numbers(again), expected);
    expect_consecutive(again, 2);

    // Ops from the other shard reach the session: presence, then members.
    again.say(bj::value{{"op", "request_members"}, {"d", {{"space_id", "100"}}}});
    ASSERT_TRUE(h.run_until([&] { return !dispatches(again, "MEMBERS_CHUNK").empty(); }));
    expect_consecutive(again, 2);
}

TEST_F(GatewaySession, ResumeFailures) {
    auto& a = h.identified("ta");
    const auto id = session_of(a);
    a.drop();
    h.run_for(10ms);

    auto& unknown = h.connect();
    unknown.say(resume("ta", "no-such-session", 0));
    ASSERT_TRUE(h.run_until([&] { return unknown.frames.size() == 2; }));
    EXPECT_EQ(unknown.frames[1].at("op"), "invalid_session");
    EXPECT_EQ(unknown.frames[1].at("d").at("resumable"), false);
    EXPECT_FALSE(unknown.closed_with) << "the client may identify on the same connection";
    unknown.say(identify("ta"));
    ASSERT_TRUE(h.run_until([&] { return !dispatches(unknown, "READY").empty(); }));

    auto& stranger = h.connect();
    stranger.say(resume("tb", id, 0));  // bob's token, alice's session
    ASSERT_TRUE(h.run_until([&] { return stranger.frames.size() == 2; }));
    EXPECT_EQ(stranger.frames[1].at("op"), "invalid_session");

    auto& ahead = h.connect();
    ahead.say(resume("ta", id, 99));
    ASSERT_TRUE(h.run_until([&] { return ahead.closed_with.has_value(); }));
    EXPECT_EQ(*ahead.closed_with, close_code::invalid_seq);

    auto& bad_token = h.connect();
    bad_token.say(resume("nope", id, 0));
    ASSERT_TRUE(h.run_until([&] { return bad_token.closed_with.has_value(); }));
    EXPECT_EQ(*bad_token.closed_with, close_code::authentication_failed);

    // None of this harmed the session: alice resumes it.
    auto& again = h.connect();
    again.say(resume("ta", id, 1));
    ASSERT_TRUE(h.run_until([&] { return !dispatches(again, "RESUMED").empty(); }));
}

TEST(GatewayResume, TooOldSeqIsInvalidAndEndsTheSession) {
    auto o = harness::default_options();
    o.replay_events = 4;
    harness h(1, o);
    seed(h.data);
    auto& a = h.identified("ta");
    const auto id = session_of(a);
    a.drop();
    h.run_for(10ms);
    for (int n = 1; n <= 6; ++n)
        h.events.to_channel(space, general, "MESSAGE_CREATE", message(general, n));
    h.run_for(20ms);
    auto& again = h.connect();
    again.say(resume("ta", id, 1));
    ASSERT_TRUE(h.run_until([&] { return again.frames.size() == 2; }));
    EXPECT_EQ(again.frames[1].at("op"), "invalid_session");
    EXPECT_EQ(h.core->session_count(), 0u);
}

TEST(GatewayResume, SessionIsDroppedAfterTheGracePeriod) {
    auto o = harness::default_options();
    o.resume_grace = std::chrono::seconds(0);
    harness h(1, o);
    seed(h.data);
    auto& a = h.identified("ta");
    const auto id = session_of(a);
    a.drop();
    ASSERT_TRUE(h.run_until([&] { return h.core->session_count() == 0; }));
    EXPECT_EQ(h.core->shard(0).subscribers(hub::topic::channel, general), 0u);
    auto& again = h.connect();
    again.say(resume("ta", id, 1));
    ASSERT_TRUE(h.run_until([&] { return again.frames.size() == 2; }));
    EXPECT_EQ(again.frames[1].at("op"), "invalid_session");
}

TEST_F(GatewaySession, ResumeTakesOverAConnectionStillOpen) {
    auto& a = h.identified("ta");
    const auto id = session_of(a);
    auto& again = h.connect();
    again.say(resume("ta", id, 1));
    ASSERT_TRUE(h.run_until([&] { return !dispatches(again, "RESUMED").empty() && a.gone; }));
    EXPECT_EQ(*a.closed_with, net::ws::close_normal);
    h.events.to_channel(space, general, "MESSAGE_CREATE", message(general, 1));
    ASSERT_TRUE(h.run_until([&] { return numbers(again).size() == 1; }));
    EXPECT_TRUE(numbers(a).empty());
}

TEST_F(GatewaySession, HeartbeatIsAcknowledgedAndForgetsWhatTheClientHas) {
    auto& a = h.identified("ta");
    const auto id = session_of(a);
    for (int n = 1; n <= 3; ++n)
        h.events.to_channel(space, general, "MESSAGE_CREATE", message(general, n));
    ASSERT_TRUE(h.run_until([&] { return numbers(a).size() == 3; }));
    a.say(bj::value{{"op", "heartbeat"}, {"d", {{"seq", 3}}}});
    ASSERT_TRUE(h.run_until([&] { return a.frames.back().at("op") == "heartbeat_ack"; }));
    a.drop();
    h.run_for(10ms);
    // Events up to 3 were acknowledged and forgotten: resuming before them fails.
    auto& early = h.connect();
    early.say(resume("ta", id, 1));
    ASSERT_TRUE(h.run_until([&] { return early.frames.size() == 2; }));
    EXPECT_EQ(early.frames[1].at("op"), "invalid_session");
}

TEST_F(GatewaySession, CloseCodesForProtocolErrors) {
    struct kase {
        std::vector<std::string> say;
        std::uint16_t code;
    };
    const std::vector<kase> cases = {
        {{"{not json"}, close_code::decode_error},
        {{R"({"op":"identify","d":{}})"}, close_code::decode_error},
        {{R"({"op":"fly","d":{}})"}, close_code::unknown_op},
        {{R"({"op":"typing","d":{"channel_id":"101"}})"}, close_code::not_authenticated},
        {{R"({"op":"identify","d":{"token":"wrong"}})"}, close_code::authentication_failed},
        {{R"({"op":"identify","d":{"token":"ta"}})", R"({"op":"identify","d":{"token":"ta"}})"},
         close_code::already_authenticated},
    };
    for (const auto& k : cases) {
        auto& c = h.connect();
        for (const auto& s : k.say) c.say(s);
        ASSERT_TRUE(h.run_until([&] { return c.closed_with.has_value(); })) << k.say[0];
        EXPECT_EQ(*c.closed_with, k.code) << k.say[0];
    }
}

TEST_F(GatewaySession, ProtocolErrorAfterIdentifyEndsTheSession) {
    auto& a = h.identified("ta");
    a.say(R"({"op":"fly","d":{}})");
    ASSERT_TRUE(h.run_until([&] { return a.gone; }));
    EXPECT_EQ(*a.closed_with, close_code::unknown_op);
    ASSERT_TRUE(h.run_until([&] { return h.core->session_count() == 0; }));
}

TEST_F(GatewaySession, MoreThan120FramesIn60SecondsIs4008) {
    auto& a = h.identified("ta");
    for (int i = 0; i < 119; ++i) a.say(R"({"op":"heartbeat","d":{"seq":null}})");
    ASSERT_TRUE(h.run_until([&] {
        return std::count_if(a.frames.begin(), a.frames.end(), [](const bj::value& f) {
                   return f.at("op") == "heartbeat_ack";
               }) == 119;
    }));
    EXPECT_FALSE(a.closed_with) << "identify plus 119 heartbeats is 120 frames";
    a.say(R"({"op":"heartbeat","d":{"seq":null}})");
    ASSERT_TRUE(h.run_until([&] { return a.closed_with.has_value(); }));
    EXPECT_EQ(*a.closed_with, close_code::rate_limited);
    EXPECT_EQ(h.core->session_count(), 1u) << "4008 is resumable";
}

TEST(GatewayDeadlines, MissedHeartbeatsAre4009AndMissingIdentifyIs4003) {
    auto o = harness::default_options();
    o.heartbeat_interval = 60ms;
    o.identify_timeout = 80ms;
    harness h(1, o);
    seed(h.data);
    auto& silent = h.identified("ta");
    auto& beating = h.identified("tb");
    auto& anonymous = h.connect();
    const auto start = std::chrono::steady_clock::now();
    // bob heartbeats every interval; alice never does.
    ASSERT_TRUE(h.run_until(
        [&] {
            if (beating.frames.size() < 50) beating.say(R"({"op":"heartbeat","d":{}})");
            h.run_for(20ms);
            return silent.closed_with.has_value() && anonymous.closed_with.has_value();
        },
        3000ms));
    EXPECT_EQ(*silent.closed_with, close_code::session_timed_out);
    EXPECT_EQ(*anonymous.closed_with, close_code::not_authenticated);
    EXPECT_GE(std::chrono::steady_clock::now() - start, 120ms) << "two intervals";
    EXPECT_FALSE(beating.closed_with);
}

TEST_F(GatewaySession, PresenceIsAggregatedAndSharedWithPeers) {
    h.data.status.clear();
    auto& a = h.identified("ta");
    auto presences = [&](fake_connection& c) {
        std::vector<std::string> out;
        for (const auto& f : dispatches(c, "PRESENCE_UPDATE")) {
            EXPECT_EQ(f.at("d").at("user_id"), "2");
            out.emplace_back(f.at("d").at("status").as_string());
        }
        return out;
    };
    auto& c = h.identified("tc");
    auto& b1 = h.identified("tb");
    ASSERT_TRUE(h.run_until([&] { return presences(a).size() == 1; }));
    EXPECT_EQ(presences(a).back(), "online");

    b1.say(R"({"op":"presence","d":{"status":"idle"}})");
    ASSERT_TRUE(h.run_until([&] { return presences(a).size() == 2; }));
    EXPECT_EQ(presences(a).back(), "idle");

    auto& b2 = h.identified("tb");
    ASSERT_TRUE(h.run_until([&] { return presences(a).size() == 3; }));
    EXPECT_EQ(presences(a).back(), "online") << "online on any session wins";
    b2.say(R"({"op":"presence","d":{"status":"invisible"}})");
    ASSERT_TRUE(h.run_until([&] { return presences(a).size() == 4; }));
    EXPECT_EQ(presences(a).back(), "idle");
    b1.say(R"({"op":"presence","d":{"status":"invisible"}})");
    ASSERT_TRUE(h.run_until([&] { return presences(a).size() == 5; }));
    EXPECT_EQ(presences(a).back(), "offline") << "invisible is shown as offline";

    // READY of a newcomer shows the others' presences in small spaces.
    auto& a2 = h.identified("ta");
    const bj::value ready_presences =
        dispatches(a2, "READY")[0].at("d").at("spaces").at(0).at("presences");
    bool alice_online = false;
    for (const auto& p : ready_presences.as_array()) {
        EXPECT_NE(p.at("user_id"), "2") << "bob is invisible";
        if (p.at("user_id") == "1" && p.at("status") == "online") alice_online = true;
    }
    EXPECT_TRUE(alice_online);

    h.run_for(20ms);
    EXPECT_TRUE(presences(c).empty()) << "carol shares nothing with bob";
}

TEST(GatewayPresence, OfflineOnlyAfterTheGraceEnds) {
    auto o = harness::default_options();
    o.resume_grace = std::chrono::milliseconds(150);
    harness h(1, o);
    seed(h.data);
    h.data.status.clear();
    auto& a = h.identified("ta");
    auto& b = h.identified("tb");
    ASSERT_TRUE(h.run_until([&] { return !dispatches(a, "PRESENCE_UPDATE").empty(); }));
    const auto dropped_at = std::chrono::steady_clock::now();
    b.drop();
    ASSERT_TRUE(h.run_until([&] { return dispatches(a, "PRESENCE_UPDATE").size() == 2; }));
    EXPECT_GE(std::chrono::steady_clock::now() - dropped_at, 150ms);
    EXPECT_EQ(dispatches(a, "PRESENCE_UPDATE")[1].at("d").at("status"), "offline");
}

TEST_F(GatewaySession, RequestMembersAnswersMembersOnly) {
    h.data.status[alice] = "online";
    auto& a = h.identified("ta");
    auto& c = h.identified("tc");
    a.say(bj::value{{"op", "request_members"}, {"d", {{"space_id", "100"}, {"limit", 10}}}});
    c.say(bj::value{{"op", "request_members"}, {"d", {{"space_id", "100"}}}});
    ASSERT_TRUE(h.run_until([&] {
        return !dispatches(a, "MEMBERS_CHUNK").empty() && !dispatches(c, "MEMBERS_CHUNK").empty();
    }));
    const bj::value d = dispatches(a, "MEMBERS_CHUNK")[0].at("d");
    EXPECT_EQ(d.at("space_id"), "100");
    EXPECT_EQ(d.at("members").as_array().size(), 2u);
    ASSERT_EQ(d.at("presences").as_array().size(), 1u) << "only alice is online";
    EXPECT_EQ(d.at("presences").at(0).at("user_id"), "1");
    const bj::value outsider = dispatches(c, "MEMBERS_CHUNK")[0].at("d");
    EXPECT_TRUE(outsider.at("members").as_array().empty());
    EXPECT_TRUE(outsider.at("presences").as_array().empty());
    expect_consecutive(a);
}

TEST_F(GatewaySession, TypingVoiceStateAndShutdown) {
    auto& a = h.identified("ta");
    a.say(R"({"op":"typing","d":{"channel_id":"101"}})");
    a.say(R"({"op":"voice_state","d":{"channel_id":"101","self_mute":true}})");
    a.say(R"({"op":"voice_state","d":{"channel_id":null,"self_mute":false,"self_deaf":false}})");
    ASSERT_TRUE(h.run_until([&] { return !h.data.typed.empty() && !h.data.left_voice.empty(); }));
    EXPECT_EQ(h.data.left_voice, std::vector<id_t>{alice}) << "only the null channel_id leaves";
    EXPECT_EQ(h.data.typed[0], (std::pair<id_t, id_t>{alice, general}));
    const auto before = a.frames.size();
    h.run_for(20ms);
    EXPECT_EQ(a.frames.size(), before) << "voice_state gets no answer";
    EXPECT_FALSE(a.closed_with);
    a.shutdown();
    ASSERT_TRUE(h.run_until([&] { return a.frames.size() == before + 1; }));
    EXPECT_EQ(a.frames.back().at("op"), "reconnect");
}

TEST_F(GatewaySession, SlowConsumerIsCountedAndCanResume) {
    auto& counter = metrics::global().get_counter("slow_consumer_closes_total", "");
    const auto before = counter.value();
    auto& a = h.identified("ta");
    const auto id = session_of(a);
    a.overflow_after = a.frames.size() + 2;
    for (int n = 1; n <= 5; ++n)
        h.events.to_channel(space, general, "MESSAGE_CREATE", message(general, n));
    ASSERT_TRUE(h.run_until([&] { return a.gone; }));
    EXPECT_EQ(*a.closed_with, close_code::slow_consumer);
    EXPECT_EQ(counter.value(), before + 1);
    auto& again = h.connect();
    again.say(resume("ta", id, last_seq(a)));
    ASSERT_TRUE(h.run_until([&] { return !dispatches(again, "RESUMED").empty(); }));
    EXPECT_EQ(numbers(again), (std::vector<int>{3, 4, 5}));
}

TEST_F(GatewaySession, FailedRecomputeEndsTheSessionRatherThanGuess) {
    auto& b = h.identified("tb");
    h.data.fail_access = true;
    h.events.to_space(space, "ROLE_UPDATE", json::object{{"n", 1}}, true);
    ASSERT_TRUE(h.run_until([&] { return b.gone; }));
    EXPECT_EQ(*b.closed_with, close_code::unknown_error);
    EXPECT_TRUE(dispatches(b, "ROLE_UPDATE").empty());
    EXPECT_EQ(h.core->session_count(), 0u);
}

}  // namespace
}  // namespace driftway::text::gw
