#pragma once
// The job runner: one per node. It claims due jobs from the outbox
// (store::job_repository), runs the handler registered for each job's kind,
// and records the verdict: success deletes the job; a failure is retried
// after an exponential backoff with jitter (backoff.hpp) until max_attempts,
// then the job moves to the dead letters with its last error, where an
// operator lists, replays or deletes it (`driftway admin dead-letters`).
//
// Delivery is at least once: a node that dies mid-job leaves it claimed until
// its lease ends, and another node (or this one, restarted) runs it again.
// Handlers must therefore tolerate repeats (webhook receivers get the job id).
//
// Threads: every member function except stop() runs on the runner's
// executor, which must not run handlers in parallel (an io_context run by one
// thread, or a strand).
#include "driftway/core/metrics.hpp"
#include "driftway/store/job_repository.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>

namespace driftway {
struct config;
}

namespace driftway::jobs {

// What a handler says about one attempt.
struct outcome {
    bool ok = false;
    // Set on failure: recorded as the job's last_error (and the dead
    // letter's, after the last attempt).
    std::string error;
    // A failure that no retry can fix (a malformed payload): dead-lettered at
    // once instead of retried.
    bool permanent = false;

    static outcome success() { return {true, {}, false}; }
    static outcome failure(std::string why) { return {false, std::move(why), false}; }
    static outcome fatal(std::string why) { return {false, std::move(why), true}; }
};

// Runs one attempt of a job. An exception counts as a failure with its
// message. The handler owns its own timeout; it should end well within the
// runner's lease.
using handler = std::function<boost::asio::awaitable<outcome>(const store::job&)>;

struct runner_options {
    unsigned max_attempts = 8;
    std::chrono::milliseconds backoff_base{1000};
    std::chrono::milliseconds backoff_max{600000};
    std::chrono::milliseconds poll_interval{500};
    // How long a claim is held; a job still running after it may start again
    // elsewhere.
    std::chrono::milliseconds lease{60000};
    unsigned batch = 16;  // jobs claimed (and run concurrently) per poll
    // Injected for tests: wall-clock Unix ms (default clock::unix_ms) and a
    // random number in [0, 1) for the backoff jitter (default: uniform).
    std::function<std::int64_t()> now_ms;
    std::function<double()> jitter;
    metrics::registry* metrics = nullptr;  // default metrics::global()
};

// [jobs] settings of the config.
runner_options runner_options_from(const config& c);

class runner {
public:
    runner(boost::asio::any_io_executor ex, store::job_repository& jobs, runner_options options);
    runner(const runner&) = delete;
    runner& operator=(const runner&) = delete;

    // Registers the handler of a job kind; call before run().
    void add_handler(std::string kind, handler h);

    // Claims the jobs due now (at most batch), runs them concurrently and
    // records each verdict; returns how many it claimed. Storage errors
    // propagate (the job stays claimed until its lease ends).
    boost::asio::awaitable<std::size_t> run_once();

    // Polls until stop(): run_once(), then waits poll_interval (at once
    // again when the batch was full). Storage errors are logged, not fatal.
    boost::asio::awaitable<void> run();

    // Asks run() to return after the jobs in hand; any thread.
    void stop();

private:
    boost::asio::awaitable<void> run_job(store::job j);
    void count(const std::string& kind, const char* verdict);

    store::job_repository& jobs_;
    runner_options options_;
    std::map<std::string, handler, std::less<>> handlers_;
    boost::asio::steady_timer timer_;
    std::atomic<bool> stopping_{false};
    metrics::counter& dead_letters_total_;
};

}  // namespace driftway::jobs
