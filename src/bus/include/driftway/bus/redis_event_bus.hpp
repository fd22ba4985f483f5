#pragma once
// The cluster-shape event bus (docs/decisions/0011-redis-bus.md). publish()
// delivers to this node's receiver at once, on the calling thread, exactly as
// in_process_event_bus does, and queues the event for the other nodes. The
// queue is flushed as one pipelined write with one PUBLISH per audience
// topic, the events of a flush packed into one frame, while at most one
// flush is in flight: a busy channel costs a few Redis round trips per
// batch, not one per event or per recipient. Frames carry the node id; a
// node skips its own frames when Redis echoes them. While Redis is down,
// local delivery continues, remote events are dropped (counted), and remote
// delivery resumes by itself when the subscriber reconnects.
#include "driftway/bus/event_bus.hpp"
#include "driftway/bus/redis_connection.hpp"
#include "driftway/bus/redis_subscriber.hpp"

#include <array>
#include <cstdint>
#include <memory>
#include <string_view>

namespace driftway::bus {

class redis_event_bus final : public event_bus {
public:
    // One topic per audience kind; every node subscribes to all three.
    static constexpr std::array<std::string_view, 3> topics = {
        "driftway:events:channel", "driftway:events:space", "driftway:events:users"};
    static constexpr std::size_t max_events_per_frame = 512;

    // Both connections must outlive the bus; node_id must be unique per node.
    redis_event_bus(redis_connection& commands, redis_subscriber& subscriber,
                    std::uint64_t node_id);
    ~redis_event_bus() override;

    void publish(event_ptr e) override;
    void set_receiver(receiver r) override;

    struct counters {
        std::uint64_t published = 0;         // events given to publish()
        std::uint64_t flushes = 0;           // pipelined writes (round trips)
        std::uint64_t publish_commands = 0;  // PUBLISH commands sent
        std::uint64_t dropped = 0;           // events Redis did not take (it was down)
        std::uint64_t received = 0;          // events delivered from other nodes
    };
    counters stats() const;
    // Whether the subscriber has every topic (for tests and readiness).
    bool ready() const;

    struct impl;

private:
    std::shared_ptr<impl> impl_;
};

}  // namespace driftway::bus
