#include "listener.hpp"

#include "driftway/core/log.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <stdexcept>

#include <sys/socket.h>

namespace driftway::net::detail {

namespace {
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
using reuse_port = asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;
// Out of file descriptors: accepting again at once would spin.
constexpr std::chrono::milliseconds accept_backoff{100};

std::string describe(const tcp::endpoint& ep) {
    const auto a = ep.address();
    return (a.is_v6() ? "[" + a.to_string() + "]" : a.to_string()) + ":" +
           std::to_string(ep.port());
}
}  // namespace

asio::ip::address resolve_host(const std::string& host) {
    boost::system::error_code ec;
    auto address = asio::ip::make_address(host, ec);
    if (!ec) return address;
    asio::io_context ioc;
    tcp::resolver resolver(ioc);
    const auto results = resolver.resolve(host, "", ec);
    if (ec || results.empty()) {
        throw std::runtime_error("cannot resolve listen host " + host + ": " +
                                 (ec ? ec.message() : "no address"));
    }
    return results.begin()->endpoint().address();
}

tcp::acceptor open_listener(asio::io_context& ioc, const tcp::endpoint& endpoint) {
    tcp::acceptor acceptor(ioc);
    boost::system::error_code ec;
    auto fail = [&](const char* step) {
        throw std::runtime_error(std::string("cannot listen on ") + describe(endpoint) + " (" +
                                 step + "): " + ec.message());
    };
    if (acceptor.open(endpoint.protocol(), ec); ec) fail("open");
    if (acceptor.set_option(tcp::acceptor::reuse_address(true), ec); ec) fail("SO_REUSEADDR");
    if (acceptor.set_option(reuse_port(true), ec); ec) fail("SO_REUSEPORT");
    if (acceptor.bind(endpoint, ec); ec) fail("bind");
    if (acceptor.listen(asio::socket_base::max_listen_connections, ec); ec) fail("listen");
    return acceptor;
}

asio::awaitable<void> accept_loop(shard& sh, tcp::acceptor& acceptor,
                                  std::function<void(tcp::socket)> on_accept) {
    for (;;) {
        auto [ec, socket] = co_await acceptor.async_accept(use_tuple);
        if (sh.stopping || ec == asio::error::operation_aborted) co_return;
        if (ec) {
            log::warn("accept failed", {{"error", ec.message()}});
            if (ec == asio::error::no_descriptors || ec == asio::error::no_buffer_space ||
                ec == asio::error::no_memory) {
                asio::steady_timer pause(acceptor.get_executor(), accept_backoff);
                co_await pause.async_wait(use_tuple);
            }
            continue;
        }
        boost::system::error_code opt_ec;
        // Responses go out in one write; Nagle would only delay the next one.
        socket.set_option(tcp::no_delay(true), opt_ec);
        on_accept(std::move(socket));
    }
}

}  // namespace driftway::net::detail
