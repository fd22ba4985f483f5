// End-to-end tests of the WebSocket transport over loopback, with Beast's
// WebSocket client on the other side (and raw sockets where a client must
// misbehave).
#include "driftway/net/server.hpp"
#include "driftway/net/websocket.hpp"

#include "ws_test_support.hpp"

#include <boost/json/parse.hpp>

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <charconv>

namespace driftway::net {
namespace {

using namespace test;

// Echoes every message; "close:<code>" makes the server close with that
// code; says "going away" when the server shuts down.
class echo_handler : public ws::handler {
public:
    explicit echo_handler(server_record& record) : record_(record) {}

    void on_open(ws::connection&) override { record_.opened(); }
    void on_message(ws::connection& c, std::string_view text) override {
        if (text.starts_with("close:")) {
            std::uint16_t code = 0;
            std::from_chars(text.data() + 6, text.data() + text.size(), code);
            c.close(code, "bye");
            return;
        }
        c.send(std::string(text));
    }
    void on_close(std::uint16_t code) override { record_.closed(code); }
    void on_shutdown(ws::connection& c) override { c.send("going away"); }

private:
    server_record& record_;
};

std::function<void(server&)> echo_at(const std::string& path, server_record& record,
                                     ws::options options = {}) {
    return [&record, path, options](server& s) {
        s.add_websocket(
            path, [&record](const request&) { return std::make_unique<echo_handler>(record); },
            options);
    };
}

ws::options big_messages() {
    ws::options o;
    o.max_message_bytes = 1 << 20;
    return o;
}

std::string pattern(std::size_t n) {
    std::string s(n, '\0');
    for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + (i * 7) % 26);
    return s;
}

// A blocking client on a raw socket: costs the test process nothing but a
// descriptor, and does exactly (and only) what it is told.
class raw_client {
public:
    explicit raw_client(std::uint16_t port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
        timeval timeout{5, 0};
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(port);
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        connected_ = ::connect(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0;
    }
    ~raw_client() {
        if (fd_ >= 0) ::close(fd_);
    }
    raw_client(const raw_client&) = delete;
    raw_client& operator=(const raw_client&) = delete;

    // Sends an upgrade request (then `extra` in the same write) and reads the
    // response head; returns it, or an empty string.
    std::string upgrade(std::string_view path = "/ws", std::string_view extra = {}) {
        std::string request =
            "GET " + std::string(path) +
            " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
            "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            "Sec-WebSocket-Version: 13\r\n\r\n";
        request += extra;
        if (!connected_ || !send_all(request)) return {};
        while (received_.find("\r\n\r\n") == std::string::npos) {
            if (!receive_more()) return {};
        }
        const auto end = received_.find("\r\n\r\n") + 4;
        std::string head = received_.substr(0, end);
        received_.erase(0, end);
        return head;
    }

    // Reads until n bytes (after the response head) have arrived.
    std::string read_exactly(std::size_t n) {
        while (received_.size() < n) {
            if (!receive_more()) return {};
        }
        std::string out = received_.substr(0, n);
        received_.erase(0, n);
        return out;
    }

    // The next server frame (unmasked, under 126 bytes): its first byte and
    // its payload; {0, ""} when none arrives.
    std::pair<std::uint8_t, std::string> read_frame() {
        const std::string header = read_exactly(2);
        if (header.size() != 2 || (header[1] & 0xFF) >= 126) return {0, {}};
        return {static_cast<std::uint8_t>(header[0]), read_exactly(header[1] & 0xFF)};
    }

    bool send_all(std::string_view bytes) {
        while (!bytes.empty()) {
            const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
            if (n <= 0) return false;
            bytes.remove_prefix(static_cast<std::size_t>(n));
        }
        return true;
    }

private:
    bool receive_more() {
        char buffer[4096];
        const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
        if (n <= 0) return false;
        received_.append(buffer, static_cast<std::size_t>(n));
        return true;
    }

    int fd_;
    bool connected_ = false;
    std::string received_;
};

// A masked client frame (RFC 6455 section 5.3) of a short text.
std::string masked_text_frame(std::string_view text) {
    const char key[4] = {0x12, 0x34, 0x56, 0x78};
    std::string frame;
    frame += static_cast<char>(0x81);
    frame += static_cast<char>(0x80 | text.size());
    frame.append(key, 4);
    for (std::size_t i = 0; i < text.size(); ++i) frame += static_cast<char>(text[i] ^ key[i % 4]);
    return frame;
}

// ----------------------------------------------------------------- basics

TEST(WsServer, EchoesTextMessages) {
    server_record record;
    ws_server srv(ws_server::options(), echo_at("/ws", record, big_messages()));
    ws_plain_client c(srv.port());
    ASSERT_FALSE(c.error()) << c.error().message();
    EXPECT_EQ(c.handshake_response().result_int(), 101);
    EXPECT_EQ(c.handshake_response()["Sec-WebSocket-Extensions"], "");

    ASSERT_TRUE(c.write("hello"));
    EXPECT_EQ(c.read(), "hello");
    ASSERT_TRUE(c.write(""));
    EXPECT_EQ(c.read(), "");
    const std::string big = pattern(300000);
    ASSERT_TRUE(c.write(big));
    EXPECT_EQ(c.read(), big);
    ASSERT_TRUE(c.write("caf\xc3\xa9 \xf0\x9f\x98\x80"));
    EXPECT_EQ(c.read(), "caf\xc3\xa9 \xf0\x9f\x98\x80");
}

TEST(WsServer, DeclinesPermessageDeflate) {
    server_record record;
    ws_server srv(ws_server::options(), echo_at("/ws", record));
    plain_client c(srv.port());
    http::request<http::string_body> req{http::verb::get, "/ws", 11};
    req.set(http::field::host, "127.0.0.1");
    req.set(http::field::upgrade, "websocket");
    req.set(http::field::connection, "Upgrade");
    req.set(http::field::sec_websocket_key, "dGhlIHNhbXBsZSBub25jZQ==");
    req.set(http::field::sec_websocket_version, "13");
    req.set(http::field::sec_websocket_extensions, "permessage-deflate; client_max_window_bits");
    ASSERT_TRUE(c.send(req));
    const auto res = c.receive();
    ASSERT_TRUE(res) << c.error().message();
    EXPECT_EQ(res->result_int(), 101);
    EXPECT_EQ((*res)[http::field::sec_websocket_accept], "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    EXPECT_EQ((*res)[http::field::sec_websocket_extensions], "");
}

TEST(WsServer, ReassemblesAFragmentedMessage) {
    server_record record;
    ws_server srv(ws_server::options(), echo_at("/ws", record, big_messages()));
    ws_plain_client c(srv.port());
    ASSERT_FALSE(c.error()) << c.error().message();
    const std::string big = pattern(200000);
    for (std::size_t off = 0; off < big.size(); off += 20000) {
        ASSERT_TRUE(
            c.write_fragment(std::string_view(big).substr(off, 20000), off + 20000 >= big.size()));
    }
    EXPECT_EQ(c.read(), big);
}

TEST(WsServer, AnswersPingWithPong) {
    server_record record;
    ws_server srv(ws_server::options(), echo_at("/ws", record));
    ws_plain_client c(srv.port());
    ASSERT_FALSE(c.error()) << c.error().message();
    std::vector<std::string> pongs;
    c.ws().control_callback([&](websocket::frame_type kind, beast::string_view payload) {
        if (kind == websocket::frame_type::pong) pongs.emplace_back(payload);
    });
    ASSERT_TRUE(c.ping("are you there"));
    ASSERT_TRUE(c.write("after the ping"));
    // The pong was queued before the echo, so it has been seen by now.
    EXPECT_EQ(c.read(), "after the ping");
    EXPECT_EQ(pongs, std::vector<std::string>{"are you there"});
}

TEST(WsServer, BytesSentWithTheUpgradeRequestAreNotLost) {
    server_record record;
    ws_server srv(ws_server::options(), echo_at("/ws", record));
    raw_client c(srv.port());
    const std::string head = c.upgrade("/ws", masked_text_frame("early"));
    ASSERT_TRUE(head.starts_with("HTTP/1.1 101")) << head;
    EXPECT_EQ(c.read_exactly(7), std::string("\x81\x05") + "early");
}

// ------------------------------------------------------------------ close

TEST(WsServer, ClientInitiatedCloseReportsTheClientsCode) {
    server_record record;
    ws_server srv(ws_server::options(), echo_at("/ws", record));
    ws_plain_client c(srv.port());
    ASSERT_FALSE(c.error()) << c.error().message();
    ASSERT_TRUE(c.close(4001, "done")) << c.error().message();
    EXPECT_EQ(record.wait_closes(1), std::vector<std::uint16_t>{4001});
}

TEST(WsServer, ServerInitiatedCloseSendsItsCode) {
    server_record record;
    ws_server srv(ws_server::options(), echo_at("/ws", record));
    ws_plain_client c(srv.port());
    ASSERT_FALSE(c.error()) << c.error().message();
    ASSERT_TRUE(c.write("close:4002"));
    EXPECT_FALSE(c.read());
    EXPECT_EQ(c.error(), websocket::error::closed) << c.error().message();
    EXPECT_EQ(c.reason().code, 4002);
    EXPECT_EQ(c.reason().reason, "bye");
    EXPECT_EQ(record.wait_closes(1), std::vector<std::uint16_t>{4002});
    srv.get().stop(0ms);
    ASSERT_TRUE(srv.wait_run_returned(5s));
    EXPECT_EQ(record.closes(), 1u);
}

TEST(WsServer, ADroppedSocketIsReportedAs1006) {
    server_record record;
    ws_server srv(ws_server::options(), echo_at("/ws", record));
    {
        raw_client c(srv.port());
        ASSERT_TRUE(c.upgrade().starts_with("HTTP/1.1 101"));
        ASSERT_TRUE(record.wait_opens(1));
    }
    EXPECT_EQ(record.wait_closes(1), std::vector<std::uint16_t>{1006});
}

struct bad_input {
    const char* what;
    std::function<bool(ws_plain_client&)> send;
    std::uint16_t code;
};

TEST(WsServer, BadInputClosesWithTheRightCode) {
    ws::options small;
    small.max_message_bytes = 1024;
    const std::vector<bad_input> cases{
        {"message over max_message_bytes", [](auto& c) { return c.write(std::string(2000, 'x')); },
         1009},
        {"fragments over max_message_bytes",
         [](auto& c) {
             return c.write_fragment(std::string(600, 'x'), false) &&
                    c.write_fragment(std::string(600, 'x'), true);
         },
         1009},
        {"invalid UTF-8", [](auto& c) { return c.write("bad \xc0\x80 text"); }, 1007},
        {"binary message", [](auto& c) { return c.write("\x01\x02", true); }, 1003},
    };
    for (const auto& bad : cases) {
        server_record record;
        ws_server srv(ws_server::options(1), echo_at("/ws", record, small));
        ws_plain_client c(srv.port());
        ASSERT_FALSE(c.error()) << c.error().message();
        ASSERT_TRUE(bad.send(c)) << bad.what;
        EXPECT_FALSE(c.read()) << bad.what;
        EXPECT_EQ(c.error(), websocket::error::closed) << bad.what << ": " << c.error().message();
        EXPECT_EQ(c.reason().code, bad.code) << bad.what;
        EXPECT_EQ(record.wait_closes(1), std::vector<std::uint16_t>{bad.code}) << bad.what;
    }
}

TEST(WsServer, UnmaskedFrameClosesWith1002) {
    server_record record;
    ws_server srv(ws_server::options(), echo_at("/ws", record));
    {
        raw_client c(srv.port());
        ASSERT_TRUE(c.upgrade().starts_with("HTTP/1.1 101"));
        ASSERT_TRUE(c.send_all(std::string("\x81\x02hi", 4)));
        // A close frame of two payload bytes: 1002.
        EXPECT_EQ(c.read_frame(), std::make_pair(std::uint8_t{0x88}, std::string("\x03\xea")));
    }
    EXPECT_EQ(record.wait_closes(1), std::vector<std::uint16_t>{1002});
}

// -------------------------------------------------------------- handshake

TEST(WsServer, RefusedUpgradeGets403) {
    ws_server srv(ws_server::options(), [](server& s) {
        s.add_websocket("/ws", [](const request&) { return std::unique_ptr<ws::handler>(); });
    });
    ws_plain_client c(srv.port());
    EXPECT_EQ(c.error(), websocket::error::upgrade_declined) << c.error().message();
    EXPECT_EQ(c.handshake_response().result_int(), 403);
    const auto body = boost::json::parse(c.handshake_response().body()).as_object();
    EXPECT_EQ(body.at("code").as_string(), "websocket_refused");
}

TEST(WsServer, TheAcceptorSeesTheRequest) {
    server_record record;
    std::promise<std::string> seen;
    ws_server srv(ws_server::options(), [&](server& s) {
        s.add_websocket("/gateway", [&](const request& req) {
            seen.set_value(req.path + "?" + req.query + " from " + req.remote_ip + " id " +
                           (req.request_id.empty() ? "none" : "set"));
            return std::make_unique<echo_handler>(record);
        });
    });
    ws_plain_client c(srv.port(), "/gateway?v=1&encoding=json");
    ASSERT_FALSE(c.error()) << c.error().message();
    auto f = seen.get_future();
    ASSERT_EQ(f.wait_for(5s), std::future_status::ready);
    EXPECT_EQ(f.get(), "/gateway?v=1&encoding=json from 127.0.0.1 id set");
}

TEST(WsServer, OtherRequestsToTheWebSocketPathGet426) {
    server_record record;
    ws_server srv(ws_server::options(), echo_at("/ws", record));
    plain_client c(srv.port());
    const auto res = c.request(http::verb::get, "/ws");
    ASSERT_TRUE(res) << c.error().message();
    EXPECT_EQ(res->result_int(), 426);
    EXPECT_EQ((*res)[http::field::upgrade], "websocket");
    EXPECT_EQ((*res)[http::field::sec_websocket_version], "13");
    EXPECT_FALSE((*res)["X-Request-Id"].empty());
    const auto body = boost::json::parse(res->body()).as_object();
    EXPECT_EQ(body.at("code").as_string(), "upgrade_required");

    plain_client post(srv.port());
    const auto posted = post.request(http::verb::post, "/ws", "{}");
    ASSERT_TRUE(posted) << post.error().message();
    EXPECT_EQ(posted->result_int(), 426);

    // Paths that are not WebSocket paths are routed as before.
    plain_client other(srv.port());
    const auto missing = other.request(http::verb::get, "/ws/more");
    ASSERT_TRUE(missing) << other.error().message();
    EXPECT_EQ(missing->result_int(), 404);
}

TEST(WsServer, AWrongVersionGets426WithTheSupportedOne) {
    server_record record;
    ws_server srv(ws_server::options(), echo_at("/ws", record));
    plain_client c(srv.port());
    http::request<http::string_body> req{http::verb::get, "/ws", 11};
    req.set(http::field::host, "127.0.0.1");
    req.set(http::field::upgrade, "websocket");
    req.set(http::field::connection, "Upgrade");
    req.set(http::field::sec_websocket_key, "dGhlIHNhbXBsZSBub25jZQ==");
    req.set(http::field::sec_websocket_version, "8");
    ASSERT_TRUE(c.send(req));
    const auto res = c.receive();
    ASSERT_TRUE(res) << c.error().message();
    EXPECT_EQ(res->result_int(), 426);
    EXPECT_EQ((*res)[http::field::sec_websocket_version], "13");
}

// -------------------------------------------------------------------- TLS

class temp_dir {
public:
    temp_dir() {
        std::random_device rd;
        path_ = std::filesystem::temp_directory_path() / ("driftway-ws-" + std::to_string(rd()));
        std::filesystem::create_directories(path_);
    }
    ~temp_dir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

TEST(WsServer, EchoesOverTls) {
    temp_dir dir;
    const auto cert = dir.path() / "cert.pem";
    const auto key = dir.path() / "key.pem";
    write_self_signed(cert, key);
    auto options = ws_server::options();
    options.tls.enabled = true;
    options.tls.cert_file = cert.string();
    options.tls.key_file = key.string();
    server_record record;
    ws_server srv(options, echo_at("/ws", record, big_messages()));

    asio::ssl::context ctx{asio::ssl::context::tls_client};
    ctx.set_verify_mode(asio::ssl::verify_none);
    ws_tls_client c(srv.port(), ctx);
    ASSERT_FALSE(c.error()) << c.error().message();
    ASSERT_TRUE(c.write("secure hello"));
    EXPECT_EQ(c.read(), "secure hello");
    const std::string big = pattern(100000);
    ASSERT_TRUE(c.write(big));
    EXPECT_EQ(c.read(), big);
    ASSERT_TRUE(c.close(1000)) << c.error().message();
    EXPECT_EQ(record.wait_closes(1), std::vector<std::uint16_t>{1000});
}

// --------------------------------------------------------------- shutdown

TEST(WsServer, StopSaysGoodbyeWith1001AndDoesNotWaitForTheGrace) {
    server_record record;
    ws_server srv(ws_server::options(), echo_at("/ws", record));
    ws_plain_client c(srv.port());
    ASSERT_FALSE(c.error()) << c.error().message();
    ASSERT_TRUE(record.wait_opens(1));

    // A WebSocket is not a request in flight: with a responsive client, the
    // stop completes long before this grace period.
    srv.get().stop(30s);
    EXPECT_EQ(c.read(), "going away");
    EXPECT_FALSE(c.read());
    EXPECT_EQ(c.error(), websocket::error::closed) << c.error().message();
    EXPECT_EQ(c.reason().code, 1001);
    ASSERT_TRUE(srv.wait_run_returned(5s));
    EXPECT_EQ(record.wait_closes(1), std::vector<std::uint16_t>{1001});
    // The shards have stopped: this is every on_close there will be.
    EXPECT_EQ(record.closes(), 1u);
}

TEST(WsServer, StopEndsAfterTheGraceWhenAClientDoesNotAnswer) {
    server_record record;
    ws_server srv(ws_server::options(), echo_at("/ws", record));
    raw_client silent(srv.port());
    ASSERT_TRUE(silent.upgrade().starts_with("HTTP/1.1 101"));
    ASSERT_TRUE(record.wait_opens(1));

    const auto start = std::chrono::steady_clock::now();
    srv.get().stop(300ms);
    EXPECT_TRUE(srv.wait_run_returned(3s));
    EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
    EXPECT_EQ(record.wait_closes(1), std::vector<std::uint16_t>{1001});
    // The goodbye went out although nobody answered it.
    EXPECT_EQ(silent.read_frame(), std::make_pair(std::uint8_t{0x81}, std::string("going away")));
    const auto [close_byte, close_payload] = silent.read_frame();
    EXPECT_EQ(close_byte, 0x88);
    EXPECT_TRUE(close_payload.starts_with("\x03\xe9")) << close_payload;  // 1001
}

TEST(WsServer, StopWithNoGraceStillSendsTheCloseFrame) {
    server_record record;
    auto srv = std::make_unique<ws_server>(ws_server::options(), echo_at("/ws", record));
    raw_client silent(srv->port());
    ASSERT_TRUE(silent.upgrade().starts_with("HTTP/1.1 101"));
    ASSERT_TRUE(record.wait_opens(1));
    srv.reset();  // stop(0ms), and run() must return
    EXPECT_EQ(record.wait_closes(1), std::vector<std::uint16_t>{1001});
    EXPECT_EQ(silent.read_frame(), std::make_pair(std::uint8_t{0x81}, std::string("going away")));
    const auto [close_byte, close_payload] = silent.read_frame();
    EXPECT_EQ(close_byte, 0x88);
    EXPECT_TRUE(close_payload.starts_with("\x03\xe9")) << close_payload;
}

}  // namespace
}  // namespace driftway::net
