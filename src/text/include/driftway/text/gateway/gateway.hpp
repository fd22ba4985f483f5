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
#include <memory>
#include <vector>

namespace driftway::text {

struct gateway_options {
    std::chrono::milliseconds heartbeat_interval{41250};
    std::chrono::milliseconds identify_timeout{10000};  // hello -> identify or resume
    std::chrono::milliseconds resume_grace{120000};     // how long a dropped session can be resumed
    std::size_t replay_events = 1000;                   // events kept per session for resume
    int inbound_frames = 120;                           // per inbound_window
    std::chrono::seconds inbound_window{60};
    int large_space_threshold = 250;  // READY omits members/presences of larger spaces
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
