#include "ws/handshake.hpp"

#include <boost/json/parse.hpp>

#include <gtest/gtest.h>

#include <initializer_list>
#include <utility>

namespace driftway::net::ws::detail {
namespace {

constexpr std::string_view rfc_key = "dGhlIHNhbXBsZSBub25jZQ==";

request upgrade_request(std::initializer_list<std::pair<std::string, std::string>> replace = {},
                        std::initializer_list<std::string> remove = {}) {
    std::vector<std::pair<std::string, std::string>> fields{
        {"Host", "chat.example"},        {"Upgrade", "websocket"},
        {"Connection", "Upgrade"},       {"Sec-WebSocket-Key", std::string(rfc_key)},
        {"Sec-WebSocket-Version", "13"},
    };
    for (const auto& [name, value] : replace) {
        bool found = false;
        for (auto& f : fields) {
            if (f.first == name) {
                f.second = value;
                found = true;
            }
        }
        if (!found) fields.emplace_back(name, value);
    }
    request req;
    req.verb = method::get;
    req.target = req.path = "/gateway";
    for (const auto& f : fields) {
        if (std::find(remove.begin(), remove.end(), f.first) == remove.end()) {
            req.headers.add(f.first, f.second);
        }
    }
    return req;
}

TEST(WsHandshake, AcceptKeyOfRfc6455Section1_3) {
    EXPECT_EQ(accept_key(rfc_key), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST(WsHandshake, AcceptsAValidUpgrade) {
    const request req = upgrade_request();
    const auto check = check_upgrade(req, 11, false);
    ASSERT_TRUE(check.ok()) << check.message;
    EXPECT_EQ(check.key, rfc_key);
}

TEST(WsHandshake, AcceptsTheUsualVariations) {
    struct row {
        const char* what;
        request req;
    };
    request split_connection = upgrade_request({}, {"Connection"});
    split_connection.headers.add("Connection", "keep-alive");
    split_connection.headers.add("connection", "upgrade");
    const std::vector<row> rows{
        {"header case", upgrade_request({{"Upgrade", "WebSocket"}, {"Connection", "UPGRADE"}})},
        {"Connection list", upgrade_request({{"Connection", "keep-alive, Upgrade"}})},
        {"Connection over two fields", split_connection},
        {"Upgrade list", upgrade_request({{"Upgrade", "h2c, websocket"}})},
        {"spaces around the key",
         upgrade_request({{"Sec-WebSocket-Key", " dGhlIHNhbXBsZSBub25jZQ== "}})},
        {"permessage-deflate offer",
         upgrade_request(
             {{"Sec-WebSocket-Extensions", "permessage-deflate; client_max_window_bits"}})},
    };
    for (const auto& r : rows) {
        const auto check = check_upgrade(r.req, 11, false);
        EXPECT_TRUE(check.ok()) << r.what << ": " << check.message;
    }
}

TEST(WsHandshake, RefusesBadUpgrades) {
    struct row {
        const char* what;
        request req;
        int status;
        unsigned version = 11;
        bool body = false;
    };
    request post = upgrade_request();
    post.verb = method::post;
    request two_keys = upgrade_request();
    two_keys.headers.add("Sec-WebSocket-Key", "AAAAAAAAAAAAAAAAAAAAAA==");
    const std::vector<row> rows{
        {"no Upgrade header", upgrade_request({}, {"Upgrade"}), 426},
        {"another protocol", upgrade_request({{"Upgrade", "h2c"}}), 426},
        {"POST", post, 400},
        {"HTTP/1.0", upgrade_request(), 400, 10},
        {"no upgrade in Connection", upgrade_request({{"Connection", "keep-alive"}}), 400},
        {"no Connection", upgrade_request({}, {"Connection"}), 400},
        {"version 8", upgrade_request({{"Sec-WebSocket-Version", "8"}}), 426},
        {"no version", upgrade_request({}, {"Sec-WebSocket-Version"}), 400},
        {"no key", upgrade_request({}, {"Sec-WebSocket-Key"}), 400},
        {"two keys", two_keys, 400},
        {"key of 15 bytes", upgrade_request({{"Sec-WebSocket-Key", "AAAAAAAAAAAAAAAAAAAA"}}), 400},
        {"key of 17 bytes", upgrade_request({{"Sec-WebSocket-Key", "AAAAAAAAAAAAAAAAAAAAAAA="}}),
         400},
        {"key not base64", upgrade_request({{"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25j*Q=="}}),
         400},
        {"key with padding bits set",
         upgrade_request({{"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZR=="}}), 400},
        {"a body", upgrade_request(), 400, 11, true},
    };
    for (const auto& r : rows) {
        const auto check = check_upgrade(r.req, r.version, r.body);
        EXPECT_EQ(check.status, r.status) << r.what;
        EXPECT_FALSE(check.code.empty()) << r.what;
    }
}

TEST(WsHandshake, RefusalsSayWhatWouldBeAccepted) {
    const auto not_upgrade = check_upgrade(upgrade_request({}, {"Upgrade"}), 11, false);
    const response res = refusal(not_upgrade);
    EXPECT_EQ(res.status, 426);
    EXPECT_EQ(res.headers.get("Upgrade"), "websocket");
    EXPECT_EQ(res.headers.get("Sec-WebSocket-Version"), "13");
    const auto body = boost::json::parse(res.body).as_object();
    EXPECT_EQ(body.at("code").as_string(), "upgrade_required");

    const auto bad_key = check_upgrade(upgrade_request({}, {"Sec-WebSocket-Key"}), 11, false);
    const response bad = refusal(bad_key);
    EXPECT_EQ(bad.status, 400);
    EXPECT_FALSE(bad.headers.contains("Upgrade"));
}

TEST(WsHandshake, SwitchingProtocolsCarriesTheAcceptKeyAndNoExtension) {
    const std::string head = switching_protocols(rfc_key);
    EXPECT_TRUE(head.starts_with("HTTP/1.1 101 Switching Protocols\r\n"));
    EXPECT_NE(head.find("\r\nUpgrade: websocket\r\n"), std::string::npos);
    EXPECT_NE(head.find("\r\nConnection: Upgrade\r\n"), std::string::npos);
    EXPECT_NE(head.find("\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"),
              std::string::npos);
    EXPECT_EQ(head.find("Sec-WebSocket-Extensions"), std::string::npos);
    EXPECT_TRUE(head.ends_with("\r\n\r\n"));
}

}  // namespace
}  // namespace driftway::net::ws::detail
