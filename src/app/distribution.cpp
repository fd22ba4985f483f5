#include "distribution.hpp"

#include "driftway/bus/redis_cache.hpp"
#include "driftway/bus/redis_connection.hpp"
#include "driftway/bus/redis_event_bus.hpp"
#include "driftway/bus/redis_presence.hpp"
#include "driftway/bus/redis_rate_limiter.hpp"
#include "driftway/bus/redis_subscriber.hpp"
#include "driftway/bus/redis_voice.hpp"
#include "driftway/core/log.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <future>
#include <optional>
#include <thread>

namespace driftway::app {

namespace asio = boost::asio;

namespace {

// True while this thread is inside publish(): the Redis bus hands a node's
// own events to its receiver synchronously, so a receiver call with this set
// is local, and one without it came from another node.
thread_local bool publishing_here = false;

// The Redis bus with a hook for events from other nodes (directory
// invalidation), run before the gateway's receiver sees them.
class hooked_bus final : public bus::event_bus {
public:
    explicit hooked_bus(bus::event_bus& inner) : inner_(inner) {}

    void publish(bus::event_ptr e) override {
        publishing_here = true;
        inner_.publish(std::move(e));
        publishing_here = false;
    }
    void set_receiver(receiver r) override {
        if (!r) return inner_.set_receiver({});
        inner_.set_receiver([this, r = std::move(r)](const bus::event_ptr& e) {
            if (!publishing_here && hook_) hook_(*e);
            r(e);
        });
    }
    void set_hook(std::function<void(const bus::event&)> f) { hook_ = std::move(f); }

private:
    bus::event_bus& inner_;
    std::function<void(const bus::event&)> hook_;
};

// Presence over the nodes, behind the gateway's interface.
class redis_cluster_presence final : public text::cluster_presence {
public:
    redis_cluster_presence(bus::redis_presence& presence, bus::redis_connection& commands)
        : presence_(presence), commands_(commands) {}

    void set(std::uint64_t user, std::string status,
             std::function<void(std::optional<std::string>)> done) override {
        // co_spawn posts to the Redis thread, which runs the script's send
        // before its first suspension: posts made in order (the caller holds
        // the registry's lock) reach Redis in order.
        asio::co_spawn(
            commands_.executor(), presence_.set(user, std::move(status), {}),
            [done = std::move(done)](std::exception_ptr e, std::optional<std::string> overall) {
                done(e ? std::nullopt : std::move(overall));
            });
    }

    // The aggregate the presence script keeps per user (presence:shown:*),
    // for all users in one MGET. Entries of a dead node lapse with its ttl.
    asio::awaitable<std::vector<std::string>> statuses(std::vector<std::uint64_t> users) override {
        std::vector<std::string> out(users.size(), "offline");
        if (users.empty()) co_return out;
        std::vector<std::string> args{"MGET"};
        for (const auto u : users) args.push_back("presence:shown:" + std::to_string(u));
        const auto r = co_await commands_.command(std::move(args));
        if (r.type != bus::redis_reply::kind::array) co_return out;
        for (std::size_t i = 0; i < out.size() && i < r.elements.size(); ++i)
            if (r.elements[i].type == bus::redis_reply::kind::string) out[i] = r.elements[i].str;
        co_return out;
    }

private:
    bus::redis_presence& presence_;
    bus::redis_connection& commands_;
};

constexpr auto presence_ttl = std::chrono::seconds(60);

// The directory's shared cache over bus::redis_cache. Entries live
// cache_ttl at most, which bounds how long a lost invalidation can leave a
// stale entry; writes and invalidations run on the Redis thread in the
// background so no request waits for them.
constexpr auto cache_ttl = std::chrono::minutes(5);

class redis_shared_cache final : public text::shared_cache {
public:
    redis_shared_cache(bus::redis_cache& cache, asio::any_io_executor executor)
        : cache_(cache), executor_(std::move(executor)) {}

    asio::awaitable<std::optional<std::string>> get(std::string key) override {
        co_return co_await cache_.get(std::move(key));
    }
    void set(std::string key, std::string value) override {
        asio::co_spawn(executor_, cache_.set(std::move(key), std::move(value), cache_ttl),
                       [](std::exception_ptr, bool) {});
    }
    void invalidate(std::string key) override {
        asio::co_spawn(executor_, cache_.invalidate(key), [key](std::exception_ptr e, bool ok) {
            // The entry may outlive the change by up to cache_ttl.
            if (e || !ok) log::warn("cache invalidation failed", {{"key", key}});
        });
    }
    void on_invalidate(std::function<void(std::string_view)> handler) override {
        cache_.on_invalidate(std::move(handler));
    }

private:
    bus::redis_cache& cache_;
    asio::any_io_executor executor_;
};

}  // namespace

struct distribution::impl {
    // One node.
    std::unique_ptr<bus::in_process_event_bus> local_events;
    std::unique_ptr<bus::memory_rate_limiter> local_limiter;
    std::unique_ptr<bus::memory_voice_states> local_states;
    std::unique_ptr<bus::in_process_voice_commands> local_commands;

    // Cluster; declared in construction order, destroyed in reverse.
    std::unique_ptr<asio::io_context> io;
    std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
    std::unique_ptr<bus::redis_connection> commands;
    std::unique_ptr<bus::redis_subscriber> subscriber;
    std::unique_ptr<bus::redis_event_bus> redis_events;
    std::unique_ptr<hooked_bus> events;
    std::unique_ptr<bus::redis_rate_limiter> limiter;
    std::unique_ptr<bus::redis_voice_states> states;
    std::unique_ptr<bus::redis_voice_commands> voice_commands;
    std::unique_ptr<bus::redis_presence> presence;
    std::unique_ptr<redis_cluster_presence> cluster_presence;
    std::unique_ptr<voice_registry> registry;
    std::unique_ptr<bus::redis_cache> cache;
    std::unique_ptr<redis_shared_cache> shared_cache;
    std::thread thread;

    std::optional<voice_node> registered;
    bool stopped = false;

    // Runs `tick` every `period` on the Redis thread until the thread stops.
    void every(std::chrono::milliseconds period, std::function<asio::awaitable<void>()> tick) {
        auto loop = [](asio::io_context& io, std::chrono::milliseconds period,
                       std::function<asio::awaitable<void>()> tick) -> asio::awaitable<void> {
            asio::steady_timer timer(io);
            for (;;) {
                co_await tick();
                timer.expires_after(period);
                co_await timer.async_wait(asio::use_awaitable);
            }
        };
        asio::co_spawn(*io, loop(*io, period, std::move(tick)), [](std::exception_ptr e) {
            if (!e) return;
            try {
                std::rethrow_exception(e);
            } catch (const std::exception& x) {
                log::error("redis heartbeat stopped", {{"error", x.what()}});
            }
        });
    }
};

distribution::distribution(const config& c) : impl_(std::make_unique<impl>()) {
    auto& i = *impl_;
    if (c.redis.url.empty()) {
        i.local_events = std::make_unique<bus::in_process_event_bus>();
        i.local_limiter = std::make_unique<bus::memory_rate_limiter>();
        i.local_states = std::make_unique<bus::memory_voice_states>();
        i.local_commands = std::make_unique<bus::in_process_voice_commands>();
        return;
    }
    std::string host;
    std::uint16_t port = 0;
    unsigned db = 0;
    if (!parse_redis_url(c.redis.url, host, port, db))
        throw std::invalid_argument("redis.url: expected redis://HOST[:PORT][/DB]");
    bus::redis_options options;
    options.host = host;
    options.port = port;
    const std::uint64_t node = c.server.node_id;

    i.io = std::make_unique<asio::io_context>(1);
    i.work.emplace(i.io->get_executor());
    i.commands = std::make_unique<bus::redis_connection>(i.io->get_executor(), options);
    if (db != 0) {
        // Pub/sub ignores the database; keys (limits, presence, voice) use it.
        i.commands->on_connect([c = i.commands.get(), db] {
            c->send({"SELECT", std::to_string(db)}, [](bus::redis_reply r) {
                if (!r.ok()) log::error("redis SELECT failed", {{"error", r.str}});
            });
        });
    }
    i.subscriber = std::make_unique<bus::redis_subscriber>(i.io->get_executor(), options);
    i.redis_events = std::make_unique<bus::redis_event_bus>(*i.commands, *i.subscriber, node);
    i.events = std::make_unique<hooked_bus>(*i.redis_events);
    i.limiter = std::make_unique<bus::redis_rate_limiter>(*i.commands);
    i.states = std::make_unique<bus::redis_voice_states>(*i.commands, *i.subscriber, node);
    i.voice_commands =
        std::make_unique<bus::redis_voice_commands>(*i.commands, *i.subscriber, node);
    i.presence = std::make_unique<bus::redis_presence>(*i.commands, node, presence_ttl);
    i.cluster_presence = std::make_unique<redis_cluster_presence>(*i.presence, *i.commands);
    i.registry = std::make_unique<voice_registry>(*i.commands);
    i.cache = std::make_unique<bus::redis_cache>(*i.commands, *i.subscriber);
    i.shared_cache = std::make_unique<redis_shared_cache>(*i.cache, i.io->get_executor());

    i.commands->start();
    i.subscriber->start();
    i.every(std::chrono::duration_cast<std::chrono::milliseconds>(presence_ttl) / 3,
            [p = i.presence.get()]() -> asio::awaitable<void> { co_await p->heartbeat(); });
    i.thread = std::thread([io = i.io.get()] { io->run(); });
    log::info("redis bus", {{"host", host}, {"port", port}, {"db", db}, {"node_id", node}});
}

distribution::~distribution() {
    shutdown();
    auto& i = *impl_;
    // Users of the connections, then the connections, then the io_context.
    i.shared_cache.reset();
    i.cache.reset();
    i.registry.reset();
    i.cluster_presence.reset();
    i.presence.reset();
    i.voice_commands.reset();
    i.states.reset();
    i.limiter.reset();
    i.events.reset();
    i.redis_events.reset();
    i.subscriber.reset();
    i.commands.reset();
    i.io.reset();
}

bool distribution::clustered() const noexcept {
    return impl_->io != nullptr;
}

bus::event_bus& distribution::events() noexcept {
    if (impl_->events) return *impl_->events;
    return *impl_->local_events;
}

bus::rate_limiter& distribution::limiter() noexcept {
    if (impl_->limiter) return *impl_->limiter;
    return *impl_->local_limiter;
}

bus::voice_state_store& distribution::voice_states() noexcept {
    if (impl_->states) return *impl_->states;
    return *impl_->local_states;
}

bus::voice_commands& distribution::voice_commands() noexcept {
    if (impl_->voice_commands) return *impl_->voice_commands;
    return *impl_->local_commands;
}

text::cluster_presence* distribution::presence() noexcept {
    return impl_->cluster_presence.get();
}

text::shared_cache* distribution::shared_cache() noexcept {
    return impl_->shared_cache.get();
}

voice_registry* distribution::voice_nodes() noexcept {
    return impl_->registry.get();
}

std::vector<health_check> distribution::checks() {
    if (!clustered()) return {};
    auto* commands = impl_->commands.get();
    return {{"redis", [commands]() -> asio::awaitable<store::health> {
                 const auto start = std::chrono::steady_clock::now();
                 const auto r = co_await commands->command({"PING"});
                 store::health h;
                 h.ok = r.ok();
                 h.latency_ms = std::chrono::duration<double, std::milli>(
                                    std::chrono::steady_clock::now() - start)
                                    .count();
                 if (!h.ok) h.detail = r.str.empty() ? "unreachable" : r.str;
                 co_return h;
             }}};
}

void distribution::on_remote_event(std::function<void(const bus::event&)> f) {
    if (impl_->events) impl_->events->set_hook(std::move(f));
}

void distribution::register_voice_node(std::uint64_t node_id, std::string endpoint) {
    auto& i = *impl_;
    if (!i.registry) return;
    i.registered = voice_node{node_id, endpoint};
    i.every(i.registry->ttl() / 3,
            [r = i.registry.get(), node_id, endpoint]() -> asio::awaitable<void> {
                if (!co_await r->announce(node_id, endpoint))
                    log::warn("voice node registration failed", {{"node_id", node_id}});
            });
    log::info("voice node registered", {{"node_id", node_id}, {"endpoint", endpoint}});
}

bool distribution::wait_ready(std::chrono::milliseconds deadline) {
    auto& i = *impl_;
    if (!clustered()) return true;
    const auto until = std::chrono::steady_clock::now() + deadline;
    while (!(i.redis_events->ready() && i.states->ready() && i.voice_commands->ready())) {
        if (std::chrono::steady_clock::now() > until) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));  // start-up only
    }
    return true;
}

void distribution::shutdown() {
    auto& i = *impl_;
    if (i.stopped || !clustered()) return;
    i.stopped = true;
    if (i.registered) {
        // Leave at once rather than after the ttl: joins go elsewhere now.
        auto done = std::make_shared<std::promise<bool>>();
        auto f = done->get_future();
        asio::co_spawn(*i.io, i.registry->withdraw(i.registered->id),
                       [done](std::exception_ptr e, bool ok) { done->set_value(!e && ok); });
        if (f.wait_for(std::chrono::seconds(2)) != std::future_status::ready || !f.get())
            log::warn("voice node withdrawal failed; it expires with its ttl");
    }
    i.work.reset();
    i.io->stop();
    if (i.thread.joinable()) i.thread.join();
}

}  // namespace driftway::app
