#pragma once
// Runs a coroutine to completion on an io_context from a synchronous test,
// with a deadline so that a lost completion fails the test instead of hanging.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <chrono>
#include <future>
#include <stdexcept>

namespace driftway::store::testing {

template <class T>
T run_sync(boost::asio::io_context& io, boost::asio::awaitable<T> task,
           std::chrono::steady_clock::duration timeout = std::chrono::seconds(30)) {
    auto done = boost::asio::co_spawn(io, std::move(task), boost::asio::use_future);
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    io.restart();
    while (done.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
        const auto now = std::chrono::steady_clock::now();
        if (now >= deadline) throw std::runtime_error("run_sync: the coroutine did not finish");
        io.run_one_for(deadline - now);
    }
    return done.get();
}

}  // namespace driftway::store::testing
