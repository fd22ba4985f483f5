#pragma once
// A queue of storage jobs and the threads that drain it, each thread owning
// one libpq connection (the pool). The writer is a worker with one thread;
// the readers share another worker's queue. A thread whose connection was
// lost reconnects before its next job, with backoff: while the database stays
// away, jobs fail at once with 503 database_unavailable instead of piling up.
#include "postgres/connection.hpp"

#include <chrono>
#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <vector>

namespace driftway::store::postgres {

// One unit of work from a coroutine: run on a storage thread, then completed
// (its outcome posted to the awaiting coroutine's executor).
class job {
public:
    virtual ~job() = default;
    // Runs the job's function; exceptions are captured into the outcome.
    virtual void execute(connection& c) noexcept = 0;
    virtual bool failed() const noexcept = 0;
    // Replaces the outcome, e.g. when COMMIT fails after the function ran.
    virtual void fail(std::exception_ptr e) noexcept = 0;
    // Called exactly once, after execute() or instead of it.
    virtual void complete() = 0;
};

class worker {
public:
    // Runs on the connection inside each transaction, after its jobs and
    // before COMMIT (both modes); throwing fails the transaction's jobs.
    using commit_hook = std::function<void(connection&)>;

    // Starts one thread per connection; name prefixes the thread names.
    worker(std::string name, std::vector<std::unique_ptr<connection>> connections,
           commit_hook before_commit = {});
    ~worker();
    worker(const worker&) = delete;
    worker& operator=(const worker&) = delete;

    enum class mode {
        plain,        // run as is (reads)
        transaction,  // alone inside BEGIN … COMMIT
        // With every other grouped job waiting in the queue, in one shared
        // transaction: one COMMIT (one fsync) makes the whole group durable.
        // First pipelined without savepoints; if any job fails, rolled back
        // and run again with each job in its own SAVEPOINT, so a job's
        // function may run twice and must not consume what it captured.
        // For small, hot, independent writes.
        grouped,
    };

    // Queues a job. After close() the job is completed at once with a 503 error.
    void push(std::unique_ptr<job> j, mode m);

    // Lets the threads finish every queued job, joins them and closes the
    // connections. Idempotent.
    void close();

private:
    struct entry {
        std::unique_ptr<job> work;
        mode how = mode::plain;
    };

    // Jobs of one group transaction: enough to amortize the fsync, few
    // enough that the first of them does not wait long for the last.
    static constexpr std::size_t max_group = 512;
    // Jobs sent between two sync points of a pipelined group: their answers
    // (a few hundred bytes each) stay well within the socket buffers, so the
    // server never blocks writing answers that the writer does not read yet.
    static constexpr std::size_t pipeline_chunk = 64;

    void run(connection& c);
    // Reconnects a lost connection, at most once per backoff interval
    // (doubling from 50 ms to 5 s while attempts fail). False when c is still
    // unusable; the job is then failed with 503 database_unavailable.
    bool usable(connection& c, std::chrono::milliseconds& backoff,
                std::chrono::steady_clock::time_point& next_attempt);
    // Moves the grouped jobs waiting in the queue into group, up to max_group.
    void take_grouped(std::vector<entry>& group);  // mutex_ held
    void run_in_transaction(connection& c, job& j);
    // Runs a group: pipelined first, with savepoints if that failed.
    void run_group(connection& c, std::span<entry> group);
    // False when the group must be run again with savepoints (nothing of it
    // was committed).
    bool run_pipelined(connection& c, std::span<entry> group);
    void run_with_savepoints(connection& c, std::span<entry> group);

    std::mutex mutex_;
    std::condition_variable ready_;
    std::deque<entry> queue_;  // guarded by mutex_
    bool closing_ = false;     // guarded by mutex_
    commit_hook before_commit_;
    std::vector<std::unique_ptr<connection>> connections_;
    std::vector<std::thread> threads_;
    std::once_flag closed_;
};

}  // namespace driftway::store::postgres
