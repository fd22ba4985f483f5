#pragma once
// Runs one coroutine to completion on a private io_context and returns its
// value (or rethrows its exception). For start-up and command-line tools
// only: never call it on a shard thread.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <exception>
#include <optional>

namespace driftway {

template <class T>
T block_on(boost::asio::awaitable<T> task) {
    boost::asio::io_context io;
    std::optional<T> out;
    std::exception_ptr failure;
    boost::asio::co_spawn(io, std::move(task), [&](std::exception_ptr e, T value) {
        failure = e;
        if (!e) out = std::move(value);
    });
    io.run();
    if (failure) std::rethrow_exception(failure);
    return std::move(*out);
}

}  // namespace driftway
