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
#include "common/storage_jobs.hpp"
#include "postgres/connection.hpp"
#include "postgres/worker.hpp"

#include <boost/asio/awaitable.hpp>

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace driftway::store::postgres {

namespace asio = boost::asio;

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
        return common::submit<job, connection>(w, how, std::move(fn));
    }

    worker writer_;
    std::unique_ptr<worker> readers_;
};

}  // namespace driftway::store::postgres
