#include "driftway/gateway/forwarding.hpp"

#include <gtest/gtest.h>

namespace driftway::gateway {
namespace {

TEST(RequestId, AcceptsShortPlainIds) {
    EXPECT_TRUE(valid_request_id("abc-123_X.y"));
    EXPECT_TRUE(valid_request_id(std::string(128, 'a')));
}

TEST(RequestId, RefusesAnythingElse) {
    EXPECT_FALSE(valid_request_id(""));
    EXPECT_FALSE(valid_request_id(std::string(129, 'a')));
    EXPECT_FALSE(valid_request_id("has space"));
    EXPECT_FALSE(valid_request_id("new\r\nline"));
    EXPECT_FALSE(valid_request_id("quote\""));
    EXPECT_FALSE(valid_request_id("ünïcode"));
}

TEST(RequestId, KeepsAValidOneAndReplacesAnInvalidOne) {
    EXPECT_EQ(request_id_for(std::string_view("client-id-1")), "client-id-1");
    const auto made = request_id_for(std::string_view("bad id"));
    EXPECT_NE(made, "bad id");
    EXPECT_TRUE(valid_request_id(made));
    const auto a = request_id_for(std::nullopt);
    const auto b = request_id_for(std::nullopt);
    EXPECT_EQ(a.size(), 32u);
    EXPECT_NE(a, b);
}

TEST(HopByHop, FixedNamesAndThoseListedInConnection) {
    EXPECT_TRUE(is_hop_by_hop("connection", std::nullopt));
    EXPECT_TRUE(is_hop_by_hop("Keep-Alive", std::nullopt));
    EXPECT_TRUE(is_hop_by_hop("TRANSFER-ENCODING", std::nullopt));
    EXPECT_TRUE(is_hop_by_hop("Upgrade", std::nullopt));
    EXPECT_TRUE(is_hop_by_hop("Proxy-Authorization", std::nullopt));
    EXPECT_FALSE(is_hop_by_hop("Authorization", std::nullopt));
    EXPECT_FALSE(is_hop_by_hop("X-Secret", std::nullopt));
    EXPECT_TRUE(is_hop_by_hop("X-Secret", std::string_view("close, x-secret")));
    EXPECT_FALSE(is_hop_by_hop("X-Secret-2", std::string_view("close, x-secret")));
}

net::request sample() {
    net::request in;
    in.verb = net::method::post;
    in.target = "/api/v1/channels/1/messages?x=1";
    in.path = "/api/v1/channels/1/messages";
    in.query = "x=1";
    in.body = R"({"content":"hi"})";
    in.remote_ip = "10.0.0.7";
    in.headers.add("Authorization", "Bearer t");
    in.headers.add("Connection", "keep-alive, X-Drop-Me");
    in.headers.add("X-Drop-Me", "1");
    in.headers.add("Keep-Alive", "timeout=5");
    in.headers.add("Content-Length", "16");
    in.headers.add("X-Request-Id", "forged");
    in.headers.add("X-Forwarded-For", "203.0.113.9");
    in.headers.add("Content-Type", "application/json");
    return in;
}

TEST(UpstreamRequest, KeepsEndToEndHeadersAndDropsHopByHop) {
    const auto out = upstream_request(sample(), "rid-1");
    EXPECT_EQ(out.verb, net::method::post);
    EXPECT_EQ(out.target, "/api/v1/channels/1/messages?x=1");
    EXPECT_EQ(out.body, R"({"content":"hi"})");
    EXPECT_EQ(out.header("Authorization"), "Bearer t");
    EXPECT_EQ(out.header("Content-Type"), "application/json");
    EXPECT_FALSE(out.header("Connection"));
    EXPECT_FALSE(out.header("X-Drop-Me"));
    EXPECT_FALSE(out.header("Keep-Alive"));
    EXPECT_FALSE(out.header("Content-Length"));
}

TEST(UpstreamRequest, SetsRequestIdAndForwardedHeaders) {
    const auto out = upstream_request(sample(), "rid-1");
    EXPECT_EQ(out.header("X-Request-Id"), "rid-1");  // one, the gateway's decision
    int ids = 0;
    for (const auto& [k, v] : out.headers.items()) ids += k == "X-Request-Id";
    EXPECT_EQ(ids, 1);
    EXPECT_EQ(out.header("X-Forwarded-For"), "203.0.113.9, 10.0.0.7");
    EXPECT_EQ(out.header("X-Forwarded-Proto"), "http");

    auto tls = sample();
    tls.secure = true;
    EXPECT_EQ(upstream_request(tls, "r").header("X-Forwarded-Proto"), "https");
    auto behind = sample();
    behind.headers.add("X-Forwarded-Proto", "https");  // from nginx
    EXPECT_EQ(upstream_request(behind, "r").header("X-Forwarded-Proto"), "https");
    auto junk = sample();
    junk.headers.add("X-Forwarded-Proto", "gopher");
    EXPECT_EQ(upstream_request(junk, "r").header("X-Forwarded-Proto"), "http");
}

TEST(DownstreamResponse, DropsHopByHopAndServerHeaders) {
    net::response in;
    in.status = 201;
    in.body = "{}";
    in.headers.add("Content-Type", "application/json");
    in.headers.add("Connection", "close");
    in.headers.add("Transfer-Encoding", "chunked");
    in.headers.add("Server", "driftway");
    in.headers.add("X-RateLimit-Limit", "100");
    const auto out = downstream_response(in);
    EXPECT_EQ(out.status, 201);
    EXPECT_EQ(out.body, "{}");
    EXPECT_EQ(out.headers.get("Content-Type"), "application/json");
    EXPECT_EQ(out.headers.get("X-RateLimit-Limit"), "100");
    EXPECT_FALSE(out.headers.get("Connection"));
    EXPECT_FALSE(out.headers.get("Transfer-Encoding"));
    EXPECT_FALSE(out.headers.get("Server"));
}

}  // namespace
}  // namespace driftway::gateway
