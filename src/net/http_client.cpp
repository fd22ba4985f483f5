#include "driftway/net/http_client.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <sys/socket.h>

#include <cerrno>
#include <map>
#include <mutex>
#include <vector>

namespace driftway::net {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using steady = std::chrono::steady_clock;

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
constexpr std::uint32_t max_response_header_bytes = 64 << 10;

struct connection {
    explicit connection(const asio::any_io_executor& ex) : stream(ex) {}
    beast::tcp_stream stream;
    beast::flat_buffer buffer;
    steady::time_point idle_since{};
};

http::verb to_verb(method m) noexcept {
    switch (m) {
        case method::get:
            return http::verb::get;
        case method::head:
            return http::verb::head;
        case method::post:
            return http::verb::post;
        case method::put:
            return http::verb::put;
        case method::patch:
            return http::verb::patch;
        case method::delete_:
            return http::verb::delete_;
        case method::options:
            return http::verb::options;
        case method::other:
            break;
    }
    return http::verb::unknown;
}

// Framing is the client's job, as it is the server's in session.cpp.
bool client_owned_field(std::string_view name) noexcept {
    return beast::iequals(name, "Content-Length") || beast::iequals(name, "Transfer-Encoding") ||
           beast::iequals(name, "Connection") || beast::iequals(name, "Keep-Alive");
}

bool safe_field(std::string_view name, std::string_view value) noexcept {
    if (name.empty()) return false;
    for (const char c : name) {
        if (c <= ' ' || c == ':' || c == 0x7f) return false;
    }
    return value.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

// An idle keep-alive connection the server has closed (FIN or RST) reads as
// end-of-file or an error at once; a live one has nothing to read. Checked
// before reuse so a restarted upstream's dead sockets are never written to.
bool still_open(tcp::socket& socket) noexcept {
    if (!socket.is_open()) return false;
    char byte = 0;
    const auto n = ::recv(socket.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n >= 0) return false;  // closed, or bytes nobody asked for
    return errno == EAGAIN || errno == EWOULDBLOCK;
}

client_failure classify(const boost::system::error_code& ec) noexcept {
    if (ec == beast::error::timeout) return client_failure::timeout;
    if (ec == http::error::body_limit || ec == http::error::header_limit)
        return client_failure::too_large;
    static const auto& http_category = http::make_error_code(http::error::bad_target).category();
    if (ec.category() == http_category && ec != http::error::end_of_stream &&
        ec != http::error::partial_message)
        return client_failure::protocol;
    return client_failure::io;
}

}  // namespace

std::string_view to_string(client_failure f) noexcept {
    switch (f) {
        case client_failure::none:
            return "none";
        case client_failure::pool_full:
            return "pool_full";
        case client_failure::connect:
            return "connect";
        case client_failure::timeout:
            return "timeout";
        case client_failure::io:
            return "io";
        case client_failure::protocol:
            return "protocol";
        case client_failure::too_large:
            return "too_large";
    }
    return "unknown";
}

struct http_client::impl {
    struct pool {
        std::size_t open = 0;  // busy + idle
        std::vector<std::unique_ptr<connection>> idle;
    };

    client_options options;
    mutable std::mutex mutex;
    std::map<std::string, pool, std::less<>> pools;  // by "host:port"

    // An idle connection of executor ex, or a reservation for a new one
    // (reserved = true), or neither when the pool is full. Idle connections
    // of other executors are left alone: only their own shard touches them.
    std::unique_ptr<connection> acquire(const std::string& key, const asio::any_io_executor& ex,
                                        bool& reserved) {
        std::vector<std::unique_ptr<connection>> dead;  // closed outside the lock
        std::unique_ptr<connection> found;
        std::lock_guard lock(mutex);
        auto& p = pools[key];
        const auto now = steady::now();
        for (auto it = p.idle.begin(); it != p.idle.end();) {
            connection& c = **it;
            if (!(c.stream.get_executor() == ex)) {
                ++it;
                continue;
            }
            const bool fresh = now - c.idle_since < options.max_idle_time;
            if (!found && fresh && still_open(c.stream.socket())) {
                found = std::move(*it);
            } else if (!fresh || !still_open(c.stream.socket())) {
                dead.push_back(std::move(*it));
                --p.open;
            } else {
                ++it;
                continue;
            }
            it = p.idle.erase(it);
        }
        reserved = false;
        if (found) return found;
        if (p.open < options.max_connections) {
            ++p.open;
            reserved = true;
        }
        return nullptr;
    }

    // Gives a connection back: kept idle when it may be reused, else closed.
    void release(const std::string& key, std::unique_ptr<connection> conn) {
        std::lock_guard lock(mutex);
        auto& p = pools[key];
        if (conn && p.idle.size() < options.max_idle) {
            conn->idle_since = steady::now();
            conn->stream.expires_never();
            p.idle.push_back(std::move(conn));
            return;
        }
        if (p.open > 0) --p.open;
    }

    // Returns the connection (or its reservation) to the pool on every path
    // out of send(), including a coroutine destroyed mid-flight at shutdown.
    struct lease {
        impl* owner;
        std::string key;
        std::unique_ptr<connection> conn;
        bool reusable = false;

        ~lease() { owner->release(key, reusable ? std::move(conn) : nullptr); }
    };
};

http_client::http_client(client_options options) : impl_(std::make_unique<impl>()) {
    impl_->options = options;
}

http_client::~http_client() = default;

std::size_t http_client::open_connections(const std::string& host, std::uint16_t port) const {
    std::lock_guard lock(impl_->mutex);
    const auto it = impl_->pools.find(host + ":" + std::to_string(port));
    return it == impl_->pools.end() ? 0 : it->second.open;
}

asio::awaitable<client_result> http_client::send(const std::string& host, std::uint16_t port,
                                                 const request& req,
                                                 std::chrono::milliseconds timeout) {
    client_result out;
    const auto verb = to_verb(req.verb);
    if (verb == http::verb::unknown) {
        out.failure = client_failure::protocol;
        out.detail = "method not supported";
        co_return out;
    }
    const auto deadline = steady::now() + timeout;
    const asio::any_io_executor ex = co_await asio::this_coro::executor;
    impl::lease l{impl_.get(), host + ":" + std::to_string(port), nullptr};
    bool reserved = false;
    l.conn = impl_->acquire(l.key, ex, reserved);
    if (!l.conn && !reserved) {
        out.failure = client_failure::pool_full;
        out.detail = "connection pool full";
        co_return out;
    }

    if (!l.conn) {
        l.conn = std::make_unique<connection>(ex);
        std::vector<tcp::endpoint> endpoints;
        boost::system::error_code aec;
        const auto address = asio::ip::make_address(host, aec);
        if (!aec) {
            endpoints.emplace_back(address, port);
        } else {
            tcp::resolver resolver(ex);
            auto [rec, results] =
                co_await resolver.async_resolve(host, std::to_string(port), use_tuple);
            if (rec) {
                out.failure = client_failure::connect;
                out.detail = "resolve: " + rec.message();
                co_return out;
            }
            for (const auto& entry : results) endpoints.push_back(entry.endpoint());
        }
        l.conn->stream.expires_at(
            std::min(deadline, steady::now() + impl_->options.connect_timeout));
        auto [cec, ep] = co_await l.conn->stream.async_connect(endpoints, use_tuple);
        if (cec) {
            out.failure =
                cec == beast::error::timeout ? client_failure::timeout : client_failure::connect;
            out.detail = "connect: " + cec.message();
            co_return out;
        }
        boost::system::error_code ignored;
        l.conn->stream.socket().set_option(tcp::no_delay(true), ignored);
    }

    http::request<http::string_body> msg{verb, req.target.empty() ? "/" : req.target, 11};
    for (const auto& [name, value] : req.headers.items()) {
        if (client_owned_field(name) || !safe_field(name, value)) continue;
        msg.insert(name, value);
    }
    if (msg.find(http::field::host) == msg.end())
        msg.set(http::field::host, host + ":" + std::to_string(port));
    msg.keep_alive(true);
    msg.body() = req.body;
    msg.prepare_payload();

    // From here on the upstream may have seen (part of) the request.
    out.may_have_reached = true;
    l.conn->stream.expires_at(deadline);
    {
        auto [wec, n] = co_await http::async_write(l.conn->stream, msg, use_tuple);
        if (wec) {
            out.failure = classify(wec);
            out.detail = "write: " + wec.message();
            co_return out;
        }
    }

    http::response_parser<http::string_body> parser;
    parser.header_limit(max_response_header_bytes);
    parser.body_limit(impl_->options.max_response_bytes);
    // A response to HEAD has no body whatever its Content-Length says.
    if (verb == http::verb::head) parser.skip(true);
    {
        auto [rec, n] =
            co_await http::async_read(l.conn->stream, l.conn->buffer, parser, use_tuple);
        if (rec) {
            out.failure = classify(rec);
            out.detail = "read: " + rec.message();
            co_return out;
        }
    }
    auto& got = parser.get();
    out.res.status = static_cast<int>(got.result_int());
    for (const auto& field : got) {
        const auto name = field.name_string();
        const auto value = field.value();
        out.res.headers.add(std::string(name.data(), name.size()),
                            std::string(value.data(), value.size()));
    }
    out.res.body = std::move(got.body());
    l.reusable = got.keep_alive() && parser.is_done();
    co_return out;
}

}  // namespace driftway::net
