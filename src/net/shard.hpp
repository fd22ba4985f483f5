#pragma once
// One shard: an io_context run by one thread, its listeners and the
// connections it accepted. Everything here except `open` is touched only on
// the shard's own thread, so none of it is locked.
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/intrusive/list.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <exception>
#include <memory>
#include <optional>

namespace driftway::net::detail {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

struct shard;

// A connection as the shard sees it: enough to close it on shutdown. Lives in
// its session's coroutine frame and unlinks itself when the session ends.
class connection : public boost::intrusive::list_base_hook<
                       boost::intrusive::link_mode<boost::intrusive::auto_unlink>> {
public:
    connection(shard& s, tcp::socket& socket);
    ~connection();
    connection(const connection&) = delete;
    connection& operator=(const connection&) = delete;

    // Closing the socket completes the session's pending operation with an
    // error, after which the session ends.
    void close() noexcept;

    // True while the session waits for the first byte of a request (or is
    // still in its TLS handshake): nothing is lost by closing it then.
    bool idle = true;

private:
    shard& shard_;
    tcp::socket& socket_;
};

using connection_list =
    boost::intrusive::list<connection, boost::intrusive::constant_time_size<false>>;

// A connection that has left HTTP for a long-lived protocol (WebSocket). It is
// never "in flight" the way a request is: the drain asks it to leave instead
// of waiting for it. Unlinks itself when it has closed.
class upgraded_connection : public boost::intrusive::list_base_hook<
                                boost::intrusive::link_mode<boost::intrusive::auto_unlink>> {
public:
    virtual ~upgraded_connection() = default;
    // The server is stopping: say goodbye (a WebSocket closes with 1001).
    virtual void shutdown() noexcept = 0;
    // The grace period is over: close now.
    virtual void abort() noexcept = 0;
};

using upgraded_list =
    boost::intrusive::list<upgraded_connection, boost::intrusive::constant_time_size<false>>;

struct shard {
    shard();
    ~shard();
    shard(const shard&) = delete;
    shard& operator=(const shard&) = delete;

    // Declared before the io_context: destroying the io_context destroys the
    // coroutine frames and handlers that still hold connections, which unlink
    // from here.
    connection_list connections;
    upgraded_list upgraded;
    // Shared by the shard's WebSocket connections, which read into it only
    // when their socket is readable (ws/plain_connection.cpp).
    std::unique_ptr<std::uint8_t[]> receive_buffer;
    std::optional<asio::io_context> ioc;
    std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
    std::optional<tcp::acceptor> acceptor;
    std::optional<tcp::acceptor> redirect_acceptor;
    // Woken when the last connection ends while stopping.
    std::optional<asio::steady_timer> drain_timer;
    bool stopping = false;
    unsigned index = 0;
    std::atomic<std::size_t> open{0};  // read by server::open_connections() from any thread

    bool drained() const noexcept { return connections.empty() && upgraded.empty(); }
    // Called when a connection has ended: wakes the drain after the last one.
    void connection_ended() noexcept;
};

// Completion handler for co_spawn: a coroutine that ends with an exception is
// logged, never silently dropped.
struct log_exception {
    const char* what;
    void operator()(std::exception_ptr e) const noexcept;
};

}  // namespace driftway::net::detail
