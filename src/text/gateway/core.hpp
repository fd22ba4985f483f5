#pragma once
// The gateway's node-wide state: options, the data source, one hub per
// shard, the registry of live sessions (for resume), presence and metrics.
// Everything here is either immutable after construction or guarded by its
// own mutex; per-shard state lives in the hubs.
#include "driftway/bus/event_bus.hpp"
#include "driftway/core/metrics.hpp"
#include "driftway/net/websocket.hpp"
#include "driftway/text/gateway/gateway.hpp"
#include "gateway/data.hpp"
#include "gateway/presence.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/io_context.hpp>

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace driftway::text::gw {

class hub;
class session;

struct gateway_metrics {
    metrics::counter& connections;     // websocket_connections_total
    metrics::gauge& sessions;          // gateway_sessions
    metrics::counter& dispatched;      // events_dispatched_total
    metrics::counter& slow_consumers;  // slow_consumer_closes_total
};

class gateway_core {
public:
    gateway_core(gateway_data& data, bus::event_bus& bus,
                 std::vector<boost::asio::io_context*> shards, gateway_options options);
    ~gateway_core();
    gateway_core(const gateway_core&) = delete;
    gateway_core& operator=(const gateway_core&) = delete;

    // Takes the bus's receiver and starts each shard's deadline sweep. Call
    // once, before the shards run or from any thread.
    void start();
    // Releases the bus's receiver. The sweeps end with the hubs, which must
    // go before the shards' io_contexts.
    void stop();

    // A handler for one accepted WebSocket connection.
    std::unique_ptr<net::ws::handler> accept();

    const gateway_options& options() const noexcept { return options_; }
    gateway_data& data() noexcept { return data_; }
    bus::event_bus& bus() noexcept { return bus_; }
    presence_registry& presence() noexcept { return presence_; }
    gateway_metrics& metrics() noexcept { return metrics_; }
    hub& shard(unsigned index) { return *hubs_.at(index); }
    std::size_t shard_count() const noexcept { return hubs_.size(); }

    // Live sessions (attached or within their resume grace), by id.
    void register_session(const std::shared_ptr<session>& s);
    void forget_session(const std::string& id);
    std::shared_ptr<session> find_session(const std::string& id) const;
    std::size_t session_count() const;
    static std::string new_session_id();

    // Recomputes the user's shown presence and, when it changed, publishes
    // PRESENCE_UPDATE to the people who share a space or a DM with them.
    // The audience is looked up on ex.
    void publish_presence(id_t user, const boost::asio::any_io_executor& ex);

private:
    static task<void> announce_presence(gateway_core* core, id_t user);

    gateway_data& data_;
    bus::event_bus& bus_;
    gateway_options options_;
    presence_registry presence_;
    gateway_metrics metrics_;
    std::vector<std::unique_ptr<hub>> hubs_;

    mutable std::mutex sessions_mutex_;
    std::unordered_map<std::string, std::weak_ptr<session>> sessions_;
};

}  // namespace driftway::text::gw
