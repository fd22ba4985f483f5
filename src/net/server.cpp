#include "driftway/net/server.hpp"

#include "driftway/core/log.hpp"
#include "listener.hpp"
#include "session.hpp"
#include "shard.hpp"
#include "tls_context.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <mutex>
#include <stdexcept>
#include <thread>

namespace driftway::net {

namespace asio = boost::asio;
using detail::shard;
using detail::tcp;

namespace {
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
// After the grace period the remaining connections are closed; this is how
// long their sessions get to unwind before the io_context stops regardless.
constexpr std::chrono::milliseconds unwind_time{500};

// Waits until the shard has no connections or the deadline passes. The last
// connection to end cancels drain_timer, which ends the wait early.
asio::awaitable<void> wait_until_empty(shard& sh, std::chrono::steady_clock::time_point deadline) {
    while (!sh.drained() && std::chrono::steady_clock::now() < deadline) {
        sh.drain_timer->expires_at(deadline);
        co_await sh.drain_timer->async_wait(use_tuple);
    }
}

// Runs on the shard being stopped, so it touches the shard without locks.
asio::awaitable<void> drain(shard& sh, std::chrono::milliseconds grace) {
    sh.stopping = true;
    boost::system::error_code ec;
    if (sh.acceptor) sh.acceptor->close(ec);
    if (sh.redirect_acceptor) sh.redirect_acceptor->close(ec);
    // Idle keep-alive connections have nothing in flight; busy ones finish
    // their request and then close because stopping is set.
    for (auto& c : sh.connections) {
        if (c.idle) c.close();
    }
    // WebSockets never finish on their own: each is told to go away now and
    // closes once its queue is flushed and the closing handshake is done.
    // Neither call unlinks a connection, so the iteration is safe.
    for (auto& u : sh.upgraded) u.shutdown();
    co_await wait_until_empty(sh, std::chrono::steady_clock::now() + grace);
    for (auto& c : sh.connections) c.close();
    for (auto& u : sh.upgraded) u.abort();
    co_await wait_until_empty(sh, std::chrono::steady_clock::now() + unwind_time);
    sh.work.reset();
    sh.ioc->stop();
}

void run_shard(shard& sh) {
    for (;;) {
        try {
            sh.ioc->run();
            return;
        } catch (const std::exception& e) {
            log::error("shard handler threw", {{"error", e.what()}});
        }
    }
}
}  // namespace

struct server::impl {
    impl(server_options o, pipeline& p) : options(std::move(o)), app(p) {}

    std::shared_ptr<asio::ssl::context> tls_snapshot() const {
        std::lock_guard lock(tls_mutex);
        return tls;
    }

    void spawn_session(shard& sh, tcp::socket socket) {
        if (options.tls.enabled) {
            asio::co_spawn(*sh.ioc,
                           detail::serve_https(sh, config, std::move(socket), tls_snapshot()),
                           detail::log_exception{"https session"});
        } else {
            asio::co_spawn(*sh.ioc, detail::serve_http(sh, config, std::move(socket)),
                           detail::log_exception{"http session"});
        }
    }

    void spawn_redirect(shard& sh, tcp::socket socket) {
        asio::co_spawn(*sh.ioc, detail::serve_redirect(sh, config, std::move(socket)),
                       detail::log_exception{"redirect session"});
    }

    server_options options;
    pipeline& app;
    detail::session_config config;
    std::uint16_t port = 0;
    std::uint16_t redirect_port = 0;

    // Taken once per accepted TLS connection, never per request.
    mutable std::mutex tls_mutex;
    std::shared_ptr<asio::ssl::context> tls;

    std::atomic<bool> stop_requested{false};
    // Last: shards hold sessions that refer to config and tls contexts above.
    std::vector<std::unique_ptr<shard>> shards;
};

server::server(server_options options, pipeline& p)
    : impl_(std::make_unique<impl>(std::move(options), p)) {}

server::~server() = default;

void server::start() {
    auto& s = *impl_;
    if (!s.shards.empty()) throw std::logic_error("server already started");
    const auto& o = s.options;

    if (o.tls.enabled) {
        std::string error;
        s.tls = detail::load_tls_context(o.tls.cert_file, o.tls.key_file, error);
        if (!s.tls) throw std::runtime_error(error);
    }

    s.config.app = &s.app;
    s.config.max_body_bytes = o.max_body_bytes;
    s.config.max_upload_bytes = o.max_upload_bytes;
    s.config.max_header_bytes = o.max_header_bytes;
    s.config.upload_path_prefixes = o.upload_path_prefixes;
    s.config.idle_timeout = o.idle_timeout;
    s.config.request_timeout = o.request_timeout;

    const auto address = detail::resolve_host(o.host);
    const bool redirect = o.tls.enabled && !o.tls.redirect_host.empty();
    const auto redirect_address =
        redirect ? detail::resolve_host(o.tls.redirect_host) : asio::ip::address{};

    std::vector<std::unique_ptr<shard>> shards;
    const unsigned count = std::max(1u, o.shards);
    for (unsigned i = 0; i < count; ++i) {
        auto sh = std::make_unique<shard>();
        sh->index = i;
        sh->ioc.emplace(1);
        sh->work.emplace(sh->ioc->get_executor());
        sh->drain_timer.emplace(*sh->ioc);
        // The first shard may bind port 0; the others join the port it got.
        sh->acceptor.emplace(detail::open_listener(*sh->ioc, {address, i == 0 ? o.port : s.port}));
        if (i == 0) s.port = sh->acceptor->local_endpoint().port();
        if (redirect) {
            sh->redirect_acceptor.emplace(detail::open_listener(
                *sh->ioc, {redirect_address, i == 0 ? o.tls.redirect_port : s.redirect_port}));
            if (i == 0) s.redirect_port = sh->redirect_acceptor->local_endpoint().port();
        }
        shards.push_back(std::move(sh));
    }
    s.config.https_port = s.port;

    for (auto& sh : shards) {
        shard* raw = sh.get();
        asio::co_spawn(*raw->ioc,
                       detail::accept_loop(*raw, *raw->acceptor,
                                           [&s, raw](tcp::socket socket) {
                                               s.spawn_session(*raw, std::move(socket));
                                           }),
                       detail::log_exception{"accept loop"});
        if (raw->redirect_acceptor) {
            asio::co_spawn(*raw->ioc,
                           detail::accept_loop(*raw, *raw->redirect_acceptor,
                                               [&s, raw](tcp::socket socket) {
                                                   s.spawn_redirect(*raw, std::move(socket));
                                               }),
                           detail::log_exception{"redirect accept loop"});
        }
    }
    s.shards = std::move(shards);
    log::debug("listeners bound", {{"host", o.host}, {"port", s.port}, {"shards", count}});
}

std::uint16_t server::port() const {
    return impl_->port;
}

std::uint16_t server::redirect_port() const {
    return impl_->redirect_port;
}

void server::run() {
    auto& shards = impl_->shards;
    if (shards.empty()) return;
    std::vector<std::thread> threads;
    threads.reserve(shards.size() - 1);
    for (std::size_t i = 1; i < shards.size(); ++i) {
        threads.emplace_back([sh = shards[i].get()] { run_shard(*sh); });
    }
    run_shard(*shards.front());
    for (auto& t : threads) t.join();
}

void server::stop(std::chrono::milliseconds grace) {
    if (impl_->shards.empty() || impl_->stop_requested.exchange(true)) return;
    for (auto& sh : impl_->shards) {
        asio::co_spawn(*sh->ioc, drain(*sh, grace), detail::log_exception{"shutdown"});
    }
}

bool server::reload_tls() {
    auto& s = *impl_;
    if (!s.options.tls.enabled) return false;
    std::string error;
    auto fresh = detail::load_tls_context(s.options.tls.cert_file, s.options.tls.key_file, error);
    if (!fresh) {
        log::warn("tls reload failed, keeping the current certificate", {{"error", error}});
        return false;
    }
    {
        std::lock_guard lock(s.tls_mutex);
        s.tls.swap(fresh);
    }
    log::info("tls certificate reloaded", {{"cert_file", s.options.tls.cert_file}});
    return true;
}

void server::add_websocket(std::string path, ws::acceptor accept, ws::options options) {
    auto& s = *impl_;
    if (!s.shards.empty()) throw std::logic_error("add_websocket after start");
    for (const auto& r : s.config.websockets) {
        if (r.path == path) throw std::logic_error("WebSocket path registered twice: " + path);
    }
    s.config.websockets.push_back({std::move(path), std::move(accept), options});
}

std::vector<asio::io_context*> server::shards() {
    std::vector<asio::io_context*> out;
    out.reserve(impl_->shards.size());
    for (auto& sh : impl_->shards) out.push_back(&*sh->ioc);
    return out;
}

std::size_t server::open_connections() const {
    std::size_t n = 0;
    for (const auto& sh : impl_->shards) n += sh->open.load(std::memory_order_relaxed);
    return n;
}

}  // namespace driftway::net
