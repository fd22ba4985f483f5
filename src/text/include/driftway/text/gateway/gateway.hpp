#pragma once
// The realtime gateway (API.md, docs/gateway.md): WebSocket sessions that
// identify with a token, receive READY and then dispatches with per-session
// sequence numbers, resume after a drop, and send typing, presence and
// request_members. Events arrive from the bus once per node and are handed
// to each shard once; the shard appends them to its subscribed sessions.
#include "driftway/auth/authenticator.hpp"
#include "driftway/bus/event_bus.hpp"
#include "driftway/net/websocket.hpp"
#include "driftway/text/services.hpp"

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace driftway::text {

// Presence over every node of a cluster (app/ puts Redis behind it). A single
// node has none and keeps presence in memory only, at no extra cost.
class cluster_presence {
public:
    virtual ~cluster_presence() = default;
    // This node's shown status of `user` changed. Called under the presence
    // registry's lock: it must hand the change to its transport before
    // returning, so one user's changes leave in the order they happened.
    // `done` gets the user's status over all nodes (nullopt: unknown), on
    // any thread, in the same order.
    virtual void set(std::uint64_t user, std::string status,
                     std::function<void(std::optional<std::string>)> done) = 0;
    // Statuses over all nodes, one per user in order ("offline" when unknown).
    virtual boost::asio::awaitable<std::vector<std::string>> statuses(
        std::vector<std::uint64_t> users) = 0;
};

struct gateway_options {
    std::chrono::milliseconds heartbeat_interval{41250};
    std::chrono::milliseconds identify_timeout{10000};  // hello -> identify or resume
    std::chrono::milliseconds resume_grace{120000};     // how long a dropped session can be resumed
    std::size_t replay_events = 1000;                   // events kept per session for resume
    int inbound_frames = 120;                           // per inbound_window
    std::chrono::seconds inbound_window{60};
    int large_space_threshold = 250;  // READY omits members/presences of larger spaces
    // Cluster: users' presence on other nodes; null on a single node.
    cluster_presence* presence = nullptr;
};

class gateway {
public:
    // shards: the server's io_contexts (net::server::shards()), one hub each.
    gateway(text_services& services, auth::authenticator& authn, bus::event_bus& bus,
            std::vector<boost::asio::io_context*> shards, gateway_options options = {});
    // Destroy after the shards stopped running and before their io_contexts
    // go (the hubs own timers on them).
    ~gateway();

    // For net::server::add_websocket("/gateway", …).
    net::ws::acceptor acceptor();

    // Open sessions on this node (for metrics and tests).
    std::size_t session_count() const;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace driftway::text
