#pragma once
// Listening sockets. Every shard binds its own socket to the same address
// with SO_REUSEPORT, and the kernel spreads incoming connections over them.
#include "shard.hpp"

#include <boost/asio/awaitable.hpp>

#include <functional>

namespace driftway::net::detail {

// Throws std::runtime_error naming the address when it cannot be bound.
tcp::acceptor open_listener(asio::io_context& ioc, const tcp::endpoint& endpoint);

// Resolves a configured host ("127.0.0.1", "::", "localhost") to an address.
asio::ip::address resolve_host(const std::string& host);

// Accepts until the acceptor is closed; each socket goes to on_accept on the
// shard's thread.
asio::awaitable<void> accept_loop(shard& sh, tcp::acceptor& acceptor,
                                  std::function<void(tcp::socket)> on_accept);

}  // namespace driftway::net::detail
