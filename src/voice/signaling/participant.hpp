#pragma once
// One signaling connection: waits for `join`, checks the voice token, adds
// the participant to the SFU, then relays between the client and its peer
// until either side ends. Lives on the connection's shard; the SFU's
// callbacks are posted here, so the state below is touched by one thread.
#include "driftway/auth/voice_token.hpp"
#include "driftway/bus/voice_states.hpp"
#include "driftway/net/websocket.hpp"
#include "driftway/voice/sfu.hpp"
#include "signaling/messages.hpp"

#include <boost/asio/steady_timer.hpp>

#include <memory>
#include <string>

namespace driftway::voice {

struct signaling_context;

class participant : public std::enable_shared_from_this<participant> {
public:
    explicit participant(signaling_context& ctx);
    ~participant();

    // net::ws::handler's callbacks, forwarded by the handler.
    void opened(net::ws::connection& c);
    void message(std::string_view text);
    void closed();
    void shutting_down();

    // From the service (moderation), on this participant's executor.
    void move_to(std::uint64_t channel_id);
    void disconnect(std::uint16_t code, std::string_view reason);

    std::uint64_t user_id() const noexcept { return grant_.user_id; }
    std::uint64_t channel_id() const noexcept { return grant_.channel_id; }
    boost::asio::any_io_executor executor() const { return executor_; }

private:
    void handle(signaling::join_op op);
    void handle(signaling::answer_op op);
    void handle(signaling::offer_op op);
    void handle(signaling::candidate_op op);
    void handle(signaling::mute_op op);
    void handle(signaling::stats_op op);
    void handle(signaling::leave_op op);

    void send(std::string_view op, json::object d);
    void close(std::uint16_t code, std::string_view reason);
    void publish_state(const mute_state& s, bool left);
    void peer_ended(end_reason why);
    void ready(const std::vector<participant_info>& others);
    peer_events make_events();

    signaling_context& ctx_;
    net::ws::connection* conn_ = nullptr;  // null once closed
    boost::asio::any_io_executor executor_;
    std::unique_ptr<boost::asio::steady_timer> join_timer_;
    std::shared_ptr<peer> peer_;
    auth::voice_grant grant_;
    bool joined_ = false;
    bool closing_ = false;
    bool replaced_ = false;  // a newer join of the same user owns the voice state now
};

}  // namespace driftway::voice
