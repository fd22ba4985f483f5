#pragma once
// The transport-independent part of a WebSocket connection: the state of the
// closing handshake, the send queue and its bound, the reader, and the calls
// into the application's handler. A transport (plain_connection.cpp,
// tls_connection.cpp) moves the bytes.
//
// Lifetime: the object is reference counted (on its shard's thread only) and
// every pending asynchronous operation holds a reference, so it is destroyed
// once it is closed and nothing is pending. on_close is called exactly once,
// from finish(), which only ever runs from a completion handler, never from
// inside another callback of the same connection.
#include "reader.hpp"
#include "route.hpp"
#include "send_queue.hpp"
#include "shard.hpp"

#include <boost/asio/basic_waitable_timer.hpp>
#include <boost/asio/bind_allocator.hpp>
#include <boost/smart_ptr/intrusive_ptr.hpp>
#include <boost/smart_ptr/intrusive_ref_counter.hpp>

#include <chrono>
#include <memory>
#include <span>
#include <string>

namespace driftway::net::ws::detail {

namespace asio = boost::asio;

class connection_base
    : public ws::connection,
      public net::detail::upgraded_connection,
      private reader_sink,
      public boost::intrusive_ref_counter<connection_base, boost::thread_unsafe_counter> {
public:
    connection_base(net::detail::shard& sh, const route& r, std::unique_ptr<handler> h,
                    std::string remote_ip);
    ~connection_base() override;
    connection_base(const connection_base&) = delete;
    connection_base& operator=(const connection_base&) = delete;

    send_result send(std::string_view head, std::shared_ptr<const std::string> body) final;
    send_result send(std::string text) final;
    void close(std::uint16_t code, std::string_view reason) final;
    boost::asio::any_io_executor executor() const final;
    unsigned shard() const final;
    const std::string& remote_ip() const final { return remote_ip_; }
    std::size_t queued_bytes() const final { return queue_.bytes(); }

    // The drain of server::stop().
    void shutdown() noexcept final;
    void abort() noexcept final;

protected:
    using executor_type = asio::io_context::executor_type;

    // Calls on_open, parses the bytes that came with the upgrade request and
    // starts reading.
    void open(std::span<const char> initial) noexcept;

    // What a transport provides. read_more arms one read unless one is armed;
    // write_queue starts writing the queue (it is not empty and no write is in
    // flight) and calls queue_drained() once it is empty; half_close follows
    // our close frame while the peer's is awaited; end runs when both close
    // frames have been exchanged and calls finish(); write_now makes one
    // last non-blocking attempt at the queue before abort() closes the socket.
    virtual void read_more() noexcept = 0;
    virtual void write_queue() noexcept = 0;
    virtual void half_close() noexcept = 0;
    virtual void end() noexcept = 0;
    virtual void close_socket() noexcept = 0;
    virtual void write_now() noexcept {}

    // For transports.
    void received(std::span<std::uint8_t> bytes) noexcept;
    void queue_drained() noexcept;
    void peer_gone() noexcept;  // EOF or an error: the socket is unusable
    void finish() noexcept;
    bool closed() const noexcept { return state_ == state::closed; }
    // Whether reading should go on: the peer's close frame ends it.
    bool wants_input() const noexcept { return state_ != state::closed && !peer_closed_; }
    executor_type shard_executor() const noexcept { return shard_.ioc->get_executor(); }
    net::detail::shard& owner() const noexcept { return shard_; }

    send_queue queue_;

private:
    enum class state : std::uint8_t { open, closing, closed };

    bool on_text(std::string_view message) noexcept override;
    bool on_ping(std::string_view payload) noexcept override;
    void on_peer_close(std::uint16_t code, std::string_view reason) noexcept override;

    // Queues our close frame (dropping what has not started to go out when
    // drop_queued) and starts the closing handshake.
    void begin_close(std::uint16_t code, std::string_view reason, bool drop_queued) noexcept;
    bool push_control(opcode op, std::span<const std::uint8_t> payload) noexcept;
    void arm_close_timer() noexcept;
    void schedule_write() noexcept;
    void maybe_end() noexcept;
    void handler_failed(const char* callback) noexcept;

    using timer_type =
        asio::basic_waitable_timer<std::chrono::steady_clock,
                                   asio::wait_traits<std::chrono::steady_clock>, executor_type>;

    net::detail::shard& shard_;
    const route& route_;
    std::unique_ptr<handler> handler_;
    std::string remote_ip_;
    reader reader_;
    // Bounds the closing handshake; exists only while closing.
    std::unique_ptr<timer_type> close_timer_;
    std::uint16_t code_ = close_abnormal;  // reported by on_close
    state state_ = state::open;
    bool writing_ = false;        // a write is scheduled or in flight
    bool close_written_ = false;  // our close frame is out
    bool peer_closed_ = false;    // the peer's close frame arrived
    bool ending_ = false;
};

// For operations that stay pending while a connection is idle (waiting for
// the next frame). Asio's default handler allocator reuses the last block the
// thread freed if it is big enough, whatever its size, so an idle wait would
// sit in the several hundred bytes left by the HTTP session's last write;
// with this allocator it takes its own size.
template <class T>
struct exact_allocator {
    using value_type = T;
    exact_allocator() noexcept = default;
    template <class U>
    exact_allocator(const exact_allocator<U>&) noexcept {}
    T* allocate(std::size_t n) { return static_cast<T*>(::operator new(n * sizeof(T))); }
    void deallocate(T* p, std::size_t) noexcept { ::operator delete(p); }
    template <class U>
    bool operator==(const exact_allocator<U>&) const noexcept {
        return true;
    }
};

// A reference held by a pending operation.
template <class T>
boost::intrusive_ptr<T> ref(T* self) noexcept {
    return boost::intrusive_ptr<T>(self);
}

// The make_shared of this scheme: the object is owned from the moment it exists.
template <class T, class... Args>
boost::intrusive_ptr<T> make_connection(Args&&... args) {
    return boost::intrusive_ptr<T>(new T(std::forward<Args>(args)...));
}

}  // namespace driftway::net::ws::detail
