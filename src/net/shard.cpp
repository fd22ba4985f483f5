#include "shard.hpp"

#include "driftway/core/log.hpp"

namespace driftway::net::detail {

connection::connection(shard& s, tcp::socket& socket) : shard_(s), socket_(socket) {
    shard_.connections.push_back(*this);
    shard_.open.fetch_add(1, std::memory_order_relaxed);
}

connection::~connection() {
    unlink();
    shard_.open.fetch_sub(1, std::memory_order_relaxed);
    shard_.connection_ended();
}

void connection::close() noexcept {
    boost::system::error_code ec;
    socket_.close(ec);
}

shard::shard() = default;

void shard::connection_ended() noexcept {
    if (stopping && drained() && drain_timer) {
        try {
            drain_timer->cancel();
        } catch (const std::exception&) {
            // The drain then waits out its deadline instead; nothing is lost.
        }
    }
}

// Order matters: the timer goes first so that connections destroyed with the
// io_context's pending frames do not wake it; the io_context goes before the
// connection list they unlink from.
shard::~shard() {
    drain_timer.reset();
    acceptor.reset();
    redirect_acceptor.reset();
    work.reset();
    ioc.reset();
}

void log_exception::operator()(std::exception_ptr e) const noexcept {
    if (!e) return;
    try {
        std::rethrow_exception(e);
    } catch (const std::exception& x) {
        log::error("coroutine failed", {{"where", what}, {"error", x.what()}});
    } catch (...) {
        log::error("coroutine failed", {{"where", what}, {"error", "unknown exception"}});
    }
}

}  // namespace driftway::net::detail
