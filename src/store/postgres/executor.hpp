#pragma once
// The storage threads of the PostgreSQL backend. One writer thread owns the
// writer connection and runs every write in its own transaction (or, for
// write_grouped(), in one shared with the other grouped writes waiting), so
// this process's writes are serialized as in the SQLite backend and its
// check-then-write transactions keep their meaning; reader threads each own a
// connection of the pool and read what has been committed. A
// repository hands a function of `connection&` to read() or write() and
// co_awaits it: the function runs on a storage thread and the coroutine
// resumes on its own executor, so shard threads never block on libpq.
//
//     auto n = co_await exec.read([&](connection& c) { ... return c.prepare(sql)...; });
//
// The function may capture the coroutine's locals by reference: the coroutine
// stays suspended until the function has run.
#include "postgres/connection.hpp"
#include "postgres/worker.hpp"

#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <exception>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace driftway::store::postgres {

namespace asio = boost::asio;

namespace detail {

// What a job's function returns, with void carried as monostate.
template <class Fn>
using job_value_t = std::conditional_t<std::is_void_v<std::invoke_result_t<Fn&, connection&>>,
                                       std::monostate, std::invoke_result_t<Fn&, connection&>>;

// The value or the exception a job ended with, carried from the storage
// thread to the awaiting coroutine.
template <class T>
using outcome = std::variant<std::exception_ptr, T>;

template <class Fn, class Handler>
class job_impl final : public job {
public:
    using value_type = job_value_t<Fn>;

    job_impl(Fn fn, Handler handler)
        : fn_(std::move(fn)),
          handler_(std::move(handler)),
          work_(asio::make_work_guard(handler_)) {}

    void execute(connection& c) noexcept override {
        try {
            if constexpr (std::is_void_v<std::invoke_result_t<Fn&, connection&>>) {
                fn_(c);
                outcome_.template emplace<1>();
            } else {
                outcome_.template emplace<1>(fn_(c));
            }
        } catch (...) {
            outcome_.template emplace<0>(std::current_exception());
        }
    }

    bool failed() const noexcept override { return outcome_.index() == 0; }

    void fail(std::exception_ptr e) noexcept override {
        outcome_.template emplace<0>(std::move(e));
    }

    void complete() override {
        // The work guard travels with the completion and is released on the
        // awaiting context's own thread: released here, on the storage
        // thread, it could touch an io_context that has already finished
        // and been destroyed. The untracked executor is safe to drop here.
        auto ex = asio::get_associated_executor(handler_);
        asio::post(ex,
                   [handler = std::move(handler_), result = std::move(outcome_),
                    work = std::move(work_)]() mutable { std::move(handler)(std::move(result)); });
    }

private:
    Fn fn_;
    Handler handler_;
    // Keeps the awaiting coroutine's execution context running while the job
    // is queued or running on a storage thread.
    decltype(asio::make_work_guard(std::declval<Handler&>())) work_;
    outcome<value_type> outcome_{std::in_place_index<0>};
};

}  // namespace detail

class executor {
public:
    // Takes the writer connection and one connection per reader thread.
    // With no readers, reads are served by the writer thread, in order.
    // before_commit runs on the writer before every COMMIT (see worker).
    executor(std::unique_ptr<connection> writer, std::vector<std::unique_ptr<connection>> readers,
             worker::commit_hook before_commit = {});
    ~executor();
    executor(const executor&) = delete;
    executor& operator=(const executor&) = delete;

    // Runs fn(connection&) on a reader, outside any explicit transaction.
    template <class Fn>
    asio::awaitable<std::invoke_result_t<Fn&, connection&>> read(Fn fn) {
        return submit(readers_ ? *readers_ : writer_, worker::mode::plain, std::move(fn));
    }

    // Runs fn(connection&) on the writer inside BEGIN … COMMIT. Throwing
    // rolls the transaction back; returning (even an error value) commits.
    // The coroutine resumes only after COMMIT returned, so what it wrote is
    // durable by then.
    template <class Fn>
    asio::awaitable<std::invoke_result_t<Fn&, connection&>> write(Fn fn) {
        return submit(writer_, worker::mode::transaction, std::move(fn));
    }

    // Like write(), but committed together with the other grouped writes
    // waiting for the writer (group commit), each inside its own SAVEPOINT:
    // throwing undoes only this function's changes, while a failed COMMIT
    // fails every write of the group. For the hot, small writes (message
    // creates) whose per-commit fsync would otherwise bound throughput.
    // The group is first pipelined without savepoints (see worker::mode), so
    // fn may run twice and must not consume what it captured; to gain from
    // the pipeline it sends its statement with statement::send() when
    // c.pipelining() and returns a value that the answer fills in.
    template <class Fn>
    asio::awaitable<std::invoke_result_t<Fn&, connection&>> write_grouped(Fn fn) {
        return submit(writer_, worker::mode::grouped, std::move(fn));
    }

    // Runs the queued jobs, then stops the threads and closes the
    // connections. Later reads and writes fail with 503. Idempotent.
    void close();

private:
    template <class Fn>
    static asio::awaitable<std::invoke_result_t<Fn&, connection&>> submit(worker& w,
                                                                          worker::mode how, Fn fn) {
        using value_type = detail::job_value_t<Fn>;
        auto out = co_await asio::async_initiate<const asio::use_awaitable_t<>&,
                                                 void(detail::outcome<value_type>)>(
            [&w, how](auto handler, Fn f) {
                using job_type = detail::job_impl<Fn, decltype(handler)>;
                w.push(std::make_unique<job_type>(std::move(f), std::move(handler)), how);
            },
            asio::use_awaitable, std::move(fn));
        if (out.index() == 0) std::rethrow_exception(std::get<0>(out));
        if constexpr (!std::is_same_v<value_type, std::monostate>) {
            co_return std::get<1>(std::move(out));
        }
    }

    worker writer_;
    std::unique_ptr<worker> readers_;
};

}  // namespace driftway::store::postgres
