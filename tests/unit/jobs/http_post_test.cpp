// The http_post job kind: URL parsing (untrusted text, never throws) and the
// handler against a small HTTP server on a loopback port.
#include "driftway/jobs/http_post.hpp"

#include "driftway/net/http_client.hpp"
#include "run_sync.hpp"

#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/json/parse.hpp>

#include <optional>

namespace driftway::jobs {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using store::testing::run_sync;

TEST(parse_http_url, accepts_absolute_http_urls) {
    struct ok_case {
        const char* url;
        const char* host;
        std::uint16_t port;
        const char* target;
    };
    const ok_case cases[] = {
        {"http://example.com", "example.com", 80, "/"},
        {"http://example.com/", "example.com", 80, "/"},
        {"HTTP://Example.com:8080/hooks/1?x=y", "Example.com", 8080, "/hooks/1?x=y"},
        {"http://127.0.0.1:9/a", "127.0.0.1", 9, "/a"},
        {"http://[::1]:8443/p", "::1", 8443, "/p"},
        {"http://[::1]", "::1", 80, "/"},
        {"http://h?q=1", "h", 80, "/?q=1"},
    };
    for (const auto& c : cases) {
        const auto u = parse_http_url(c.url);
        ASSERT_TRUE(u.has_value()) << c.url;
        EXPECT_EQ(u->host, c.host) << c.url;
        EXPECT_EQ(u->port, c.port) << c.url;
        EXPECT_EQ(u->target, c.target) << c.url;
    }
}

TEST(parse_http_url, rejects_everything_else) {
    for (const char* url :
         {"", "http://", "https://example.com/", "ftp://x/", "example.com/x", "http:///path",
          "http://user:pw@example.com/", "http://example.com:0/", "http://example.com:65536/",
          "http://example.com:80x/", "http://example.com:/", "http://[::1/", "http://[]/",
          "http://[::1]x/", "http://a:b:c/", "http://exa mple.com/", "http://example.com/#frag",
          "http://example.com/\r\nInjected: 1"}) {
        EXPECT_FALSE(parse_http_url(url).has_value()) << url;
    }
}

TEST(http_post_payload, carries_the_url_and_the_body) {
    const auto p = boost::json::parse(
        http_post_payload("http://h/x", boost::json::parse(R"({"event":"ping","n":[1,2]})")));
    EXPECT_EQ(p.at("url").as_string(), "http://h/x");
    EXPECT_EQ(p.at("body").at("event").as_string(), "ping");
}

// A one-request-per-connection HTTP server that answers every request with
// status (or never answers, when status is 0) and keeps what it received.
class hook_server {
public:
    explicit hook_server(asio::io_context& io)
        : acceptor_(io, {asio::ip::make_address("127.0.0.1"), 0}) {
        asio::co_spawn(io, accept_loop(), asio::detached);
    }
    std::uint16_t port() const { return acceptor_.local_endpoint().port(); }

    int status = 200;
    std::string answer_body;
    std::vector<std::string> heads;
    std::vector<std::string> bodies;

private:
    asio::awaitable<void> accept_loop() {
        for (;;) {
            auto [ec, socket] =
                co_await acceptor_.async_accept(asio::as_tuple(asio::use_awaitable));
            if (ec) co_return;
            asio::co_spawn(acceptor_.get_executor(), serve(std::move(socket)), asio::detached);
        }
    }

    asio::awaitable<void> serve(tcp::socket socket) {
        std::string buffer;
        auto [ec, n] = co_await asio::async_read_until(
            socket, asio::dynamic_buffer(buffer), "\r\n\r\n", asio::as_tuple(asio::use_awaitable));
        if (ec) co_return;
        std::string head = buffer.substr(0, n);
        buffer.erase(0, n);
        std::size_t length = 0;
        if (const auto at = head.find("Content-Length: "); at != std::string::npos)
            length = std::stoul(head.substr(at + 16));
        if (buffer.size() < length) {
            auto [ec2, m] =
                co_await asio::async_read(socket, asio::dynamic_buffer(buffer),
                                          asio::transfer_exactly(length - buffer.size()),
                                          asio::as_tuple(asio::use_awaitable));
            if (ec2) co_return;
        }
        heads.push_back(head);
        bodies.push_back(buffer.substr(0, length));
        if (status == 0) {
            // Hold the connection open without answering until the client gives up.
            std::string sink;
            co_await asio::async_read(socket, asio::dynamic_buffer(sink),
                                      asio::as_tuple(asio::use_awaitable));
            co_return;
        }
        const std::string reply = "HTTP/1.1 " + std::to_string(status) +
                                  " X\r\nContent-Length: " + std::to_string(answer_body.size()) +
                                  "\r\nConnection: close\r\n\r\n" + answer_body;
        co_await asio::async_write(socket, asio::buffer(reply),
                                   asio::as_tuple(asio::use_awaitable));
    }

    tcp::acceptor acceptor_;
};

class http_post_test : public ::testing::Test {
protected:
    outcome post(std::string payload, std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
        auto h = make_http_post_handler(client_, {.timeout = timeout});
        store::job j{.id = 4242, .kind = "http_post", .payload = std::move(payload)};
        return run_sync(io_, h(j));
    }
    std::string url(const std::string& path) {
        return "http://127.0.0.1:" + std::to_string(server_.port()) + path;
    }

    asio::io_context io_;
    hook_server server_{io_};
    net::http_client client_;
};

TEST_F(http_post_test, a_2xx_answer_is_success_and_the_body_is_posted_as_json) {
    server_.status = 204;
    const auto o = post(http_post_payload(url("/hooks/a?x=1"), boost::json::parse(R"({"n":1})")));
    EXPECT_TRUE(o.ok) << o.error;
    ASSERT_EQ(server_.heads.size(), 1u);
    EXPECT_EQ(server_.heads[0].rfind("POST /hooks/a?x=1 HTTP/1.1\r\n", 0), 0u) << server_.heads[0];
    EXPECT_NE(server_.heads[0].find("Content-Type: application/json"), std::string::npos);
    EXPECT_NE(server_.heads[0].find("Idempotency-Key: 4242"), std::string::npos);
    EXPECT_EQ(server_.bodies[0], R"({"n":1})");
}

TEST_F(http_post_test, other_statuses_are_failures_with_the_status_and_body) {
    server_.status = 500;
    server_.answer_body = "database on fire";
    const auto o = post(http_post_payload(url("/"), boost::json::parse("[]")));
    EXPECT_FALSE(o.ok);
    EXPECT_FALSE(o.permanent);
    EXPECT_EQ(o.error, "HTTP 500: database on fire");

    server_.status = 302;
    server_.answer_body.clear();
    const auto redirect = post(http_post_payload(url("/"), boost::json::parse("[]")));
    EXPECT_FALSE(redirect.ok);
    EXPECT_EQ(redirect.error, "HTTP 302");
}

TEST_F(http_post_test, no_answer_in_time_is_a_timeout_failure) {
    server_.status = 0;
    const auto o = post(http_post_payload(url("/slow"), boost::json::parse("{}")),
                        std::chrono::milliseconds(200));
    EXPECT_FALSE(o.ok);
    EXPECT_FALSE(o.permanent);
    EXPECT_EQ(o.error.rfind("timeout", 0), 0u) << o.error;
}

TEST_F(http_post_test, a_refused_connection_is_a_retryable_failure) {
    // A port that was free a moment ago: nothing listens there.
    std::uint16_t port = 0;
    {
        tcp::acceptor a(io_, {asio::ip::make_address("127.0.0.1"), 0});
        port = a.local_endpoint().port();
    }
    const auto o = post(http_post_payload("http://127.0.0.1:" + std::to_string(port) + "/",
                                          boost::json::parse("{}")));
    EXPECT_FALSE(o.ok);
    EXPECT_FALSE(o.permanent);
    EXPECT_FALSE(o.error.empty());
}

TEST_F(http_post_test, undeliverable_payloads_fail_for_good_without_a_request) {
    for (const char* payload :
         {"", "not json", "[1]", R"({"body":{}})", R"({"url":7,"body":{}})",
          R"({"url":"http://127.0.0.1:1/"})", R"({"url":"https://example.com/","body":{}})"}) {
        const auto o = post(payload);
        EXPECT_FALSE(o.ok) << payload;
        EXPECT_TRUE(o.permanent) << payload;
    }
    EXPECT_TRUE(server_.heads.empty());
}

}  // namespace
}  // namespace driftway::jobs
