#pragma once
// WebSocket connections (RFC 6455) as the gateway sees them: callbacks on the
// connection's shard and a send queue of frames. Built for fan-out: a message
// is a small per-connection head plus a body shared by every recipient, the
// frame header is computed per connection, and each wake-up writes all queued
// frames with one gather write. An idle connection holds no buffers.
#include "driftway/net/http.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace driftway::net::ws {

// Close codes of RFC 6455 section 7.4.1 used by the transport itself.
inline constexpr std::uint16_t close_normal = 1000;
inline constexpr std::uint16_t close_going_away = 1001;
inline constexpr std::uint16_t close_protocol_error = 1002;
inline constexpr std::uint16_t close_unsupported = 1003;      // binary frames
inline constexpr std::uint16_t close_invalid_payload = 1007;  // text that is not UTF-8
inline constexpr std::uint16_t close_too_big = 1009;

enum class send_result {
    queued,    // will be written
    overflow,  // the queue passed its limit: the connection is being closed
               // with the code given in options::overflow_close_code
    closed,    // the connection is closing or closed; nothing was queued
};

// One open connection. Lives on one shard; every member function must be
// called on that shard's thread (use executor() to get there).
class connection {
public:
    virtual ~connection() = default;

    // Queues a text message whose payload is head followed by *body. head is
    // copied (keep it short: it lives in the queue entry); body is shared.
    virtual send_result send(std::string_view head, std::shared_ptr<const std::string> body) = 0;
    // Queues a text message owned by this connection alone.
    virtual send_result send(std::string text) = 0;
    // Sends a close frame with code and reason after the queued frames, then
    // closes the socket. Further sends return closed.
    virtual void close(std::uint16_t code, std::string_view reason) = 0;

    virtual boost::asio::any_io_executor executor() const = 0;
    // Index of the shard (0 … shards-1), for per-shard registries.
    virtual unsigned shard() const = 0;
    virtual const std::string& remote_ip() const = 0;
    // Bytes waiting in the send queue.
    virtual std::size_t queued_bytes() const = 0;
};

// What the application implements for each connection. Callbacks run on the
// connection's shard, one at a time; they must not block. The connection
// outlives the handler's on_close; after on_close it must not be used.
class handler {
public:
    virtual ~handler() = default;
    virtual void on_open(connection& c) = 0;
    // A complete text message (fragments reassembled, UTF-8 validated).
    virtual void on_message(connection& c, std::string_view text) = 0;
    // The connection is gone: a close frame from either side, an error, or
    // server shutdown. code is the close code sent or received (1006 when
    // the socket just dropped).
    virtual void on_close(std::uint16_t code) = 0;
    // The server is shutting down: last chance to queue a message (the
    // gateway's `reconnect`). The transport then flushes and closes with 1001.
    virtual void on_shutdown(connection&) {}
};

struct options {
    std::size_t max_message_bytes = 64 << 10;  // larger inbound messages: close 1009
    std::size_t max_queued_bytes = 4 << 20;    // send queue bound: past it, overflow
    std::uint16_t overflow_close_code = 4010;  // slow consumer (resumable)
};

// Called for an upgrade request on a WebSocket path, after the handshake has
// been validated but before it is answered. Return a handler to accept, or
// nullptr to refuse with 403.
using acceptor = std::function<std::unique_ptr<handler>(const request& req)>;

}  // namespace driftway::net::ws
