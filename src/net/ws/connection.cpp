#include "connection.hpp"

#include "driftway/core/log.hpp"

#include <boost/asio/post.hpp>

#include <exception>

namespace driftway::net::ws::detail {

namespace {
// How long the closing handshake may take (section 7.1.1 lets the server
// close the TCP connection itself); also bounds how long a client that does
// not read keeps its socket after an overflow.
constexpr std::chrono::seconds close_timeout{5};
constexpr std::string_view shutdown_reason = "server shutting down";
constexpr std::string_view overflow_reason = "slow consumer";

std::string_view what_of(std::exception_ptr e) noexcept {
    try {
        std::rethrow_exception(e);
    } catch (const std::exception& x) {
        return x.what();
    } catch (...) {
        return "unknown exception";
    }
}
}  // namespace

connection_base::connection_base(net::detail::shard& sh, const route& r, std::unique_ptr<handler> h,
                                 std::string remote_ip)
    : shard_(sh),
      route_(r),
      handler_(std::move(h)),
      remote_ip_(std::move(remote_ip)),
      reader_(r.opts.max_message_bytes) {
    shard_.upgraded.push_back(*this);
    shard_.open.fetch_add(1, std::memory_order_relaxed);
}

// Reached without finish() only when the shard's io_context is destroyed with
// the connection still open; the application is not called back then.
connection_base::~connection_base() {
    if (state_ != state::closed) {
        unlink();
        shard_.open.fetch_sub(1, std::memory_order_relaxed);
    }
}

boost::asio::any_io_executor connection_base::executor() const {
    return shard_executor();
}

unsigned connection_base::shard() const {
    return shard_.index;
}

void connection_base::open(std::span<const char> initial) noexcept {
    try {
        handler_->on_open(*this);
    } catch (...) {
        handler_failed("on_open");
    }
    if (!initial.empty()) {
        try {
            // Parsed in place, so it needs a buffer of its own.
            std::string copy(initial.data(), initial.size());
            received({reinterpret_cast<std::uint8_t*>(copy.data()), copy.size()});
        } catch (const std::bad_alloc&) {
            begin_close(close_internal_error, {}, true);
        }
    }
    // The drain may have passed while the 101 response was being written.
    if (shard_.stopping) shutdown();
    if (wants_input()) read_more();
}

send_result connection_base::send(std::string_view head, std::shared_ptr<const std::string> body) {
    if (state_ != state::open) return send_result::closed;
    const std::size_t payload = head.size() + (body ? body->size() : 0);
    std::array<std::uint8_t, max_server_header_bytes> header;
    const std::size_t header_size = encode_header(header, opcode::text, true, payload);
    const auto& opts = route_.opts;
    if (queue_.bytes() + header_size + payload > opts.max_queued_bytes) {
        log::debug("websocket send queue overflow",
                   {{"remote_ip", remote_ip_}, {"queued_bytes", queue_.bytes()}});
        begin_close(opts.overflow_close_code, overflow_reason, true);
        return send_result::overflow;
    }
    queue_.push(std::span(header.data(), header_size), head, std::move(body));
    schedule_write();
    return send_result::queued;
}

send_result connection_base::send(std::string text) {
    if (state_ != state::open) return send_result::closed;
    return send({}, std::make_shared<const std::string>(std::move(text)));
}

void connection_base::close(std::uint16_t code, std::string_view reason) {
    // A code the peer would reject as a protocol error is not sent.
    begin_close(valid_close_code(code) ? code : close_normal, reason, false);
}

void connection_base::shutdown() noexcept {
    if (state_ != state::open) return;
    try {
        handler_->on_shutdown(*this);
    } catch (...) {
        log::error("websocket handler threw",
                   {{"callback", "on_shutdown"}, {"error", what_of(std::current_exception())}});
    }
    begin_close(close_going_away, shutdown_reason, false);
}

void connection_base::abort() noexcept {
    if (state_ == state::closed) return;
    write_now();
    close_socket();
    // finish() then runs as a completion handler, like everywhere else.
    asio::post(shard_executor(), [self = ref(this)] { self->finish(); });
}

void connection_base::begin_close(std::uint16_t code, std::string_view reason,
                                  bool drop_queued) noexcept {
    if (state_ != state::open) return;
    state_ = state::closing;
    code_ = code;
    if (drop_queued) queue_.drop_unstarted();
    std::array<std::uint8_t, max_control_payload> payload;
    const std::size_t size = encode_close_payload(payload, code, reason);
    if (push_control(opcode::close, std::span(payload.data(), size))) arm_close_timer();
}

void connection_base::arm_close_timer() noexcept {
    try {
        close_timer_ = std::make_unique<timer_type>(shard_executor(), close_timeout);
        close_timer_->async_wait([self = ref(this)](const boost::system::error_code& ec) {
            if (!ec) self->finish();
        });
    } catch (...) {
        abort();
    }
}

bool connection_base::push_control(opcode op, std::span<const std::uint8_t> payload) noexcept {
    std::array<std::uint8_t, max_server_header_bytes> header;
    const std::size_t header_size = encode_header(header, op, true, payload.size());
    try {
        queue_.push(std::span(header.data(), header_size),
                    {reinterpret_cast<const char*>(payload.data()), payload.size()}, nullptr);
    } catch (...) {
        abort();
        return false;
    }
    schedule_write();
    return true;
}

void connection_base::schedule_write() noexcept {
    if (writing_ || state_ == state::closed) return;
    writing_ = true;
    write_queue();
}

void connection_base::queue_drained() noexcept {
    writing_ = false;
    if (state_ != state::closing || close_written_) return;
    // The close frame is the last frame queued, so an empty queue while
    // closing means it is out.
    close_written_ = true;
    if (peer_closed_) {
        maybe_end();
    } else {
        half_close();
        if (wants_input()) read_more();
    }
}

void connection_base::maybe_end() noexcept {
    if (state_ != state::closing || !close_written_ || !peer_closed_ || ending_) return;
    ending_ = true;
    end();
}

void connection_base::received(std::span<std::uint8_t> bytes) noexcept {
    if (reader_.stopped()) return;
    if (const std::uint16_t code = reader_.feed(bytes, *this)) {
        log::debug("websocket protocol error", {{"remote_ip", remote_ip_}, {"close_code", code}});
        begin_close(code, {}, true);
    }
    maybe_end();
}

void connection_base::peer_gone() noexcept {
    finish();
}

void connection_base::finish() noexcept {
    if (state_ == state::closed) return;
    state_ = state::closed;
    close_timer_.reset();
    close_socket();
    queue_.clear();
    unlink();
    shard_.open.fetch_sub(1, std::memory_order_relaxed);
    shard_.connection_ended();
    try {
        handler_->on_close(code_);
    } catch (...) {
        log::error("websocket handler threw",
                   {{"callback", "on_close"}, {"error", what_of(std::current_exception())}});
    }
    handler_.reset();
}

bool connection_base::on_text(std::string_view message) noexcept {
    // While closing, frames are read only to find the peer's close frame.
    if (state_ != state::open) return true;
    try {
        handler_->on_message(*this, message);
    } catch (...) {
        handler_failed("on_message");
        return false;
    }
    return true;
}

bool connection_base::on_ping(std::string_view payload) noexcept {
    if (state_ != state::open) return true;
    // Pongs count against the queue bound like everything else, so a client
    // that pings without reading cannot grow the queue either.
    if (queue_.bytes() + max_server_header_bytes + payload.size() > route_.opts.max_queued_bytes) {
        begin_close(route_.opts.overflow_close_code, overflow_reason, true);
        return false;
    }
    return push_control(opcode::pong,
                        {reinterpret_cast<const std::uint8_t*>(payload.data()), payload.size()});
}

void connection_base::on_peer_close(std::uint16_t code, std::string_view) noexcept {
    peer_closed_ = true;
    if (state_ != state::open) return;
    // Section 5.5.1: answer with a close frame, echoing the code.
    state_ = state::closing;
    code_ = code;
    std::array<std::uint8_t, max_control_payload> payload;
    const std::size_t size = encode_close_payload(payload, code, {});
    if (push_control(opcode::close, std::span(payload.data(), size))) arm_close_timer();
}

void connection_base::handler_failed(const char* callback) noexcept {
    log::error("websocket handler threw",
               {{"callback", callback}, {"error", what_of(std::current_exception())}});
    begin_close(close_internal_error, {}, true);
}

}  // namespace driftway::net::ws::detail
