#pragma once
// How a coroutine hands a function to a storage thread and awaits its
// result, shared by the SQLite and PostgreSQL executors: the function is
// wrapped in a job of the backend's worker, runs there on a connection, and
// its value (or exception) is posted back to the awaiting coroutine's own
// executor. Each backend supplies its Job base (execute, failed, fail,
// complete), its Connection and its Worker (push(job, mode)).
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <exception>
#include <memory>
#include <type_traits>
#include <utility>
#include <variant>

namespace driftway::store::common {

namespace asio = boost::asio;

// What a job's function returns, with void carried as monostate.
template <class Connection, class Fn>
using job_value_t = std::conditional_t<std::is_void_v<std::invoke_result_t<Fn&, Connection&>>,
                                       std::monostate, std::invoke_result_t<Fn&, Connection&>>;

// The value or the exception a job ended with, carried from the storage
// thread to the awaiting coroutine.
template <class T>
using outcome = std::variant<std::exception_ptr, T>;

template <class Job, class Connection, class Fn, class Handler>
class job_impl final : public Job {
public:
    using value_type = job_value_t<Connection, Fn>;

    job_impl(Fn fn, Handler handler)
        : fn_(std::move(fn)),
          handler_(std::move(handler)),
          work_(asio::make_work_guard(handler_)) {}

    void execute(Connection& c) noexcept override {
        try {
            if constexpr (std::is_void_v<std::invoke_result_t<Fn&, Connection&>>) {
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

// Queues fn on worker w (in mode how) and resumes with its value, or
// rethrows what it threw, on the awaiting coroutine's executor.
template <class Job, class Connection, class Worker, class Mode, class Fn>
asio::awaitable<std::invoke_result_t<Fn&, Connection&>> submit(Worker& w, Mode how, Fn fn) {
    using value_type = job_value_t<Connection, Fn>;
    auto out =
        co_await asio::async_initiate<const asio::use_awaitable_t<>&, void(outcome<value_type>)>(
            [&w, how](auto handler, Fn f) {
                using job_type = job_impl<Job, Connection, Fn, decltype(handler)>;
                w.push(std::make_unique<job_type>(std::move(f), std::move(handler)), how);
            },
            asio::use_awaitable, std::move(fn));
    if (out.index() == 0) std::rethrow_exception(std::get<0>(out));
    if constexpr (!std::is_same_v<value_type, std::monostate>) {
        co_return std::get<1>(std::move(out));
    }
}

}  // namespace driftway::store::common
