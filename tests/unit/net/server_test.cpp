#include "driftway/net/server.hpp"

#include "net_test_support.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>

#include <gtest/gtest.h>

#include <atomic>

namespace driftway::net {
namespace {

using namespace test;

constexpr std::size_t body_limit = 1024;
constexpr std::size_t upload_limit = 8192;

struct slow_signal {
    std::promise<void> started;
    std::atomic<bool> signalled{false};
};

router make_router(slow_signal& slow) {
    router r;
    r.add(method::get, "/hello",
          [](request&) -> asio::awaitable<response> { co_return response::text(200, "hello"); });
    r.add(method::post, "/echo", [](request& req) -> asio::awaitable<response> {
        co_return response::text(200, std::move(req.body));
    });
    r.add(method::post, "/upload", [](request& req) -> asio::awaitable<response> {
        co_return response::text(200, std::to_string(req.body.size()));
    });
    r.add(method::get, "/whoami", [](request& req) -> asio::awaitable<response> {
        co_return response::json(200, boost::json::object{{"remote_ip", req.remote_ip},
                                                          {"secure", req.secure},
                                                          {"path", req.path},
                                                          {"query", req.query},
                                                          {"id", req.param("id")}});
    });
    r.add(method::get, "/items/{id}", [](request& req) -> asio::awaitable<response> {
        co_return response::text(200, std::string(req.param("id")) + "|" + req.path);
    });
    r.add(method::get, "/slow", [&slow](request&) -> asio::awaitable<response> {
        if (!slow.signalled.exchange(true)) slow.started.set_value();
        asio::steady_timer timer(co_await asio::this_coro::executor, 200ms);
        co_await timer.async_wait(asio::use_awaitable);
        co_return response::text(200, "slow done");
    });
    return r;
}

server_options make_options() {
    server_options o;
    o.host = "127.0.0.1";
    o.port = 0;
    o.shards = 2;
    o.max_body_bytes = body_limit;
    o.max_upload_bytes = upload_limit;
    o.upload_path_prefixes = {"/upload"};
    return o;
}

class ServerTest : public ::testing::Test {
protected:
    slow_signal slow;
    running_server srv{make_router(slow), make_options()};
};

std::string code_of(const http::response<http::string_body>& res) {
    return std::string(boost::json::parse(res.body()).as_object().at("code").as_string());
}

TEST_F(ServerTest, GetIsRoutedToItsHandler) {
    plain_client c(srv.port());
    ASSERT_FALSE(c.error()) << c.error().message();
    const auto res = c.request(http::verb::get, "/hello");
    ASSERT_TRUE(res) << c.error().message();
    EXPECT_EQ(res->result_int(), 200);
    EXPECT_EQ(res->body(), "hello");
    EXPECT_EQ((*res)[http::field::server], "driftway");
    EXPECT_EQ((*res)[http::field::content_length], "5");
    EXPECT_EQ((*res)[http::field::content_type], "text/plain");
    EXPECT_FALSE((*res)["X-Request-Id"].empty());
    EXPECT_EQ((*res)["X-Content-Type-Options"], "nosniff");
    EXPECT_FALSE((*res)[http::field::date].empty());
    EXPECT_TRUE(res->keep_alive());
}

TEST_F(ServerTest, FillsTheRequest) {
    plain_client c(srv.port());
    const auto res = c.request(http::verb::get, "/whoami?a=1&b=%20");
    ASSERT_TRUE(res);
    const auto v = boost::json::parse(res->body()).as_object();
    EXPECT_EQ(v.at("remote_ip").as_string(), "127.0.0.1");
    EXPECT_FALSE(v.at("secure").as_bool());
    EXPECT_EQ(v.at("path").as_string(), "/whoami");
    EXPECT_EQ(v.at("query").as_string(), "a=1&b=%20");

    const auto item = c.request(http::verb::get, "/items/a%20b");
    ASSERT_TRUE(item);
    EXPECT_EQ(item->body(), "a b|/items/a b");
}

TEST_F(ServerTest, KeepAliveServesTwoRequestsOnOneConnection) {
    plain_client c(srv.port());
    const auto first = c.request(http::verb::get, "/hello");
    ASSERT_TRUE(first);
    EXPECT_TRUE(first->keep_alive());
    const auto second = c.request(http::verb::post, "/echo", "ping");
    ASSERT_TRUE(second) << c.error().message();
    EXPECT_EQ(second->body(), "ping");
    EXPECT_NE((*first)["X-Request-Id"], (*second)["X-Request-Id"]);
    EXPECT_EQ(srv.get().open_connections(), 1u);
}

TEST_F(ServerTest, PipelinedRequestsAreAnsweredInOrder) {
    plain_client c(srv.port());
    c.send_raw(
        "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\none"
        "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\ntwo");
    const auto a = c.receive();
    const auto b = c.receive();
    ASSERT_TRUE(a && b);
    EXPECT_EQ(a->body(), "one");
    EXPECT_EQ(b->body(), "two");
}

TEST_F(ServerTest, BodyOverTheLimitGets413AndClose) {
    plain_client c(srv.port());
    const auto res = c.request(http::verb::post, "/echo", std::string(body_limit + 1, 'x'));
    ASSERT_TRUE(res) << c.error().message();
    EXPECT_EQ(res->result_int(), 413);
    EXPECT_EQ(code_of(*res), "payload_too_large");
    EXPECT_EQ((*res)[http::field::content_type], "application/json");
    EXPECT_FALSE((*res)["X-Request-Id"].empty());
    EXPECT_FALSE(res->keep_alive());
    EXPECT_TRUE(c.closed_by_server());
}

TEST_F(ServerTest, ChunkedBodyOverTheLimitGets413) {
    plain_client c(srv.port());
    const std::string chunk(600, 'y');
    std::string raw = "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < 2; ++i) raw += "258\r\n" + chunk + "\r\n";
    raw += "0\r\n\r\n";
    c.send_raw(raw);
    const auto res = c.receive();
    ASSERT_TRUE(res) << c.error().message();
    EXPECT_EQ(res->result_int(), 413);
}

TEST_F(ServerTest, UploadPathsHaveTheLargerLimit) {
    plain_client c(srv.port());
    const auto ok = c.request(http::verb::post, "/upload", std::string(upload_limit, 'u'));
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok->result_int(), 200);
    EXPECT_EQ(ok->body(), std::to_string(upload_limit));

    plain_client d(srv.port());
    const auto big = d.request(http::verb::post, "/upload", std::string(upload_limit + 1, 'u'));
    ASSERT_TRUE(big);
    EXPECT_EQ(big->result_int(), 413);
}

TEST_F(ServerTest, HeadGetsHeadersButNoBody) {
    plain_client c(srv.port());
    const auto head = c.request(http::verb::head, "/hello");
    ASSERT_TRUE(head);
    EXPECT_EQ(head->result_int(), 200);
    EXPECT_EQ((*head)[http::field::content_length], "5");
    EXPECT_TRUE(head->body().empty());
    // Had the server sent the 5 body bytes, they would now precede this
    // response on the connection and break its parsing.
    const auto next = c.request(http::verb::get, "/hello");
    ASSERT_TRUE(next) << c.error().message();
    EXPECT_EQ(next->result_int(), 200);
    EXPECT_EQ(next->body(), "hello");
}

TEST_F(ServerTest, MalformedRequestGets400AndClose) {
    plain_client c(srv.port());
    c.send_raw("GET /hello HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n");
    const auto res = c.receive();
    ASSERT_TRUE(res) << c.error().message();
    EXPECT_EQ(res->result_int(), 400);
    EXPECT_EQ(code_of(*res), "bad_request");
    EXPECT_TRUE(c.closed_by_server());
}

TEST_F(ServerTest, ExpectContinueIsAnsweredBeforeTheBody) {
    plain_client c(srv.port());
    c.send_raw(
        "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n");
    const auto go_on = c.receive();
    ASSERT_TRUE(go_on) << c.error().message();
    EXPECT_EQ(go_on->result_int(), 100);
    c.send_raw("body");
    const auto res = c.receive();
    ASSERT_TRUE(res) << c.error().message();
    EXPECT_EQ(res->result_int(), 200);
    EXPECT_EQ(res->body(), "body");
}

TEST_F(ServerTest, OversizedHeaderGets431) {
    plain_client c(srv.port());
    http::request<http::string_body> req{http::verb::get, "/hello", 11};
    req.set(http::field::host, "x");
    req.set(http::field::cookie, std::string(server_options{}.max_header_bytes, 'c'));
    ASSERT_TRUE(c.send(req));
    const auto res = c.receive();
    ASSERT_TRUE(res) << c.error().message();
    EXPECT_EQ(res->result_int(), 431);
    EXPECT_EQ(code_of(*res), "header_too_large");
    EXPECT_FALSE(res->keep_alive());
}

TEST_F(ServerTest, UnknownRouteGets404Json) {
    plain_client c(srv.port());
    const auto res = c.request(http::verb::get, "/nope");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->result_int(), 404);
    EXPECT_EQ(code_of(*res), "not_found");
    EXPECT_TRUE(res->keep_alive());
}

TEST_F(ServerTest, ConnectionCloseIsHonoured) {
    plain_client c(srv.port());
    http::request<http::string_body> req{http::verb::get, "/hello", 11};
    req.set(http::field::host, "x");
    req.keep_alive(false);
    ASSERT_TRUE(c.send(req));
    const auto res = c.receive();
    ASSERT_TRUE(res);
    EXPECT_FALSE(res->keep_alive());
    EXPECT_TRUE(c.closed_by_server());
}

TEST_F(ServerTest, StopReturnsPromptlyWithAnIdleKeepAliveConnection) {
    plain_client c(srv.port());
    ASSERT_TRUE(c.request(http::verb::get, "/hello"));
    ASSERT_EQ(srv.get().open_connections(), 1u);
    const auto before = std::chrono::steady_clock::now();
    srv.get().stop(30s);
    ASSERT_TRUE(srv.wait_run_returned(5s));
    EXPECT_LT(std::chrono::steady_clock::now() - before, 5s);
    EXPECT_TRUE(c.closed_by_server());
    EXPECT_EQ(srv.get().open_connections(), 0u);
}

TEST_F(ServerTest, InFlightRequestCompletesAfterStop) {
    plain_client c(srv.port());
    http::request<http::string_body> req{http::verb::get, "/slow", 11};
    req.set(http::field::host, "x");
    ASSERT_TRUE(c.send(req));
    ASSERT_EQ(slow.started.get_future().wait_for(5s), std::future_status::ready);

    srv.get().stop(10s);
    const auto res = c.receive();
    ASSERT_TRUE(res) << c.error().message();
    EXPECT_EQ(res->result_int(), 200);
    EXPECT_EQ(res->body(), "slow done");
    // The server is going away: it says so instead of keeping the connection.
    EXPECT_FALSE(res->keep_alive());
    EXPECT_TRUE(srv.wait_run_returned(5s));
}

TEST_F(ServerTest, NewConnectionsAreRefusedAfterStop) {
    const auto port = srv.port();
    srv.get().stop(1s);
    ASSERT_TRUE(srv.wait_run_returned(5s));
    plain_client c(port);
    EXPECT_TRUE(c.error());
}

TEST_F(ServerTest, ShardsAreExposed) {
    EXPECT_EQ(srv.get().shards().size(), 2u);
    EXPECT_EQ(srv.get().redirect_port(), 0);
}

TEST(ServerStart, PortInUseThrows) {
    slow_signal slow;
    running_server first{make_router(slow), make_options()};
    // Without SO_REUSEPORT on the other socket the kernel refuses a second bind.
    asio::io_context ioc;
    tcp::acceptor blocker(ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    pipeline p(make_router(slow), running_server::quiet());
    auto o = make_options();
    o.port = blocker.local_endpoint().port();
    server s(o, p);
    EXPECT_THROW(s.start(), std::runtime_error);
}

TEST(ServerStart, IdleConnectionTimesOut) {
    slow_signal slow;
    auto o = make_options();
    o.idle_timeout = 1s;
    running_server srv{make_router(slow), o};
    plain_client c(srv.port());
    ASSERT_TRUE(c.request(http::verb::get, "/hello"));
    const auto before = std::chrono::steady_clock::now();
    EXPECT_TRUE(c.closed_by_server());
    EXPECT_LT(std::chrono::steady_clock::now() - before, 4s);
}

TEST(ServerStart, SlowRequestTimesOut) {
    slow_signal slow;
    auto o = make_options();
    o.request_timeout = 1s;
    running_server srv{make_router(slow), o};
    plain_client c(srv.port());
    c.send_raw("GET /hello HTTP/1.1\r\nHost: x\r\n");  // never finished
    const auto before = std::chrono::steady_clock::now();
    EXPECT_TRUE(c.closed_by_server());
    EXPECT_LT(std::chrono::steady_clock::now() - before, 4s);
}

TEST(ServerStart, StopBeforeStartIsHarmless) {
    slow_signal slow;
    pipeline p(make_router(slow), running_server::quiet());
    server s(make_options(), p);
    s.stop(0ms);
    s.run();  // nothing started: returns at once
    EXPECT_EQ(s.open_connections(), 0u);
}

}  // namespace
}  // namespace driftway::net
