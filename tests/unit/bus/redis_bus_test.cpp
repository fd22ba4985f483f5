#include "driftway/bus/redis_event_bus.hpp"
#include "redis_test_support.hpp"

#include <atomic>
#include <mutex>

namespace driftway::bus {
namespace {

using test::node;
using test::redis_server;
using test::wait_for;

// Counts what a node's receiver gets, by event type.
struct inbox {
    std::mutex mutex;
    std::vector<event_ptr> events;
    void operator()(const event_ptr& e) {
        std::lock_guard lock(mutex);
        events.push_back(e);
    }
    std::size_t count(const std::string& type) {
        std::lock_guard lock(mutex);
        std::size_t n = 0;
        for (const auto& e : events) n += e->type == type;
        return n;
    }
    std::size_t size() {
        std::lock_guard lock(mutex);
        return events.size();
    }
};

event_ptr make(std::string type, event::audience to = event::audience::channel) {
    auto e = std::make_shared<event>();
    e->to = to;
    e->target = 123;
    e->space_id = 9;
    e->users = {4, 5};
    e->type = type;
    e->body = make_event_body(type, R"({"n":1})");
    return e;
}

struct two_nodes : ::testing::Test {
    void SetUp() override {
        DRIFTWAY_REQUIRE_REDIS();
        ASSERT_TRUE(server.start());
        a.emplace(server.port());
        b.emplace(server.port());
        bus_a = std::make_unique<redis_event_bus>(a->commands, a->subscriber, 1);
        bus_b = std::make_unique<redis_event_bus>(b->commands, b->subscriber, 2);
        bus_a->set_receiver([this](const event_ptr& e) { got_a(e); });
        bus_b->set_receiver([this](const event_ptr& e) { got_b(e); });
        ASSERT_TRUE(wait_for([&] { return bus_a->ready() && bus_b->ready(); }));
    }
    void TearDown() override {
        if (a) a->halt();
        if (b) b->halt();
        bus_a.reset();
        bus_b.reset();
    }
    redis_server server;
    std::optional<node> a, b;
    std::unique_ptr<redis_event_bus> bus_a, bus_b;
    inbox got_a, got_b;
};

TEST_F(two_nodes, EventReachesEachNodeOnceAndRoundTrips) {
    const auto e = make("MESSAGE_CREATE", event::audience::users);
    bus_a->publish(e);
    EXPECT_EQ(got_a.count("MESSAGE_CREATE"), 1u) << "local delivery is immediate";
    ASSERT_TRUE(wait_for([&] { return got_b.count("MESSAGE_CREATE") == 1; }));
    {
        std::lock_guard lock(got_b.mutex);
        const auto& r = *got_b.events.front();
        EXPECT_NE(&r, e.get()) << "B decoded its own copy";
        EXPECT_EQ(r.to, e->to);
        EXPECT_EQ(r.target, e->target);
        EXPECT_EQ(r.users, e->users);
        EXPECT_EQ(r.space_id, e->space_id);
        EXPECT_EQ(*r.body, *e->body);
    }
    // B's marker is published after Redis sent A's frame to every
    // subscriber, A included: once A has the marker, an echo would be there.
    bus_b->publish(make("MARKER"));
    ASSERT_TRUE(wait_for([&] { return got_a.count("MARKER") == 1; }));
    EXPECT_EQ(got_a.count("MESSAGE_CREATE"), 1u) << "A's own frame came back and was skipped";
    EXPECT_EQ(got_b.count("MARKER"), 1u);
    EXPECT_EQ(got_b.count("MESSAGE_CREATE"), 1u);
}

TEST_F(two_nodes, ManyPublishesCostFewRoundTrips) {
    constexpr std::size_t n = 5000;
    const auto before = server.calls("publish");
    std::thread publisher([&] {
        for (std::size_t i = 0; i < n; ++i)
            bus_a->publish(make("BULK", static_cast<event::audience>(i % 3)));
    });
    publisher.join();
    ASSERT_TRUE(wait_for([&] { return got_b.count("BULK") == n; }))
        << got_b.count("BULK") << " of " << n;
    const auto publishes = server.calls("publish") - before;
    const auto s = bus_a->stats();
    EXPECT_EQ(s.published, n);
    EXPECT_EQ(s.dropped, 0u);
    EXPECT_EQ(static_cast<long long>(s.publish_commands), publishes);
    // One PUBLISH per event would be 5000; with one flush in flight at a
    // time the events pile up into large frames.
    EXPECT_LT(publishes, static_cast<long long>(n / 10)) << "flushes: " << s.flushes;
    EXPECT_LT(s.flushes, n / 10);
}

TEST_F(two_nodes, DeliveryResumesAfterRedisRestarts) {
    const auto connects_a = a->subscriber.connect_count();
    server.stop();
    ASSERT_TRUE(wait_for([&] { return !a->commands.connected() && !b->subscriber.connected(); }));

    bus_a->publish(make("DURING_OUTAGE"));
    EXPECT_EQ(got_a.count("DURING_OUTAGE"), 1u) << "local delivery does not need Redis";
    ASSERT_TRUE(wait_for([&] { return bus_a->stats().dropped == 1; }));

    ASSERT_TRUE(server.start());  // same port
    ASSERT_TRUE(wait_for([&] {
        return bus_a->ready() && bus_b->ready() && a->commands.connected() &&
               b->commands.connected();
    }));
    EXPECT_GT(a->subscriber.connect_count(), connects_a);

    bus_a->publish(make("AFTER"));
    bus_b->publish(make("AFTER_B"));
    ASSERT_TRUE(wait_for([&] { return got_b.count("AFTER") == 1 && got_a.count("AFTER_B") == 1; }));
    EXPECT_EQ(got_b.count("DURING_OUTAGE"), 0u);
}

TEST(RedisConnection, PendingCommandsFailWhenTheConnectionDrops) {
    DRIFTWAY_REQUIRE_REDIS();
    redis_server server;
    ASSERT_TRUE(server.start());
    node n(server.port());
    ASSERT_TRUE(wait_for([&] { return n.commands.connected(); }));
    std::promise<redis_reply> blocked;
    // BLPOP waits for ever on an empty list; the crash must complete it.
    n.commands.send({"BLPOP", "nothing", "0"}, [&](redis_reply r) { blocked.set_value(r); });
    ASSERT_TRUE(wait_for([&] {
        return server.query({"CLIENT", "LIST"}).str.find("cmd=blpop") != std::string::npos;
    }));
    server.stop();
    auto f = blocked.get_future();
    ASSERT_EQ(f.wait_for(std::chrono::seconds(10)), std::future_status::ready);
    EXPECT_EQ(f.get().type, redis_reply::kind::failed);
    // While disconnected a command fails at once instead of hanging.
    ASSERT_TRUE(wait_for([&] { return !n.commands.connected(); }));
    const auto r = n.run(n.commands.command_of("PING"));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->type, redis_reply::kind::failed);
}

}  // namespace
}  // namespace driftway::bus
