#pragma once
// One shard's share of the gateway: which of its sessions want which
// channels, spaces and users, the sessions homed here and the connections
// open here. Touched only on the shard's own thread, so nothing is locked.
//
// Each event reaches every hub once (posted by the bus receiver); the hub
// offers it to the sessions in its audience. Sessions that are busy
// recomputing what they may see are offered every event and sort them out
// when they are done, so none is lost or reordered while access changes.
#include "driftway/bus/event.hpp"
#include "gateway/frames.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

namespace driftway::text::gw {

class client;
class gateway_core;
class session;

// What a shard learns once about an event before offering it to sessions.
struct event_facts {
    enum class kind : std::uint8_t {
        plain,          // delivered as is
        access,         // changes who sees what in space_id: recompute
        space_create,   // the recipients joined (or created) subject_id
        space_delete,   // subject_id is gone for the recipients
        member_change,  // subject_user's roles or timeout changed (MEMBER_ADD/UPDATE)
        member_remove,  // subject_user left, was kicked or banned
        dm_create,      // a direct message channel subject_id for the recipients
    };
    kind what = kind::plain;
    id_t subject_user = 0;  // 0 when the body did not say
    id_t subject_id = 0;
};

// Reads the facts from the event's type and, for the few kinds that need
// it, its body. Never throws.
event_facts classify(const bus::event& e) noexcept;

class hub {
public:
    hub(gateway_core& core, boost::asio::io_context& io, unsigned index);
    ~hub();
    hub(const hub&) = delete;
    hub& operator=(const hub&) = delete;

    unsigned index() const noexcept { return index_; }
    boost::asio::io_context& io() noexcept { return io_; }
    gateway_core& core() noexcept { return core_; }
    // Whether the calling thread is this shard's.
    bool on_shard() const noexcept { return io_.get_executor().running_in_this_thread(); }

    // Offers e to the sessions in its audience (on the shard).
    void dispatch(const bus::event_ptr& e);

    enum class topic : std::uint8_t { channel, space, user };
    void subscribe(topic t, id_t id, session* s);
    void unsubscribe(topic t, id_t id, session* s);
    // Number of sessions subscribed (tests, metrics).
    std::size_t subscribers(topic t, id_t id) const;

    void add_pending(session* s);
    void remove_pending(session* s);

    void add_session(std::shared_ptr<session> s);
    void remove_session(session* s);
    std::size_t session_count() const noexcept { return sessions_.size(); }

    void add_client(client* c);
    void remove_client(client* c);

    void count_delivery() noexcept { ++deliveries_; }
    void flush_metrics() noexcept;

    // Periodic check of identify and heartbeat deadlines and of the resume
    // grace of detached sessions.
    void start_sweep();
    void stop_sweep();
    void sweep(std::int64_t now_ns);

private:
    using index_map = std::unordered_map<id_t, std::vector<session*>>;
    index_map& map(topic t) noexcept;
    const index_map& map(topic t) const noexcept;
    void sweep_later();

    gateway_core& core_;
    boost::asio::io_context& io_;
    unsigned index_;

    index_map channels_;
    index_map spaces_;
    index_map users_;
    std::vector<session*> pending_;
    std::vector<std::shared_ptr<session>> sessions_;  // homed here; owns them
    std::vector<client*> clients_;
    std::uint64_t stamp_ = 0;
    std::uint64_t deliveries_ = 0;

    boost::asio::steady_timer sweep_timer_;
    bool sweeping_ = false;
};

}  // namespace driftway::text::gw
