#pragma once
// Helpers for the net tests: run a coroutine to completion, a blocking
// HTTP(S) client with deadlines, and a server running on its own threads.
#include "driftway/net/pipeline.hpp"
#include "driftway/net/server.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <future>
#include <memory>
#include <optional>
#include <thread>
#include <type_traits>

namespace driftway::net::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

// Runs one coroutine on a fresh io_context and returns its result.
template <class T>
T run_coroutine(asio::awaitable<T> coroutine) {
    asio::io_context ioc;
    std::optional<T> result;
    std::exception_ptr error;
    asio::co_spawn(ioc, std::move(coroutine), [&](std::exception_ptr e, T value) {
        error = e;
        if (!e) result.emplace(std::move(value));
    });
    ioc.run();
    if (error) std::rethrow_exception(error);
    return std::move(*result);
}

inline constexpr auto client_deadline = 5s;

// A client whose every operation completes or fails within client_deadline,
// driven on its own io_context from the calling thread.
template <class Stream>
class client {
public:
    static constexpr bool tls = !std::is_same_v<Stream, beast::tcp_stream>;

    explicit client(std::uint16_t port) requires(!tls) : stream_(ioc_) { connect(port); }

    client(std::uint16_t port, asio::ssl::context& ctx) requires tls : stream_(ioc_, ctx) {
        connect(port);
        if (!error_) {
            drive(
                [&](auto done) { stream_.async_handshake(asio::ssl::stream_base::client, done); });
        }
    }

    boost::system::error_code error() const { return error_; }
    Stream& stream() { return stream_; }

    bool send(http::request<http::string_body> req) {
        req.prepare_payload();
        drive([&](auto done) { http::async_write(stream_, req, done); });
        return !error_;
    }

    void send_raw(std::string_view bytes) {
        drive([&](auto done) { asio::async_write(stream_, asio::buffer(bytes), done); });
    }

    // Reads one response; with head_request the parser expects no body.
    std::optional<http::response<http::string_body>> receive(bool head_request = false) {
        http::response_parser<http::string_body> parser;
        parser.body_limit(64 << 20);
        parser.skip(head_request);
        drive([&](auto done) { http::async_read(stream_, buffer_, parser, done); });
        if (error_) return std::nullopt;
        return parser.release();
    }

    std::optional<http::response<http::string_body>> request(http::verb verb, std::string target,
                                                             std::string body = {}) {
        http::request<http::string_body> req{verb, target, 11};
        req.set(http::field::host, "127.0.0.1");
        req.body() = std::move(body);
        if (!send(std::move(req))) return std::nullopt;
        return receive(verb == http::verb::head);
    }

    // True when the server closes the connection (EOF or reset) in time.
    bool closed_by_server() {
        char byte;
        drive([&](auto done) { stream_.async_read_some(asio::buffer(&byte, 1), done); });
        return error_ && error_ != beast::error::timeout;
    }

private:
    void connect(std::uint16_t port) {
        drive([&](auto done) {
            beast::get_lowest_layer(stream_).async_connect(
                tcp::endpoint(asio::ip::make_address("127.0.0.1"), port),
                [done](boost::system::error_code ec) mutable { done(ec, 0); });
        });
    }

    template <class Start>
    void drive(Start start) {
        error_ = asio::error::timed_out;
        bool finished = false;
        beast::get_lowest_layer(stream_).expires_after(client_deadline);
        start([&](boost::system::error_code ec, auto&&...) {
            error_ = ec;
            finished = true;
        });
        ioc_.restart();
        ioc_.run();
        if (!finished) error_ = asio::error::timed_out;
    }

    asio::io_context ioc_;
    Stream stream_;
    beast::flat_buffer buffer_;
    boost::system::error_code error_;
};

using plain_client = client<beast::tcp_stream>;
using tls_client = client<beast::ssl_stream<beast::tcp_stream>>;

// A net::server started on 127.0.0.1, its run() on a background thread.
class running_server {
public:
    running_server(router r, server_options options, pipeline_options popts = quiet())
        : pipeline_(std::move(r), std::move(popts)), server_(std::move(options), pipeline_) {
        server_.start();
        thread_ = std::thread([this] {
            server_.run();
            returned_.set_value();
        });
    }

    ~running_server() {
        server_.stop(0ms);
        if (!wait_run_returned(10s)) {
            ADD_FAILURE() << "server::run() did not return after stop()";
            std::abort();
        }
        thread_.join();
    }

    static pipeline_options quiet() {
        pipeline_options o;
        o.access_log = false;
        return o;
    }

    server& get() { return server_; }
    std::uint16_t port() const { return server_.port(); }

    bool wait_run_returned(std::chrono::milliseconds deadline) {
        if (run_returned_) return true;
        run_returned_ = done_.wait_for(deadline) == std::future_status::ready;
        return run_returned_;
    }

private:
    pipeline pipeline_;
    server server_;
    std::promise<void> returned_;
    std::future<void> done_ = returned_.get_future();
    bool run_returned_ = false;
    std::thread thread_;
};

// A self-signed EC P-256 certificate with the given serial, written as PEM.
inline void write_self_signed(const std::filesystem::path& cert_file,
                              const std::filesystem::path& key_file, long serial = 1) {
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_EC_gen("P-256"), EVP_PKEY_free);
    ASSERT_TRUE(key);
    std::unique_ptr<X509, decltype(&X509_free)> cert(X509_new(), X509_free);
    ASSERT_TRUE(cert);
    ASSERT_EQ(X509_set_version(cert.get(), 2), 1);
    ASSERT_EQ(ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial), 1);
    ASSERT_TRUE(X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60));
    ASSERT_TRUE(X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3600));
    ASSERT_EQ(X509_set_pubkey(cert.get(), key.get()), 1);
    X509_NAME* name = X509_get_subject_name(cert.get());
    const std::string cn = "driftway-test-" + std::to_string(serial);
    ASSERT_EQ(
        X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                   reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0),
        1);
    ASSERT_EQ(X509_set_issuer_name(cert.get(), name), 1);
    ASSERT_GT(X509_sign(cert.get(), key.get(), EVP_sha256()), 0);

    std::unique_ptr<BIO, decltype(&BIO_free)> cert_bio(BIO_new_file(cert_file.c_str(), "w"),
                                                       BIO_free);
    ASSERT_TRUE(cert_bio);
    ASSERT_EQ(PEM_write_bio_X509(cert_bio.get(), cert.get()), 1);
    std::unique_ptr<BIO, decltype(&BIO_free)> key_bio(BIO_new_file(key_file.c_str(), "w"),
                                                      BIO_free);
    ASSERT_TRUE(key_bio);
    ASSERT_EQ(
        PEM_write_bio_PrivateKey(key_bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr),
        1);
}

}  // namespace driftway::net::test
