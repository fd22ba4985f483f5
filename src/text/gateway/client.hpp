#pragma once
// One WebSocket connection's side of the protocol: hello, identify or
// resume, heartbeats and their deadline, the inbound rate limit, and the
// client ops (typing, presence, request_members). Lives on the connection's
// shard; its session may live on another (after a cross-shard resume), and
// the two talk by posting to each other's executor.
#include "driftway/net/websocket.hpp"
#include "gateway/data.hpp"
#include "gateway/frames.hpp"
#include "gateway/replay_buffer.hpp"

#include <memory>
#include <string>

namespace driftway::text::gw {

class gateway_core;
class hub;
class session;

class client : public std::enable_shared_from_this<client> {
public:
    client(gateway_core& core, hub& shard);
    ~client();
    client(const client&) = delete;
    client& operator=(const client&) = delete;

    // The transport's callbacks (net::ws::handler), on the client's shard.
    void opened(net::ws::connection& c);
    void message(std::string_view text);
    void closed(std::uint16_t code);
    void shutting_down(net::ws::connection& c);

    hub& shard() const noexcept { return shard_; }

    // Called by the session, on this client's shard.
    void send_dispatch(std::uint64_t seq, const std::shared_ptr<const std::string>& body);
    void close(std::uint16_t code, std::string_view reason);
    void resume_failed(const session* s, bool invalid_seq);

    // Closes the connection when its identify or heartbeat deadline passed.
    void check_deadlines(std::int64_t now_ns);

    std::size_t hub_slot = 0;  // position in the hub's client list

private:
    enum class state : std::uint8_t { fresh, authenticating, identified };

    void handle(identify_op op);
    void handle(resume_op op);
    void handle(heartbeat_op op);
    void handle(typing_op op);
    void handle(presence_op op);
    void handle(request_members_op op);
    void handle(voice_state_op op);
    void fail(std::uint16_t code, std::string_view reason);
    void send(std::string frame);
    void invalid_session();

    task<void> identify(std::shared_ptr<client> self, std::string token);
    task<void> resume(std::shared_ptr<client> self, resume_op op);
    task<void> request_members(std::shared_ptr<client> self, request_members_op op);

    // Runs fn(session&) on the session's home shard: at once when that is
    // this shard, posted otherwise.
    template <class Fn>
    void on_session(Fn&& fn);

    gateway_core& core_;
    hub& shard_;
    net::ws::connection* conn_ = nullptr;  // null once closed
    std::shared_ptr<session> session_;
    id_t user_ = 0;
    state state_ = state::fresh;
    bool closing_ = false;
    std::int64_t identify_deadline_ns_ = 0;
    std::int64_t last_heartbeat_ns_ = 0;
    rate_window inbound_;
};

}  // namespace driftway::text::gw
