#pragma once
// One accepted connection served to its end. These are the only functions that
// co_await Beast operations; everything else in the server reaches them
// through these declarations, so Beast's async machinery is compiled once.
#include "shard.hpp"
#include "ws/route.hpp"

#include "driftway/net/pipeline.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace driftway::net::detail {

// Fixed at start(); shared read-only by every session of every shard.
struct session_config {
    pipeline* app = nullptr;
    std::size_t max_body_bytes = 1 << 20;
    std::size_t max_upload_bytes = 25 << 20;
    std::size_t max_header_bytes = 16 << 10;
    std::vector<std::string> upload_path_prefixes;
    std::chrono::steady_clock::duration idle_timeout = std::chrono::seconds(60);
    std::chrono::steady_clock::duration request_timeout = std::chrono::seconds(30);
    std::uint16_t https_port = 443;  // where the redirect listener points
    std::vector<ws::detail::route> websockets;

    const ws::detail::route* find_websocket(std::string_view path) const noexcept {
        for (const auto& r : websockets) {
            if (r.path == path) return &r;
        }
        return nullptr;
    }
};

// Plain HTTP/1.1 with keep-alive, each request through cfg.app.
asio::awaitable<void> serve_http(shard& sh, const session_config& cfg, tcp::socket socket);

// The same after a TLS handshake with ctx, which the session keeps alive.
asio::awaitable<void> serve_https(shard& sh, const session_config& cfg, tcp::socket socket,
                                  std::shared_ptr<asio::ssl::context> ctx);

// Plain HTTP answering every request with a 308 to the HTTPS listener.
asio::awaitable<void> serve_redirect(shard& sh, const session_config& cfg, tcp::socket socket);

}  // namespace driftway::net::detail
