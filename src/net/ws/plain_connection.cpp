// WebSocket over plain TCP, the fast path. Reading waits for readability and
// then reads with non-blocking recv(2) into the shard's receive buffer, parsing
// frames in place; writing gathers the queued frames into one sendmsg(2) and
// waits for writability only when the socket buffer is full. This is the
// design of uWebSockets; it leaves an idle connection with a socket, one
// pending wait and this object, and nothing else.
#include "connection.hpp"
#include "upgrade.hpp"

#include <boost/asio/basic_stream_socket.hpp>
#include <boost/asio/post.hpp>

#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>

namespace driftway::net::ws::detail {

namespace {

// The shard's receive buffer (shard::receive_buffer). A frame that does not
// fit is completed in the reader's per-connection buffer.
constexpr std::size_t receive_buffer_bytes = 64 << 10;
// Full reads in a row before the other connections of the shard get a turn.
constexpr int reads_per_wakeup = 4;
// One gather write: up to 64 frames (a prefix and a body each), 256 KiB.
constexpr std::size_t max_write_buffers = 128;
constexpr std::size_t max_write_bytes = 256 << 10;

// On the io_context's own executor type, a socket and each of its pending
// operations take about half the memory they take with any_io_executor.
using socket_type = asio::basic_stream_socket<net::detail::tcp, asio::io_context::executor_type>;

class plain_connection final : public connection_base {
public:
    plain_connection(net::detail::shard& sh, const route& r, std::unique_ptr<handler> h,
                     std::string remote_ip, socket_type socket)
        : connection_base(sh, r, std::move(h), std::move(remote_ip)), socket_(std::move(socket)) {}

    void start(std::span<const char> initial) noexcept { open(initial); }

private:
    void read_more() noexcept override {
        if (read_armed_ || closed()) return;
        read_armed_ = true;
        socket_.async_wait(
            socket_type::wait_read,
            asio::bind_allocator(exact_allocator<void>{},
                                 [self = ref(this)](const boost::system::error_code& ec) {
                                     self->read_armed_ = false;
                                     self->readable(ec);
                                 }));
    }

    void readable(const boost::system::error_code& ec) noexcept {
        if (closed()) return;
        if (ec) {
            peer_gone();
            return;
        }
        std::uint8_t* const buffer = receive_buffer();
        for (int i = 0; i < reads_per_wakeup; ++i) {
            const ssize_t n =
                ::recv(socket_.native_handle(), buffer, receive_buffer_bytes, MSG_DONTWAIT);
            if (n > 0) {
                received({buffer, static_cast<std::size_t>(n)});
                if (!wants_input()) return;
                if (static_cast<std::size_t>(n) < receive_buffer_bytes) break;
            } else if (n == 0) {
                peer_gone();
                return;
            } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
                break;
            } else if (errno != EINTR) {
                peer_gone();
                return;
            }
        }
        read_more();
    }

    std::uint8_t* receive_buffer() {
        auto& buffer = owner().receive_buffer;
        if (!buffer) buffer = std::make_unique_for_overwrite<std::uint8_t[]>(receive_buffer_bytes);
        return buffer.get();
    }

    // Posted, so that every frame queued by the current handler (a fan-out
    // appending many messages) goes out in the same write.
    void write_queue() noexcept override {
        asio::post(socket_.get_executor(), [self = ref(this)] { self->flush(); });
    }

    // One non-blocking gather write of the front of the queue.
    enum class write_status { all, partial, blocked, failed };
    write_status write_once() noexcept {
        std::array<iovec, max_write_buffers> buffers;
        const auto g = queue_.gather(buffers, max_write_bytes);
        msghdr msg{};
        msg.msg_iov = buffers.data();
        msg.msg_iovlen = g.buffers;
        for (;;) {
            const ssize_t n = ::sendmsg(socket_.native_handle(), &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
            if (n >= 0) {
                queue_.consume(static_cast<std::size_t>(n));
                return static_cast<std::size_t>(n) < g.bytes ? write_status::partial
                                                             : write_status::all;
            }
            if (errno == EAGAIN || errno == EWOULDBLOCK) return write_status::blocked;
            if (errno != EINTR) return write_status::failed;
        }
    }

    void flush() noexcept {
        while (!closed()) {
            if (queue_.empty()) {
                queue_drained();
                return;
            }
            switch (write_once()) {
                case write_status::all:
                    break;
                case write_status::partial:  // the socket buffer is full
                case write_status::blocked:
                    wait_writable();
                    return;
                case write_status::failed:
                    peer_gone();
                    return;
            }
        }
    }

    void wait_writable() noexcept {
        socket_.async_wait(
            socket_type::wait_write,
            asio::bind_allocator(exact_allocator<void>{},
                                 [self = ref(this)](const boost::system::error_code& ec) {
                                     if (self->closed()) return;
                                     if (ec) {
                                         self->peer_gone();
                                         return;
                                     }
                                     self->flush();
                                 }));
    }

    // Our close frame is out: FIN tells the peer nothing more follows while
    // we wait for its close frame or its FIN.
    void half_close() noexcept override {
        boost::system::error_code ec;
        socket_.shutdown(socket_type::shutdown_send, ec);
    }

    // Section 7.1.1: after the closing handshake the server closes first.
    void end() noexcept override { finish(); }

    void close_socket() noexcept override {
        boost::system::error_code ec;
        socket_.close(ec);
    }

    void write_now() noexcept override {
        if (!queue_.empty() && socket_.is_open()) write_once();
    }

    socket_type socket_;
    bool read_armed_ = false;
};

}  // namespace

void start_plain(net::detail::shard& sh, const route& r, std::unique_ptr<handler> h,
                 net::detail::tcp::socket socket, std::string remote_ip,
                 std::span<const char> initial) {
    boost::system::error_code ec;
    const auto protocol = socket.local_endpoint(ec).protocol();
    if (ec) return;
    const auto native = socket.release(ec);
    if (ec) return;
    socket_type own(sh.ioc->get_executor());
    own.assign(protocol, native, ec);
    if (ec) {
        ::close(native);
        return;
    }
    make_connection<plain_connection>(sh, r, std::move(h), std::move(remote_ip), std::move(own))
        ->start(initial);
}

}  // namespace driftway::net::ws::detail
