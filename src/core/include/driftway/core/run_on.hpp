#pragma once
// Hands blocking or CPU-heavy work to another executor (the storage threads,
// the password-hashing pool) and resumes the awaiting coroutine on its own
// executor afterwards, so shard threads never block. Exceptions thrown by fn
// are rethrown in the awaiting coroutine.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <type_traits>
#include <utility>

namespace driftway {

namespace asio = boost::asio;

template <class Executor, class Fn>
asio::awaitable<std::invoke_result_t<Fn&>> run_on(Executor ex, Fn fn) {
    using R = std::invoke_result_t<Fn&>;
    co_return co_await asio::co_spawn(
        ex, [f = std::move(fn)]() mutable -> asio::awaitable<R> { co_return f(); },
        asio::use_awaitable);
}

}  // namespace driftway
