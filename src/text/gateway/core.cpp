#include "gateway/core.hpp"

#include "driftway/auth/crypto.hpp"
#include "driftway/core/log.hpp"
#include "gateway/client.hpp"
#include "gateway/hub.hpp"
#include "gateway/session.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>

namespace driftway::text::gw {

namespace asio = boost::asio;

namespace {

gateway_metrics make_metrics() {
    auto& r = metrics::global();
    return {
        r.get_counter("websocket_connections_total",
                      "WebSocket connections accepted by the gateway"),
        r.get_gauge("gateway_sessions", "Gateway sessions, connected or within their resume grace"),
        r.get_counter("events_dispatched_total", "Dispatches queued to gateway sessions"),
        r.get_counter("slow_consumer_closes_total",
                      "Gateway connections closed because their send queue overflowed"),
    };
}

// The transport's view of one connection, forwarding to the client, which
// is shared with coroutines and sessions that may outlive this handler.
class connection_handler final : public net::ws::handler {
public:
    explicit connection_handler(gateway_core& core) : core_(core) {}

    void on_open(net::ws::connection& c) override {
        client_ = std::make_shared<client>(core_, core_.shard(c.shard() % core_.shard_count()));
        client_->opened(c);
    }
    void on_message(net::ws::connection&, std::string_view text) override {
        if (client_) client_->message(text);
    }
    void on_close(std::uint16_t code) override {
        if (client_) client_->closed(code);
    }
    void on_shutdown(net::ws::connection& c) override {
        if (client_) client_->shutting_down(c);
    }

private:
    gateway_core& core_;
    std::shared_ptr<client> client_;
};

}  // namespace

gateway_core::gateway_core(gateway_data& data, bus::event_bus& bus,
                           std::vector<asio::io_context*> shards, gateway_options options)
    : data_(data), bus_(bus), options_(options), metrics_(make_metrics()) {
    if (shards.empty()) throw std::invalid_argument("the gateway needs at least one shard");
    for (unsigned i = 0; i < shards.size(); ++i)
        hubs_.push_back(std::make_unique<hub>(*this, *shards[i], i));
}

gateway_core::~gateway_core() = default;

void gateway_core::start() {
    // The receiver only hands off: one post per shard, each carrying the
    // shared event.
    bus_.set_receiver([this](const bus::event_ptr& e) {
        for (auto& h : hubs_) asio::post(h->io(), [h = h.get(), e] { h->dispatch(e); });
    });
    for (auto& h : hubs_) asio::post(h->io(), [h = h.get()] { h->start_sweep(); });
}

void gateway_core::stop() {
    bus_.set_receiver({});
}

std::unique_ptr<net::ws::handler> gateway_core::accept() {
    return std::make_unique<connection_handler>(*this);
}

void gateway_core::register_session(const std::shared_ptr<session>& s) {
    {
        std::lock_guard lock(sessions_mutex_);
        sessions_[s->id()] = s;
    }
    metrics_.sessions.add(1);
}

void gateway_core::forget_session(const std::string& id) {
    bool erased = false;
    {
        std::lock_guard lock(sessions_mutex_);
        erased = sessions_.erase(id) > 0;
    }
    if (erased) metrics_.sessions.add(-1);
}

std::shared_ptr<session> gateway_core::find_session(const std::string& id) const {
    std::lock_guard lock(sessions_mutex_);
    const auto it = sessions_.find(id);
    return it == sessions_.end() ? nullptr : it->second.lock();
}

std::size_t gateway_core::session_count() const {
    std::lock_guard lock(sessions_mutex_);
    return sessions_.size();
}

std::string gateway_core::new_session_id() {
    // 128 random bits: resuming needs the id and a token of the same user.
    return auth::random_token(16);
}

// Parameters by value: the coroutine outlives the caller's frame.
task<void> gateway_core::announce_presence(gateway_core* core, id_t user) {
    auto audience =
        std::make_shared<const std::vector<id_t>>(co_await core->data_.presence_audience(user));
    auto publish = [core, user, audience](std::string_view status) {
        if (audience->empty()) return;
        auto e = std::make_shared<bus::event>();
        e->to = bus::event::audience::users;
        e->users = *audience;
        e->type = "PRESENCE_UPDATE";
        const json::object d{{"user_id", json::id_string(user)}, {"status", status}};
        e->body = bus::make_event_body(e->type, json::serialize(d));
        core->bus_.publish(std::move(e));
    };
    core->presence_.publish_if_changed(user, [&](std::string_view status) {
        auto* cluster = core->options_.presence;
        if (!cluster) return publish(status);
        // In a cluster the status shown is the best over every node: this
        // node going offline leaves the user online if another holds them.
        // The bus carries the update to the audience's sessions on every node.
        cluster->set(user, std::string(status),
                     [publish, local = std::string(status)](std::optional<std::string> overall) {
                         publish(overall ? *overall : local);
                     });
    });
}

void gateway_core::publish_presence(id_t user, const asio::any_io_executor& ex) {
    asio::co_spawn(ex, announce_presence(this, user), [user](std::exception_ptr e) {
        if (!e) return;
        try {
            std::rethrow_exception(e);
        } catch (const std::exception& x) {
            log::error("presence update failed", {{"user_id", user}, {"error", x.what()}});
        }
    });
}

}  // namespace driftway::text::gw
