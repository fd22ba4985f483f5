#pragma once
// Where the HTTP session hands an accepted upgrade over, after it has written
// the 101 response. The HTTP session ends right after: its buffers and parser
// go with it, and an open WebSocket keeps only what these functions build.
#include "route.hpp"
#include "shard.hpp"

#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <memory>
#include <span>
#include <string>

namespace driftway::net::ws::detail {

using tls_stream = boost::beast::ssl_stream<boost::beast::tcp_stream>;

// Both run on sh's thread and call h's on_open before returning. `initial`
// holds bytes the client sent after its request header, if any.
void start_plain(net::detail::shard& sh, const route& r, std::unique_ptr<handler> h,
                 net::detail::tcp::socket socket, std::string remote_ip,
                 std::span<const char> initial);

// The stream keeps using ctx's SSL_CTX, which therefore lives as long.
void start_tls(net::detail::shard& sh, const route& r, std::unique_ptr<handler> h,
               tls_stream stream, std::shared_ptr<boost::asio::ssl::context> ctx,
               std::string remote_ip, std::span<const char> initial);

}  // namespace driftway::net::ws::detail
