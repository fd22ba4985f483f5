#pragma once
// Helpers for the WebSocket tests: a server with WebSocket routes on
// background threads, a Beast WebSocket client whose every operation
// completes or fails within a deadline, and a thread-safe record of what the
// server-side handlers saw.
#include "driftway/net/server.hpp"
#include "driftway/net/websocket.hpp"

#include "net_test_support.hpp"

#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include <gtest/gtest.h>

#include <condition_variable>
#include <filesystem>
#include <functional>
#include <mutex>
#include <random>
#include <vector>

namespace driftway::net::test {

namespace websocket = beast::websocket;

// A server whose routes are set up by `setup` before start(), run on a
// background thread.
class ws_server {
public:
    ws_server(server_options options, const std::function<void(server&)>& setup)
        : pipeline_(router{}, running_server::quiet()), server_(std::move(options), pipeline_) {
        setup(server_);
        server_.start();
        thread_ = std::thread([this] {
            server_.run();
            returned_.set_value();
        });
    }

    ~ws_server() {
        server_.stop(0ms);
        if (!wait_run_returned(10s)) {
            ADD_FAILURE() << "server::run() did not return after stop()";
            std::abort();
        }
        thread_.join();
    }

    server& get() { return server_; }
    std::uint16_t port() const { return server_.port(); }

    bool wait_run_returned(std::chrono::milliseconds deadline) {
        if (run_returned_) return true;
        run_returned_ = done_.wait_for(deadline) == std::future_status::ready;
        return run_returned_;
    }

    // Runs f on shard i's thread and waits for it.
    void on_shard(std::size_t i, std::function<void()> f) {
        std::promise<void> ran;
        asio::post(*server_.shards().at(i), [&] {
            f();
            ran.set_value();
        });
        ASSERT_EQ(ran.get_future().wait_for(10s), std::future_status::ready);
    }

    static server_options options(unsigned shards = 2) {
        server_options o;
        o.host = "127.0.0.1";
        o.port = 0;
        o.shards = shards;
        return o;
    }

private:
    pipeline pipeline_;
    server server_;
    std::promise<void> returned_;
    std::future<void> done_ = returned_.get_future();
    bool run_returned_ = false;
    std::thread thread_;
};

// What the server-side handlers of a test saw, for the test thread to wait on.
class server_record {
public:
    void opened() {
        std::lock_guard lock(mutex_);
        ++opens_;
        changed_.notify_all();
    }
    void closed(std::uint16_t code) {
        std::lock_guard lock(mutex_);
        closes_.push_back(code);
        changed_.notify_all();
    }

    bool wait_opens(std::size_t n, std::chrono::milliseconds deadline = 10s) {
        std::unique_lock lock(mutex_);
        return changed_.wait_for(lock, deadline, [&] { return opens_ >= n; });
    }
    // The close codes once n connections have closed; empty after the deadline.
    std::vector<std::uint16_t> wait_closes(std::size_t n,
                                           std::chrono::milliseconds deadline = 10s) {
        std::unique_lock lock(mutex_);
        if (!changed_.wait_for(lock, deadline, [&] { return closes_.size() >= n; })) return {};
        return closes_;
    }
    std::size_t closes() {
        std::lock_guard lock(mutex_);
        return closes_.size();
    }

private:
    std::mutex mutex_;
    std::condition_variable changed_;
    std::size_t opens_ = 0;
    std::vector<std::uint16_t> closes_;
};

// A Beast WebSocket client driven on its own io_context from the calling
// thread; every operation ends within client_deadline.
template <class NextLayer>
class ws_client {
public:
    static constexpr bool tls = !std::is_same_v<NextLayer, beast::tcp_stream>;

    ws_client(std::uint16_t port, std::string target = "/ws") requires(!tls) : ws_(ioc_) {
        connect(port);
        if (!error_) handshake(std::move(target));
    }

    ws_client(std::uint16_t port, asio::ssl::context& ctx, std::string target = "/ws") requires tls
        : ws_(ioc_, ctx) {
        connect(port);
        if (!error_) {
            drive([&](auto done) {
                ws_.next_layer().async_handshake(asio::ssl::stream_base::client, done);
            });
        }
        if (!error_) handshake(std::move(target));
    }

    boost::system::error_code error() const { return error_; }
    websocket::stream<NextLayer>& ws() { return ws_; }
    const websocket::response_type& handshake_response() const { return response_; }
    websocket::close_reason reason() const { return ws_.reason(); }

    bool write(std::string_view text, bool binary = false) {
        ws_.binary(binary);
        drive([&](auto done) { ws_.async_write(asio::buffer(text.data(), text.size()), done); });
        return !error_;
    }

    // One frame of a fragmented message.
    bool write_fragment(std::string_view text, bool fin) {
        ws_.binary(false);
        drive([&](auto done) {
            ws_.async_write_some(fin, asio::buffer(text.data(), text.size()), done);
        });
        return !error_;
    }

    bool ping(std::string_view payload) {
        drive([&](auto done) {
            ws_.async_ping(websocket::ping_data(payload.data(), payload.size()), done);
        });
        return !error_;
    }

    // The next message, or nullopt with error() set (websocket::error::closed
    // after a close frame, whose code is then in reason()).
    std::optional<std::string> read() {
        beast::flat_buffer buffer;
        drive([&](auto done) { ws_.async_read(buffer, done); });
        if (error_) return std::nullopt;
        return beast::buffers_to_string(buffer.data());
    }

    bool close(std::uint16_t code, std::string_view reason = {}) {
        drive([&](auto done) {
            ws_.async_close(
                websocket::close_reason(static_cast<websocket::close_code>(code),
                                        beast::string_view(reason.data(), reason.size())),
                done);
        });
        return !error_;
    }

private:
    void connect(std::uint16_t port) {
        drive([&](auto done) {
            beast::get_lowest_layer(ws_).async_connect(
                tcp::endpoint(asio::ip::make_address("127.0.0.1"), port),
                [done](boost::system::error_code ec) mutable { done(ec, 0); });
        });
    }

    void handshake(std::string target) {
        drive([&](auto done) { ws_.async_handshake(response_, "127.0.0.1", target, done); });
    }

    template <class Start>
    void drive(Start start) {
        bool finished = false;
        error_ = {};
        start([&](boost::system::error_code ec, auto&&...) {
            error_ = ec;
            finished = true;
        });
        ioc_.restart();
        const auto deadline = std::chrono::steady_clock::now() + client_deadline;
        while (!finished && ioc_.run_one_until(deadline) != 0) {
        }
        if (finished) return;
        // Unblock the operation so that it completes before its state goes.
        boost::system::error_code ignored;
        beast::get_lowest_layer(ws_).socket().close(ignored);
        ioc_.restart();
        while (!finished && ioc_.run_one_for(1s) != 0) {
        }
        error_ = asio::error::timed_out;
    }

    asio::io_context ioc_;
    websocket::stream<NextLayer> ws_;
    websocket::response_type response_;
    boost::system::error_code error_;
};

using ws_plain_client = ws_client<beast::tcp_stream>;
using ws_tls_client = ws_client<beast::ssl_stream<beast::tcp_stream>>;

}  // namespace driftway::net::test
