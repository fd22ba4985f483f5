#pragma once
// A queue of storage jobs and the threads that drain it, each thread owning
// one connection. The writer is a worker with one thread; the readers share
// another worker's queue.
#include "sqlite/connection.hpp"

#include <condition_variable>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace driftway::store::sqlite {

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
    // Starts one thread per connection; name prefixes the thread names.
    worker(std::string name, std::vector<std::unique_ptr<connection>> connections);
    ~worker();
    worker(const worker&) = delete;
    worker& operator=(const worker&) = delete;

    // Queues a job. transactional jobs run inside BEGIN IMMEDIATE … COMMIT.
    // After close() the job is completed at once with a 503 error.
    void push(std::unique_ptr<job> j, bool transactional);

    // Lets the threads finish every queued job, joins them and closes the
    // connections. Idempotent.
    void close();

private:
    struct entry {
        std::unique_ptr<job> work;
        bool transactional = false;
    };

    void run(connection& c);
    static void run_in_transaction(connection& c, job& j);

    std::mutex mutex_;
    std::condition_variable ready_;
    std::deque<entry> queue_;  // guarded by mutex_
    bool closing_ = false;     // guarded by mutex_
    std::vector<std::unique_ptr<connection>> connections_;
    std::vector<std::thread> threads_;
    std::once_flag closed_;
};

}  // namespace driftway::store::sqlite
