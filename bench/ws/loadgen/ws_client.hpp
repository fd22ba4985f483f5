#pragma once
// One WebSocket client connection on the event loop: connect, upgrade with a
// fixed key, then frames. Two dialects:
//   driftway  hello -> identify {token} -> READY, heartbeats, dispatches;
//   relay     ready as soon as the upgrade is answered.
// It keeps no buffers while idle: bytes are read into one buffer shared by
// every connection, and only an unfinished frame is copied aside.
#include "event_loop.hpp"
#include "ws_frame.hpp"

#include <netinet/in.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace loadgen {

enum class dialect { driftway, relay };

class ws_client;

// Callbacks run inside the loop; they may send on any client and open new
// ones, but must not destroy a client.
class ws_listener {
public:
    virtual void on_ready(ws_client& client) = 0;
    // A complete text message once the client is ready.
    virtual void on_message(ws_client& client, std::string_view payload) = 0;
    // The connection is gone (before or after ready); see failure().
    virtual void on_closed(ws_client& client) = 0;

protected:
    ~ws_listener() = default;
};

enum class ws_state : std::uint8_t {
    idle,
    connecting,
    handshaking,
    awaiting_hello,
    identifying,
    ready,
    closed,
};

// The complete upgrade request for path on host (host:port).
std::string upgrade_request(std::string_view host, std::string_view path);

class ws_client final : public io_handler {
public:
    ws_client(event_loop& loop, ws_listener& listener, dialect kind, std::uint32_t index);

    // Starts connecting. token: the identify token (driftway), kept by the
    // caller for the client's lifetime. False (and closed, no callback) when
    // the socket could not even be created.
    bool open(const sockaddr_in& server, in_addr_t source, std::string_view request,
              const std::string* token);

    // Appends a text frame; queue_text waits for flush(), send_text writes now.
    void queue_text(std::string_view payload);
    void send_text(std::string_view payload);
    void flush();

    // Sends a heartbeat if its interval has passed (driftway only).
    void heartbeat_if_due(std::int64_t now);

    // Closes the socket without a close handshake; no callback.
    void abort();

    ws_state state() const { return state_; }
    bool ready() const { return state_ == ws_state::ready; }
    // Bytes queued but not yet written.
    std::size_t pending_bytes() const { return out_.size(); }
    std::uint32_t index() const { return index_; }
    // The close code received (1006: dropped without one; 0: still open).
    std::uint16_t close_code() const { return close_code_; }
    // Where it failed ("connect", "handshake", …), or nullptr.
    const char* failure() const { return failure_; }

    void on_io(std::uint32_t events) override;

    std::uint32_t channel = 0;  // the owner's bookkeeping

private:
    void fail(const char* where, std::uint16_t code);
    void consume(const char* data, std::size_t size);
    std::size_t parse(std::string_view data);
    void handle_frame(const ws::frame_view& frame);
    void handle_text(std::string_view payload);
    void handle_driftway(std::string_view payload);
    void update_interest();

    event_loop& loop_;
    ws_listener& listener_;
    unique_fd fd_;
    std::string out_;
    std::string in_;
    std::string fragments_;
    const std::string* token_ = nullptr;
    std::int64_t heartbeat_interval_ = 0;
    std::int64_t next_heartbeat_ = 0;
    std::uint64_t seq_ = 0;
    std::uint32_t index_;
    std::uint32_t interest_ = 0;
    std::uint16_t close_code_ = 0;
    const char* failure_ = nullptr;
    dialect dialect_;
    ws_state state_ = ws_state::idle;
    bool in_fragment_ = false;
};

}  // namespace loadgen
