#pragma once
// One gateway session: the identity behind a connection, its subscriptions,
// its sequence numbers and the replay buffer that makes resume possible. A
// session lives on its home shard (where it was identified) and every member
// function runs there; the connection it is attached to may sit on another
// shard after a resume, in which case frames are posted to it in order.
//
// A session outlives its connection by the resume grace, still subscribed,
// buffering what it would have sent.
#include "gateway/data.hpp"
#include "gateway/frames.hpp"
#include "gateway/hub.hpp"
#include "gateway/replay_buffer.hpp"

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace driftway::text::gw {

class client;
class gateway_core;

class session : public std::enable_shared_from_this<session> {
public:
    session(gateway_core& core, hub& home, id_t user_id, std::string id);
    ~session();
    session(const session&) = delete;
    session& operator=(const session&) = delete;

    // Immutable: safe to read from any thread.
    id_t user_id() const noexcept { return user_; }
    const std::string& id() const noexcept { return id_; }
    hub& home() const noexcept { return home_; }

    bool sees(id_t channel) const noexcept;
    bool in_space(id_t space) const noexcept;
    std::uint64_t last_seq() const noexcept { return replay_.end() - 1; }
    bool attached() const noexcept { return client_ != nullptr; }
    bool dropped() const noexcept { return dropped_; }
    std::int64_t detached_ns() const noexcept { return detached_ns_; }
    presence_status status() const noexcept { return status_; }

    // From the hub, for events in the session's audience (or any event while
    // the session is busy). stamp: the hub's number for this event.
    void offer(const bus::event_ptr& e, const event_facts& f, std::uint64_t stamp);

    // A new session for client c: events queue until ready() delivers READY.
    void start(std::shared_ptr<client> c);
    void ready(ready_state state);

    enum class resume_outcome { resumed, invalid_seq, invalid_session };
    // Attaches c (closing a connection still attached) and replays the
    // events after seq, then RESUMED.
    resume_outcome resume(std::shared_ptr<client> c, std::uint64_t seq);
    // The connection went away; the grace period starts.
    void detach(const client* c);
    // The client has every event up to seq (heartbeat).
    void acknowledge(const client* c, std::uint64_t seq);
    void set_status(const client* c, presence_status s);
    // A dispatch for this session alone (MEMBERS_CHUNK).
    void deliver_own(std::shared_ptr<const std::string> body);
    // Ends the session for good, unless another connection took it over.
    void end(const client* c);
    // Forgets the session: unsubscribes, leaves the registry, presence off.
    void drop();
    // Lets go of the client and queued events without touching anything
    // else (gateway teardown).
    void release() noexcept;

    std::size_t hub_slot = 0;  // position in the home hub's session list

private:
    struct queued {
        bus::event_ptr e;
        event_facts f;
    };
    enum class change_kind { none, recompute, drop_space, add_channel };
    struct change {
        change_kind what = change_kind::none;
        id_t id = 0;  // the space, or the channel to add
    };

    void deliver(std::shared_ptr<const std::string> body);
    void send_to_client(std::uint64_t seq, const std::shared_ptr<const std::string>& body);
    void close_client(const std::shared_ptr<client>& c, std::uint16_t code, std::string reason);
    void become_busy();
    void pump();
    void pop();
    bool in_audience(const bus::event& e) const noexcept;
    bool deliverable(const bus::event& e, bool had_filter) const noexcept;
    change change_for(const bus::event& e, const event_facts& f) const noexcept;
    void start_recompute(id_t space);
    task<void> recompute(std::shared_ptr<session> self, id_t space);
    void fail();

    void set_space(id_t space, std::vector<id_t> channels);
    void drop_space(id_t space);
    void add_channel(id_t channel, id_t space);
    std::vector<id_t> channels_of(id_t space) const;

    gateway_core& core_;
    hub& home_;
    const id_t user_;
    const std::string id_;

    replay_buffer replay_;
    std::shared_ptr<client> client_;
    std::int64_t detached_ns_ = 0;
    presence_status status_ = presence_status::online;
    bool presence_on_ = false;
    bool dropped_ = false;

    // Subscriptions, sorted: spaces, and channels with the space they belong
    // to (0 for direct messages).
    std::vector<id_t> spaces_;
    std::vector<std::pair<id_t, id_t>> channels_;

    // While busy, events wait here in arrival order; waiting: an
    // asynchronous step (READY or a recompute) is in flight.
    bool busy_ = false;
    bool waiting_ = false;
    std::vector<queued> queue_;
    std::size_t head_ = 0;
    std::uint64_t last_stamp_ = 0;
};

}  // namespace driftway::text::gw
