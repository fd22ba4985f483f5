#include "driftway/bus/redis_cache.hpp"
#include "driftway/bus/redis_presence.hpp"
#include "driftway/bus/redis_voice.hpp"
#include "redis_test_support.hpp"

#include <atomic>
#include <mutex>

namespace driftway::bus {
namespace {

using namespace std::chrono_literals;
using test::node;
using test::redis_server;
using test::wait_for;

TEST(RedisVoiceStates, OtherNodesSeeStatesAndADeadNodesExpire) {
    DRIFTWAY_REQUIRE_REDIS();
    redis_server server;
    ASSERT_TRUE(server.start());
    node a(server.port()), b(server.port());
    auto va = std::make_unique<redis_voice_states>(a.commands, a.subscriber, 1, 600ms);
    auto vb = std::make_unique<redis_voice_states>(b.commands, b.subscriber, 2, 600ms);
    ASSERT_TRUE(wait_for([&] { return va->ready() && vb->ready(); }));

    const voice_state alice{100, 7, 70, true, false, false, false, false};
    const voice_state bob{200, 7, 71, false, false, false, false, true};
    va->put(alice);
    vb->put(bob);
    EXPECT_EQ(va->of_user(100), alice) << "the writer sees its own put at once";
    ASSERT_TRUE(
        wait_for([&] { return vb->in_channel(70).size() == 1 && va->in_space(7).size() == 2; }));
    EXPECT_EQ(vb->in_channel(70).front(), alice);
    EXPECT_EQ(server.query({"HGET", "voice:state:100", "channel_id"}).str, "70");
    EXPECT_EQ(server.query({"SISMEMBER", "voice:channel:70", "100"}).integer, 1);

    // Refreshes keep A's participant alive well past one ttl.
    const auto alive_until = std::chrono::steady_clock::now() + 1500ms;
    while (std::chrono::steady_clock::now() < alive_until) {
        ASSERT_EQ(vb->in_channel(70).size(), 1u);
        std::this_thread::sleep_for(50ms);
    }

    // B removes its own participant: A hears of it.
    vb->remove(200);
    ASSERT_TRUE(wait_for([&] { return !va->of_user(200); }));

    // A dies without a word: its participant expires in Redis and on B.
    a.halt();
    ASSERT_TRUE(wait_for([&] { return vb->in_channel(70).empty(); }, 5s));
    ASSERT_TRUE(wait_for(
        [&] {
            return server.query({"EXISTS", "voice:state:100"}).integer == 0;
        },
        5s));
    b.halt();  // before the stores: their timers live on the nodes' threads
    vb.reset();
    va.reset();
}

TEST(RedisVoiceCommands, ReachEveryNodeOnce) {
    DRIFTWAY_REQUIRE_REDIS();
    redis_server server;
    ASSERT_TRUE(server.start());
    node a(server.port()), b(server.port());
    redis_voice_commands ca(a.commands, a.subscriber, 1), cb(b.commands, b.subscriber, 2);
    std::atomic<int> got_a{0}, got_b{0};
    std::atomic<std::uint64_t> target{0};
    ca.set_receiver([&](const voice_command&) { ++got_a; });
    cb.set_receiver([&](const voice_command& c) {
        target = c.target_channel_id;
        ++got_b;
    });
    ASSERT_TRUE(wait_for([&] { return ca.ready() && cb.ready(); }));
    voice_command c;
    c.what = voice_command::kind::move;
    c.user_id = 5;
    c.target_channel_id = 77;
    ca.send(c);
    EXPECT_EQ(got_a.load(), 1);
    ASSERT_TRUE(wait_for([&] { return got_b.load() == 1; }));
    EXPECT_EQ(target.load(), 77u);
    cb.send(c);  // published after A's frame reached every subscriber
    ASSERT_TRUE(wait_for([&] { return got_a.load() == 2; }));
    EXPECT_EQ(got_b.load(), 2);
    a.halt();
    b.halt();
}

TEST(RedisPresence, OnlineWhileAnyNodeHoldsTheUser) {
    DRIFTWAY_REQUIRE_REDIS();
    redis_server server;
    ASSERT_TRUE(server.start());
    node a(server.port()), b(server.port()), watcher(server.port());
    redis_presence pa(a.commands, 1, 500ms), pb(b.commands, 2, 500ms);
    std::mutex mutex;
    std::vector<std::string> published;
    watcher.subscriber.subscribe(redis_presence::topic(9), [&](std::string_view p) {
        std::lock_guard lock(mutex);
        published.emplace_back(p);
    });
    ASSERT_TRUE(wait_for([&] { return watcher.subscriber.subscribed(redis_presence::topic(9)); }));
    const auto seen = [&] {
        std::lock_guard lock(mutex);
        return published;
    };

    EXPECT_EQ(a.run(pa.set(42, "idle", {9})).value(), "idle");
    EXPECT_EQ(b.run(pb.set(42, "online", {9})).value(), "online");
    EXPECT_EQ(a.run(pa.set(42, "offline", {9})).value(), "online") << "B still holds the user";
    EXPECT_EQ(a.run(pa.status_of(42)).value(), "online");
    ASSERT_TRUE(wait_for([&] { return seen().size() == 2; }));
    EXPECT_EQ(seen()[0], R"({"user_id":"42","status":"idle"})");
    EXPECT_EQ(seen()[1], R"({"user_id":"42","status":"online"})");

    // B's heartbeat keeps the user online past the ttl…
    for (int i = 0; i < 6; ++i) {
        ASSERT_TRUE(b.run(pb.heartbeat()).value());
        std::this_thread::sleep_for(150ms);
    }
    EXPECT_EQ(a.run(pa.status_of(42, {9})).value(), "online");
    // …and without it the user goes offline; the reader publishes that.
    b.halt();
    ASSERT_TRUE(wait_for([&] { return a.run(pa.status_of(42, {9})).value() == "offline"; }, 5s));
    ASSERT_TRUE(wait_for([&] { return seen().size() == 3; }));
    EXPECT_EQ(seen()[2], R"({"user_id":"42","status":"offline"})");
    a.halt();
    watcher.halt();
}

TEST(RedisCache, InvalidationReachesEveryNode) {
    DRIFTWAY_REQUIRE_REDIS();
    redis_server server;
    ASSERT_TRUE(server.start());
    node a(server.port()), b(server.port());
    redis_cache ca(a.commands, a.subscriber), cb(b.commands, b.subscriber);
    std::mutex mutex;
    std::vector<std::string> dropped;
    cb.on_invalidate([&](std::string_view key) {
        std::lock_guard lock(mutex);
        dropped.emplace_back(key);
    });
    ASSERT_TRUE(wait_for([&] { return b.subscriber.subscribed(std::string(redis_cache::topic)); }));
    const auto key = redis_cache::user_key(5);
    EXPECT_EQ(key, "cache:user:5");
    EXPECT_FALSE(a.run(ca.get(key)).value());
    ASSERT_TRUE(a.run(ca.set(key, R"({"name":"x"})", 60s)).value());
    EXPECT_EQ(b.run(cb.get(key)).value(), R"({"name":"x"})");
    EXPECT_GT(server.query({"PTTL", key}).integer, 50'000);
    ASSERT_TRUE(a.run(ca.invalidate(key)).value());
    ASSERT_TRUE(wait_for([&] {
        std::lock_guard lock(mutex);
        return dropped.size() == 1 && dropped[0] == key;
    }));
    EXPECT_FALSE(b.run(cb.get(key)).value());
    a.halt();
    b.halt();
}

}  // namespace
}  // namespace driftway::bus
