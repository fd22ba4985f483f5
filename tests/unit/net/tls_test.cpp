#include "driftway/net/server.hpp"

#include "net_test_support.hpp"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <random>

namespace driftway::net {
namespace {

using namespace test;
namespace fs = std::filesystem;

long peer_serial(tls_client& c) {
    std::unique_ptr<X509, decltype(&X509_free)> peer(
        SSL_get1_peer_certificate(c.stream().native_handle()), X509_free);
    if (!peer) return -1;
    return ASN1_INTEGER_get(X509_get_serialNumber(peer.get()));
}

class temp_dir {
public:
    temp_dir() {
        std::random_device rd;
        path_ = fs::temp_directory_path() / ("driftway-tls-" + std::to_string(rd()));
        fs::create_directories(path_);
    }
    ~temp_dir() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    const fs::path& path() const { return path_; }

private:
    fs::path path_;
};

router make_router() {
    router r;
    r.add(method::get, "/secure", [](request& req) -> asio::awaitable<response> {
        co_return response::text(200, req.secure ? "secure" : "plain");
    });
    return r;
}

class TlsTest : public ::testing::Test {
protected:
    void SetUp() override {
        write_self_signed(cert, key, 1);
        client_ctx.set_verify_mode(asio::ssl::verify_none);
    }

    server_options options() const {
        server_options o;
        o.host = "127.0.0.1";
        o.port = 0;
        o.shards = 2;
        o.tls.enabled = true;
        o.tls.cert_file = cert.string();
        o.tls.key_file = key.string();
        return o;
    }

    temp_dir dir;
    fs::path cert = dir.path() / "cert.pem";
    fs::path key = dir.path() / "key.pem";
    asio::ssl::context client_ctx{asio::ssl::context::tls_client};
};

TEST_F(TlsTest, ServesHttpsAndReloadsTheCertificate) {
    running_server srv{make_router(), options()};

    tls_client first(srv.port(), client_ctx);
    ASSERT_FALSE(first.error()) << first.error().message();
    EXPECT_EQ(peer_serial(first), 1);
    const auto res = first.request(http::verb::get, "/secure");
    ASSERT_TRUE(res) << first.error().message();
    EXPECT_EQ(res->result_int(), 200);
    EXPECT_EQ(res->body(), "secure");

    write_self_signed(cert, key, 2);
    ASSERT_TRUE(srv.get().reload_tls());

    tls_client second(srv.port(), client_ctx);
    ASSERT_FALSE(second.error()) << second.error().message();
    EXPECT_EQ(peer_serial(second), 2);
    // The connection made before the reload keeps working on its own context.
    const auto again = first.request(http::verb::get, "/secure");
    ASSERT_TRUE(again) << first.error().message();
    EXPECT_EQ(again->body(), "secure");

    // A broken file is refused and the last good certificate stays.
    std::ofstream(cert) << "not a certificate";
    EXPECT_FALSE(srv.get().reload_tls());
    tls_client third(srv.port(), client_ctx);
    ASSERT_FALSE(third.error()) << third.error().message();
    EXPECT_EQ(peer_serial(third), 2);
}

TEST_F(TlsTest, PlainHttpOnTheTlsPortGetsNoResponse) {
    running_server srv{make_router(), options()};
    plain_client c(srv.port());
    const auto res = c.request(http::verb::get, "/secure");
    EXPECT_FALSE(res);
}

TEST_F(TlsTest, OldProtocolVersionsAreRefused) {
    running_server srv{make_router(), options()};
    asio::ssl::context old_ctx{asio::ssl::context::tls_client};
    old_ctx.set_verify_mode(asio::ssl::verify_none);
    // Allow the client to go down to TLS 1.1 whatever the system policy says.
    SSL_CTX_set_security_level(old_ctx.native_handle(), 0);
    ASSERT_EQ(SSL_CTX_set_min_proto_version(old_ctx.native_handle(), TLS1_1_VERSION), 1);
    ASSERT_EQ(SSL_CTX_set_max_proto_version(old_ctx.native_handle(), TLS1_1_VERSION), 1);
    tls_client c(srv.port(), old_ctx);
    EXPECT_TRUE(c.error());
}

TEST_F(TlsTest, StartFailsClearlyWithoutAUsableCertificate) {
    pipeline p(make_router(), running_server::quiet());
    auto missing = options();
    missing.tls.cert_file = (dir.path() / "missing.pem").string();
    server s1(missing, p);
    try {
        s1.start();
        FAIL() << "start() accepted a missing certificate";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("missing.pem"), std::string::npos) << e.what();
    }

    // A key that belongs to another certificate.
    const auto other_cert = dir.path() / "other-cert.pem";
    const auto other_key = dir.path() / "other-key.pem";
    write_self_signed(other_cert, other_key, 3);
    auto mismatched = options();
    mismatched.tls.key_file = other_key.string();
    server s2(mismatched, p);
    EXPECT_THROW(s2.start(), std::runtime_error);
}

TEST_F(TlsTest, RedirectListenerAnswers308ToHttps) {
    auto o = options();
    o.tls.redirect_host = "127.0.0.1";
    o.tls.redirect_port = 0;
    running_server srv{make_router(), o};
    ASSERT_NE(srv.get().redirect_port(), 0);

    plain_client c(srv.get().redirect_port());
    http::request<http::string_body> req{http::verb::post, "/api/v1/x?y=1", 11};
    req.set(http::field::host, "chat.example:8080");
    ASSERT_TRUE(c.send(req));
    const auto res = c.receive();
    ASSERT_TRUE(res) << c.error().message();
    EXPECT_EQ(res->result_int(), 308);
    EXPECT_EQ((*res)[http::field::location],
              "https://chat.example:" + std::to_string(srv.port()) + "/api/v1/x?y=1");
    EXPECT_FALSE((*res)["X-Request-Id"].empty());

    plain_client bad(srv.get().redirect_port());
    http::request<http::string_body> evil{http::verb::get, "/", 11};
    evil.set(http::field::host, "evil.example/path@x");
    ASSERT_TRUE(bad.send(evil));
    const auto refused = bad.receive();
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->result_int(), 400);
}

}  // namespace
}  // namespace driftway::net
