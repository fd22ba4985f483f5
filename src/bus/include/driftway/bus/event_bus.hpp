#pragma once
// Carries events from where they happen to the nodes whose sessions want
// them. In one process (in_process_event_bus) publish() hands the event to the
// local receiver at once; in the cluster shape a Redis implementation behind
// the same interface publishes to channel:… topics and delivers what other
// nodes publish.
#include "driftway/bus/event.hpp"

#include <functional>
#include <memory>

namespace driftway::bus {

class event_bus {
public:
    using receiver = std::function<void(const event_ptr&)>;

    virtual ~event_bus() = default;
    // Thread-safe; may be called from any shard or storage thread. Never blocks.
    virtual void publish(event_ptr e) = 0;
    // The node's one receiver (the gateway hub). Called on the publishing
    // thread (in process) or the bus's own thread (networked); the receiver
    // must only hand off, not do work.
    virtual void set_receiver(receiver r) = 0;
};

class in_process_event_bus final : public event_bus {
public:
    void publish(event_ptr e) override;
    void set_receiver(receiver r) override;

private:
    receiver receiver_;
};

}  // namespace driftway::bus
