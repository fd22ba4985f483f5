#pragma once
// The storage threads. One writer thread owns the only read-write connection
// and runs every write in its own transaction (or, for write_grouped(), in one
// shared with the other grouped writes waiting); reader threads each own a
// read-only connection (WAL lets them read while the writer commits). A
// repository hands a function of `connection&` to read() or write() and
// co_awaits it: the function runs on a storage thread and the coroutine
// resumes on its own executor, so shard threads never block on SQLite.
//
//     auto n = co_await exec.read([&](connection& c) { ... return c.prepare(sql)...; });
//
// The function may capture the coroutine's locals by reference: the coroutine
// stays suspended until the function has run.
#include "common/storage_jobs.hpp"
#include "sqlite/connection.hpp"
#include "sqlite/worker.hpp"

#include <boost/asio/awaitable.hpp>

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace driftway::store::sqlite {

namespace asio = boost::asio;

class executor {
public:
    // Takes the writer connection and one read-only connection per reader
    // thread. With no readers (":memory:", whose database exists only on the
    // writer's connection) reads are served by the writer thread, in order.
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

    // Runs fn(connection&) on the writer inside BEGIN IMMEDIATE … COMMIT.
    // Throwing rolls the transaction back; returning (even an error value)
    // commits. The coroutine resumes only after COMMIT returned, so what it
    // wrote is durable (synchronous=FULL) by then.
    template <class Fn>
    asio::awaitable<std::invoke_result_t<Fn&, connection&>> write(Fn fn) {
        return submit(writer_, worker::mode::transaction, std::move(fn));
    }

    // Like write(), but committed together with the other grouped writes
    // waiting for the writer (group commit), each inside its own SAVEPOINT:
    // throwing undoes only this function's changes, while a failed COMMIT
    // fails every write of the group. For the hot, small writes (message
    // creates) whose per-commit fsync would otherwise bound throughput.
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
        return common::submit<job, connection>(w, how, std::move(fn));
    }

    worker writer_;
    std::unique_ptr<worker> readers_;
};

}  // namespace driftway::store::sqlite
