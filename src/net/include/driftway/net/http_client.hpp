#pragma once
// An HTTP/1.1 client for talking to other Driftway nodes (the API gateway's
// upstreams): a bounded pool of keep-alive connections per "host:port",
// awaitable requests with connect and overall timeouts. Plain types only;
// Beast stays in http_client.cpp (docs/decisions/0001).
#include "driftway/net/http.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace driftway::net {

struct client_options {
    // Open connections (busy and idle) per upstream. A request that finds the
    // pool full fails at once with pool_full: no queue can grow without bound.
    std::size_t max_connections = 64;
    std::size_t max_idle = 16;  // idle connections kept per upstream
    std::chrono::milliseconds connect_timeout{1000};
    // Idle connections older than this are closed rather than reused; below the
    // server's keep-alive idle timeout (60 s) so the server rarely closes first.
    std::chrono::milliseconds max_idle_time{30000};
    std::size_t max_response_bytes = 32 << 20;
};

enum class client_failure {
    none,
    pool_full,  // no connection available; nothing was sent
    connect,    // resolving or connecting failed; nothing was sent
    timeout,    // the deadline passed (connecting or waiting for the response)
    io,         // the connection broke while sending or reading
    protocol,   // the upstream answered something that is not HTTP/1.1
    too_large,  // the response exceeds max_response_bytes
};

std::string_view to_string(client_failure f) noexcept;

struct client_result {
    client_failure failure = client_failure::none;
    // False only when the request certainly never reached the upstream (pool
    // full, connect failure): then even a POST may be sent elsewhere.
    bool may_have_reached = false;
    std::string detail;
    response res;  // valid when ok()

    bool ok() const noexcept { return failure == client_failure::none; }
};

// Thread-safe: requests may be made from any executor (shard). A connection
// is created on the executor of the coroutine that opened it and is only
// reused by coroutines on that same executor, so its completions never hop
// threads.
class http_client {
public:
    explicit http_client(client_options options = {});
    ~http_client();
    http_client(const http_client&) = delete;
    http_client& operator=(const http_client&) = delete;

    // Sends req (verb, target, headers, body) to host:port and reads the whole
    // response within timeout (connecting included). Framing headers
    // (Content-Length, Transfer-Encoding, Connection) of req are ignored and
    // set by the client; Host is kept when req has one. Never throws.
    boost::asio::awaitable<client_result> send(const std::string& host, std::uint16_t port,
                                               const request& req,
                                               std::chrono::milliseconds timeout);

    // Connections open to host:port right now (busy and idle), for tests.
    std::size_t open_connections(const std::string& host, std::uint16_t port) const;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace driftway::net
