#include "session.hpp"

#include "driftway/core/clock.hpp"
#include "driftway/core/error.hpp"
#include "driftway/core/log.hpp"
#include "uri.hpp"
#include "ws/handshake.hpp"
#include "ws/upgrade.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <array>
#include <charconv>
#include <ctime>
#include <limits>
#include <optional>

namespace driftway::net::detail {

namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
// Enough for a typical request with a bearer token in one read.
constexpr std::size_t first_read_size = 4096;
// After an error response, unread request bytes are drained for a moment so
// that closing does not reset the connection before the client has read the
// answer (the "lingering close" of RFC 9112 section 9.6).
constexpr std::size_t linger_max_bytes = 1 << 20;
constexpr std::chrono::seconds linger_time{1};
constexpr std::chrono::seconds tls_shutdown_time{1};

using plain_stream = beast::tcp_stream;
using tls_stream = beast::ssl_stream<beast::tcp_stream>;

enum class role { app, redirect };

method to_method(http::verb v) noexcept {
    switch (v) {
        case http::verb::get:
            return method::get;
        case http::verb::head:
            return method::head;
        case http::verb::post:
            return method::post;
        case http::verb::put:
            return method::put;
        case http::verb::patch:
            return method::patch;
        case http::verb::delete_:
            return method::delete_;
        case http::verb::options:
            return method::options;
        default:
            return method::other;
    }
}

// The client sent something that is not HTTP/1.1: answered with 4xx. Other
// errors (reset, timeout, closed at shutdown) just end the connection.
bool is_protocol_error(const boost::system::error_code& ec) noexcept {
    static const auto& http_category = http::make_error_code(http::error::bad_target).category();
    return ec.category() == http_category && ec != http::error::end_of_stream &&
           ec != http::error::partial_message;
}

// RFC 9110 section 5.6.2.
bool is_tchar(char c) noexcept {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
    return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool valid_field(std::string_view name, std::string_view value) noexcept {
    if (name.empty()) return false;
    for (const char c : name) {
        if (!is_tchar(c)) return false;
    }
    // A CR or LF from a handler would let a value forge further header lines.
    return value.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

// Framing is the server's job: these are dropped from handler responses.
bool server_owned_field(std::string_view name) noexcept {
    return beast::iequals(name, "Content-Length") || beast::iequals(name, "Transfer-Encoding") ||
           beast::iequals(name, "Connection") || beast::iequals(name, "Server") ||
           beast::iequals(name, "Date");
}

// IMF-fixdate (RFC 9110 section 5.6.7), formatted once per second per thread.
std::string_view http_date() {
    thread_local std::time_t cached = -1;
    thread_local std::array<char, 32> text{};
    thread_local std::size_t length = 0;
    const std::time_t now = std::time(nullptr);
    if (now != cached) {
        static constexpr const char* days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
        static constexpr const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
        std::tm t{};
        gmtime_r(&now, &t);
        const int n = std::snprintf(text.data(), text.size(), "%s, %02d %s %04d %02d:%02d:%02d GMT",
                                    days[t.tm_wday % 7], t.tm_mday, months[t.tm_mon % 12],
                                    t.tm_year + 1900, t.tm_hour, t.tm_min, t.tm_sec);
        length = n > 0 ? static_cast<std::size_t>(n) : 0;
        cached = now;
    }
    return {text.data(), length};
}

void append_number(std::string& out, std::size_t v) {
    std::array<char, 24> digits;
    const auto r = std::to_chars(digits.data(), digits.data() + digits.size(), v);
    out.append(digits.data(), r.ptr);
}

// Writes the status line and header block into out (reused across requests,
// so it stops allocating after the first response). Returns whether the body
// is sent: not for HEAD (RFC 9110 section 9.3.2) nor 1xx/204/304 (RFC 9112
// section 6.3).
bool serialize_head(std::string& out, const response& res, bool keep_alive, bool http10,
                    bool head_request) {
    int status = res.status;
    if (status < 100 || status > 999) status = 500;
    const bool bodyless_status = status < 200 || status == 204 || status == 304;

    out.clear();
    out.reserve(256 + res.headers.items().size() * 64);
    out += "HTTP/1.1 ";
    append_number(out, static_cast<std::size_t>(status));
    out += ' ';
    const auto known = http::int_to_status(static_cast<unsigned>(status));
    if (known != http::status::unknown) {
        const auto reason = http::obsolete_reason(known);
        out.append(reason.data(), reason.size());
    }
    out += "\r\n";
    for (const auto& [name, value] : res.headers.items()) {
        if (server_owned_field(name) || !valid_field(name, value)) continue;
        out += name;
        out += ": ";
        out += value;
        out += "\r\n";
    }
    out += "Server: driftway\r\nDate: ";
    out += http_date();
    out += "\r\n";
    if (!bodyless_status) {
        out += "Content-Length: ";
        append_number(out, res.body.size());
        out += "\r\n";
    }
    if (!keep_alive) {
        out += "Connection: close\r\n";
    } else if (http10) {
        out += "Connection: keep-alive\r\n";
    }
    out += "\r\n";
    return !bodyless_status && !head_request;
}

std::string remote_ip_of(const tcp::socket& socket) {
    boost::system::error_code ec;
    const auto ep = socket.remote_endpoint(ec);
    if (ec) return {};
    auto address = ep.address();
    if (address.is_v6() && address.to_v6().is_v4_mapped()) {
        address = asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6());
    }
    return address.to_string();
}

// "example.com:8080" -> "example.com", "[::1]:80" -> "[::1]"; empty when the
// Host header is missing or holds anything but a host name or address.
std::string_view host_without_port(std::string_view host) noexcept {
    std::string_view name = host;
    if (!host.empty() && host.front() == '[') {
        const auto close = host.find(']');
        if (close == std::string_view::npos) return {};
        name = host.substr(0, close + 1);
    } else {
        name = host.substr(0, host.find(':'));
    }
    for (const char c : name) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '[' || c == ']' ||
                        c == ':';
        if (!ok) return {};
    }
    return name;
}

// RFC 9110 section 15.4.9: 308 keeps the method and body, unlike 301.
response redirect_to_https(const request& req, std::uint16_t https_port) {
    const std::string_view host = host_without_port(req.header("Host").value_or(""));
    if (host.empty()) {
        return response::from_error(
            driftway::error::bad_request("bad_host", "missing or invalid Host header"));
    }
    std::string location = "https://";
    location += host;
    if (https_port != 443) {
        location += ':';
        append_number(location, https_port);
    }
    location += req.target.empty() || req.target.front() != '/' ? "/" : req.target;
    response res;
    res.status = 308;
    res.headers.add("Location", std::move(location));
    return res;
}

bool is_upload_path(const session_config& cfg, std::string_view path) noexcept {
    for (const auto& prefix : cfg.upload_path_prefixes) {
        if (!path.starts_with(prefix)) continue;
        // Whole segments only: "/api/v1/attachments" is not a prefix of
        // "/api/v1/attachmentsX".
        if (path.size() == prefix.size() || prefix.ends_with('/') || path[prefix.size()] == '/') {
            return true;
        }
    }
    return false;
}

// The part of a session that does not depend on the stream type.
void fill_request(request& req, const http::request_parser<http::string_body>& parser,
                  const std::string& remote_ip, bool secure, std::int64_t received_ns) {
    const auto& msg = parser.get();
    req.verb = to_method(msg.method());
    req.target.assign(msg.target().data(), msg.target().size());
    const auto [raw_path, raw_query] = split(req.target);
    req.path = percent_decode(raw_path);
    req.query.assign(raw_query.data(), raw_query.size());
    for (const auto& field : msg) {
        const auto name = field.name_string();
        const auto value = field.value();
        req.headers.add(std::string(name.data(), name.size()),
                        std::string(value.data(), value.size()));
    }
    req.remote_ip = remote_ip;
    req.secure = secure;
    req.received_ns = received_ns;
}

template <class Stream>
class http_session {
public:
    http_session(shard& sh, const session_config& cfg, Stream& stream, connection& conn, role r,
                 bool secure, std::string remote_ip,
                 std::shared_ptr<ssl::context> tls_context = nullptr)
        : shard_(sh),
          cfg_(cfg),
          stream_(stream),
          conn_(conn),
          role_(r),
          secure_(secure),
          remote_ip_(std::move(remote_ip)),
          tls_context_(std::move(tls_context)) {}

    // Serves requests until the connection should end. Returns true when it
    // should be closed politely (after a response that said
    // "Connection: close"), false when it is already broken or closed.
    asio::awaitable<bool> run() {
        for (;;) {
            if (buffer_.size() == 0 && !co_await wait_for_request()) co_return false;
            conn_.idle = false;

            // Named locals only, no temporaries spanning a co_await: GCC 12
            // can destroy those twice (GCC bug 100611) and did here.
            http::request_parser<http::string_body> parser;
            request req;
            const outcome read = co_await read_request(parser, req);
            if (read == outcome::broken) co_return false;
            const bool http10 = parser.is_header_done() && parser.get().version() < 11;
            if (read == outcome::refused) {
                const bool written = co_await reject(req, refusal_, http10);
                co_return written;
            }
            if (read == outcome::upgrade) {
                const bool written = co_await upgrade(parser, req, http10);
                co_return written;
            }

            bool keep_alive = parser.get().keep_alive();
            response res;
            if (role_ == role::redirect) {
                res = redirect_to_https(req, cfg_.https_port);
                cfg_.app->decorate(req, res);
                keep_alive = false;
            } else {
                res = co_await cfg_.app->handle(req);
            }
            keep_alive = keep_alive && !shard_.stopping;
            const bool written = co_await write(res, keep_alive, http10, req.verb == method::head);
            if (!written) co_return false;
            if (!keep_alive) co_return true;
        }
    }

    // Ends the connection after a "Connection: close" response.
    asio::awaitable<void> close() {
        conn_.idle = true;
        if (shard_.stopping) co_return;
        if constexpr (std::is_same_v<Stream, tls_stream>) {
            // close_notify (RFC 8446 section 6.1); a peer that just drops the
            // connection ends this early, which is fine.
            lowest().expires_after(tls_shutdown_time);
            co_await stream_.async_shutdown(use_tuple);
        } else {
            boost::system::error_code ec;
            lowest().socket().shutdown(tcp::socket::shutdown_send, ec);
            if (ec) co_return;
            lowest().expires_after(linger_time);
            std::size_t drained = 0;
            while (drained < linger_max_bytes) {
                auto [read_ec, n] =
                    co_await stream_.async_read_some(buffer_.prepare(first_read_size), use_tuple);
                if (read_ec) break;
                drained += n;
            }
        }
    }

private:
    beast::tcp_stream& lowest() noexcept { return beast::get_lowest_layer(stream_); }

    static driftway::error too_large(std::size_t limit) {
        return driftway::error::too_large("the request body is larger than " +
                                          std::to_string(limit) + " bytes");
    }

    enum class outcome { ok, broken, refused, upgrade };

    // Reads one request into req: the header first, then, once the header
    // has decided the body limit, the body. On outcome::refused, refusal_
    // says why.
    asio::awaitable<outcome> read_request(http::request_parser<http::string_body>& parser,
                                          request& req) {
        const std::int64_t received_ns = clock::mono_ns();
        lowest().expires_after(cfg_.request_timeout);
        parser.header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(
            cfg_.max_header_bytes, std::numeric_limits<std::uint32_t>::max())));
        // Beast checks Content-Length against the body limit while parsing the
        // header, before the path is known; the route's own limit is applied
        // below, so the header read allows the largest one.
        parser.body_limit(std::max(cfg_.max_body_bytes, cfg_.max_upload_bytes));
        {
            auto [ec, n] = co_await http::async_read_header(stream_, buffer_, parser, use_tuple);
            if (ec) {
                if (!is_protocol_error(ec)) co_return outcome::broken;
                if (ec == http::error::header_limit) {
                    refusal_ = {431, "header_too_large", "the request header is too large", {}};
                } else if (ec == http::error::body_limit) {
                    refusal_ = too_large(std::max(cfg_.max_body_bytes, cfg_.max_upload_bytes));
                } else {
                    refusal_ =
                        driftway::error::bad_request("bad_request", "malformed HTTP request");
                }
                co_return outcome::refused;
            }
        }
        fill_request(req, parser, remote_ip_, secure_, received_ns);

        const std::size_t limit =
            is_upload_path(cfg_, req.path) ? cfg_.max_upload_bytes : cfg_.max_body_bytes;
        const auto length = parser.content_length();
        if (length && *length > limit) {
            refusal_ = too_large(limit);
            co_return outcome::refused;
        }
        parser.body_limit(limit);

        // Protocol upgrades (the WebSocket gateway) hook in here: the header
        // is complete, no body has been read, and the stream, buffer_ and
        // parser.get() are still this session's to hand over.
        if (role_ == role::app) {
            upgrade_route_ = cfg_.find_websocket(req.path);
            if (upgrade_route_) co_return outcome::upgrade;
        }

        if (parser.is_done()) co_return outcome::ok;
        // RFC 9110 section 10.1.1: a client that asked may wait for this
        // before sending the body.
        if (beast::iequals(parser.get()[http::field::expect], "100-continue")) {
            static constexpr std::string_view go_on = "HTTP/1.1 100 Continue\r\n\r\n";
            auto [ec, n] = co_await asio::async_write(
                stream_, asio::buffer(go_on.data(), go_on.size()), use_tuple);
            if (ec) co_return outcome::broken;
        }
        auto [ec, n] = co_await http::async_read(stream_, buffer_, parser, use_tuple);
        if (ec == http::error::body_limit) {
            refusal_ = too_large(limit);
            co_return outcome::refused;
        }
        if (ec) {
            if (!is_protocol_error(ec)) co_return outcome::broken;
            refusal_ = driftway::error::bad_request("bad_request", "malformed request body");
            co_return outcome::refused;
        }
        req.body = std::move(parser.get().body());
        co_return outcome::ok;
    }

    // Answers a request to a WebSocket path. An accepted upgrade leaves with
    // the socket (the session then ends without closing anything: false); a
    // refused one is answered and the connection closed (true when written).
    asio::awaitable<bool> upgrade(const http::request_parser<http::string_body>& parser,
                                  request& req, bool http10) {
        const auto check =
            ws::detail::check_upgrade(req, parser.get().version(), !parser.is_done());
        if (!check.ok()) {
            response res = ws::detail::refusal(check);
            cfg_.app->decorate(req, res);
            const bool written = co_await write(res, false, http10, req.verb == method::head);
            co_return written;
        }
        std::unique_ptr<ws::handler> handler;
        const std::optional<driftway::error> refused = accept_upgrade(req, handler);
        if (refused) {
            const bool written = co_await reject(req, *refused, http10);
            co_return written;
        }

        const std::string accepted = ws::detail::switching_protocols(check.key);
        lowest().expires_after(cfg_.request_timeout);
        auto [ec, n] = co_await asio::async_write(
            stream_, asio::buffer(accepted.data(), accepted.size()), use_tuple);
        if (ec) co_return false;
        lowest().expires_never();
        log::debug("websocket opened", {{"remote_ip", remote_ip_}, {"path", req.path}});

        // The socket leaves this session: the shard must no longer reach it
        // through the HTTP connection's entry.
        conn_.unlink();
        const auto pending = buffer_.data();
        const std::span<const char> initial(static_cast<const char*>(pending.data()),
                                            pending.size());
        if constexpr (std::is_same_v<Stream, tls_stream>) {
            ws::detail::start_tls(shard_, *upgrade_route_, std::move(handler), std::move(stream_),
                                  tls_context_, std::move(remote_ip_), initial);
        } else {
            ws::detail::start_plain(shard_, *upgrade_route_, std::move(handler),
                                    lowest().release_socket(), std::move(remote_ip_), initial);
        }
        co_return false;
    }

    // Asks the route's acceptor for a handler; says why not when it gives none.
    std::optional<driftway::error> accept_upgrade(request& req,
                                                  std::unique_ptr<ws::handler>& handler) {
        if (shard_.stopping) {
            return driftway::error::unavailable("shutting_down", "the server is shutting down");
        }
        req.request_id = make_request_id(req.header("X-Request-Id"));
        try {
            handler = upgrade_route_->accept(req);
        } catch (const std::exception& e) {
            log::error("websocket acceptor threw", {{"path", req.path}, {"error", e.what()}});
            return driftway::error::internal();
        }
        if (!handler) {
            return driftway::error::forbidden("websocket_refused",
                                              "the WebSocket upgrade was refused");
        }
        return std::nullopt;
    }

    // Waits, with the idle timeout, for the first byte of the next request.
    // Until it comes the connection counts as idle and shutdown may close it.
    asio::awaitable<bool> wait_for_request() {
        conn_.idle = true;
        if (shard_.stopping) co_return false;
        lowest().expires_after(cfg_.idle_timeout);
        auto [ec, n] =
            co_await stream_.async_read_some(buffer_.prepare(first_read_size), use_tuple);
        if (ec) co_return false;
        buffer_.commit(n);
        co_return true;
    }

    asio::awaitable<bool> write(const response& res, bool keep_alive, bool http10, bool head) {
        const bool with_body = serialize_head(head_, res, keep_alive, http10, head);
        const std::array<asio::const_buffer, 2> buffers{
            asio::buffer(head_), with_body ? asio::buffer(res.body) : asio::const_buffer{}};
        lowest().expires_after(cfg_.request_timeout);
        auto [ec, n] = co_await asio::async_write(stream_, buffers, use_tuple);
        co_return !ec;
    }

    // Answers a request the server refuses before any handler sees it, then
    // ends the connection: after a malformed or oversized request the stream
    // position is unknown.
    asio::awaitable<bool> reject(const request& req, const driftway::error& e, bool http10) {
        log::debug("request rejected",
                   {{"remote_ip", remote_ip_}, {"status", e.status}, {"code", e.code}});
        response res = response::from_error(e);
        cfg_.app->decorate(req, res);
        const bool written = co_await write(res, false, http10, req.verb == method::head);
        co_return written;
    }

    shard& shard_;
    const session_config& cfg_;
    Stream& stream_;
    connection& conn_;
    role role_;
    bool secure_;
    std::string remote_ip_;
    beast::flat_buffer buffer_;  // reused for every request of the connection
    std::string head_;           // the response header block, reused likewise
    driftway::error refusal_;    // why read_request refused the last request
    const ws::detail::route* upgrade_route_ = nullptr;  // set by read_request on outcome::upgrade
    std::shared_ptr<ssl::context> tls_context_;         // for a TLS WebSocket to keep
};

asio::awaitable<void> serve_plain(shard& sh, const session_config& cfg, tcp::socket socket,
                                  role r) {
    std::string ip = remote_ip_of(socket);
    plain_stream stream(std::move(socket));
    connection conn(sh, stream.socket());
    if (sh.stopping) co_return;
    http_session<plain_stream> session(sh, cfg, stream, conn, r, false, std::move(ip));
    if (co_await session.run()) co_await session.close();
}

}  // namespace

asio::awaitable<void> serve_http(shard& sh, const session_config& cfg, tcp::socket socket) {
    return serve_plain(sh, cfg, std::move(socket), role::app);
}

asio::awaitable<void> serve_redirect(shard& sh, const session_config& cfg, tcp::socket socket) {
    return serve_plain(sh, cfg, std::move(socket), role::redirect);
}

asio::awaitable<void> serve_https(shard& sh, const session_config& cfg, tcp::socket socket,
                                  std::shared_ptr<asio::ssl::context> ctx) {
    std::string ip = remote_ip_of(socket);
    tls_stream stream(std::move(socket), *ctx);
    connection conn(sh, beast::get_lowest_layer(stream).socket());
    if (sh.stopping) co_return;
    beast::get_lowest_layer(stream).expires_after(cfg.request_timeout);
    auto [ec] = co_await stream.async_handshake(ssl::stream_base::server, use_tuple);
    if (ec) {
        log::debug("tls handshake failed", {{"remote_ip", ip}, {"error", ec.message()}});
        co_return;
    }
    http_session<tls_stream> session(sh, cfg, stream, conn, role::app, true, std::move(ip), ctx);
    if (co_await session.run()) co_await session.close();
}

}  // namespace driftway::net::detail
