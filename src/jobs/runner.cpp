#include "driftway/jobs/runner.hpp"

#include "driftway/core/clock.hpp"
#include "driftway/core/config.hpp"
#include "driftway/core/log.hpp"
#include "driftway/jobs/backoff.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <exception>
#include <random>

namespace driftway::jobs {

namespace asio = boost::asio;

namespace {

// Errors come from remote servers; a bounded prefix is enough to diagnose and
// keeps one bad endpoint from filling the table.
constexpr std::size_t max_error_bytes = 1000;

std::string bounded(std::string s) {
    if (s.size() > max_error_bytes) {
        s.resize(max_error_bytes);
        s += "…";
    }
    return s;
}

double uniform_unit() {
    thread_local std::mt19937_64 rng{std::random_device{}()};
    return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
}

}  // namespace

runner_options runner_options_from(const config& c) {
    runner_options o;
    o.max_attempts = c.jobs.max_attempts;
    o.backoff_base = std::chrono::milliseconds(c.jobs.backoff_base_ms);
    o.backoff_max = std::chrono::milliseconds(c.jobs.backoff_max_ms);
    o.poll_interval = std::chrono::milliseconds(c.jobs.poll_interval_ms);
    return o;
}

runner::runner(asio::any_io_executor ex, store::job_repository& jobs, runner_options options)
    : jobs_(jobs),
      options_(std::move(options)),
      timer_(std::move(ex)),
      dead_letters_total_((options_.metrics ? *options_.metrics : metrics::global())
                              .get_counter("jobs_dead_letters_total",
                                           "Jobs moved to the dead letters after their last try")) {
    if (!options_.now_ms) options_.now_ms = [] { return clock::unix_ms(); };
    if (!options_.jitter) options_.jitter = uniform_unit;
    if (options_.max_attempts == 0) options_.max_attempts = 1;
    if (options_.batch == 0) options_.batch = 1;
}

void runner::add_handler(std::string kind, handler h) {
    handlers_.insert_or_assign(std::move(kind), std::move(h));
}

void runner::count(const std::string& kind, const char* verdict) {
    (options_.metrics ? *options_.metrics : metrics::global())
        .get_counter("jobs_runs_total", "Job attempts by kind and outcome",
                     {{"kind", kind}, {"outcome", verdict}})
        .inc();
}

asio::awaitable<std::size_t> runner::run_once() {
    const auto now = options_.now_ms();
    auto claimed = co_await jobs_.claim_due(now, now + options_.lease.count(),
                                            static_cast<int>(options_.batch));
    if (claimed.empty()) co_return 0;

    // Run the batch concurrently and wait for every job: the timer is a latch
    // that the last job to finish cancels. The executor runs one handler at a
    // time, so `left` needs no lock and the wait starts before any job ends.
    auto ex = co_await asio::this_coro::executor;
    asio::steady_timer all_done(ex, asio::steady_timer::time_point::max());
    std::size_t left = claimed.size();
    for (auto& j : claimed) {
        const auto id = j.id;
        asio::co_spawn(ex, run_job(std::move(j)), [&left, &all_done, id](std::exception_ptr e) {
            if (e) {
                try {
                    std::rethrow_exception(e);
                } catch (const std::exception& ex) {
                    // The verdict was not stored: the job runs again after
                    // its lease.
                    log::warn("job verdict not recorded", {{"job", id}, {"error", ex.what()}});
                }
            }
            if (--left == 0) all_done.cancel();
        });
    }
    while (left > 0) co_await all_done.async_wait(asio::as_tuple(asio::use_awaitable));
    co_return claimed.size();
}

asio::awaitable<void> runner::run_job(store::job j) {
    outcome verdict;
    if (const auto it = handlers_.find(j.kind); it == handlers_.end()) {
        // Another node (a newer build) may know the kind; retry like any failure.
        verdict = outcome::failure("no handler for job kind '" + j.kind + "'");
    } else {
        try {
            verdict = co_await it->second(j);
        } catch (const std::exception& e) {
            verdict = outcome::failure(e.what());
        }
    }

    const auto now = options_.now_ms();
    if (verdict.ok) {
        // False: the lease ran out and another claim owns the job now.
        if (co_await jobs_.complete(j.id, j.attempts)) count(j.kind, "success");
        co_return;
    }
    auto error = bounded(verdict.error.empty() ? std::string("failed") : verdict.error);
    if (verdict.permanent || j.attempts >= static_cast<int>(options_.max_attempts)) {
        if (co_await jobs_.bury(j.id, j.attempts, error, now)) {
            dead_letters_total_.inc();
            count(j.kind, "dead_letter");
            log::warn(
                "job dead-lettered",
                {{"job", j.id}, {"kind", j.kind}, {"attempts", j.attempts}, {"error", error}});
        }
        co_return;
    }
    const auto delay =
        backoff_delay(j.attempts, options_.backoff_base, options_.backoff_max, options_.jitter());
    if (!co_await jobs_.retry_later(j.id, j.attempts, now + delay.count(), error)) co_return;
    log::info("job failed; will retry", {{"job", j.id},
                                         {"kind", j.kind},
                                         {"attempt", j.attempts},
                                         {"retry_in_ms", delay.count()},
                                         {"error", error}});
    count(j.kind, "retry");
}

asio::awaitable<void> runner::run() {
    while (!stopping_) {
        std::size_t n = 0;
        try {
            n = co_await run_once();
        } catch (const std::exception& e) {
            log::warn("claiming jobs failed", {{"error", e.what()}});
        }
        if (stopping_) break;
        if (n >= options_.batch) continue;  // more may be due already
        timer_.expires_after(options_.poll_interval);
        co_await timer_.async_wait(asio::as_tuple(asio::use_awaitable));
    }
}

void runner::stop() {
    stopping_ = true;
    asio::post(timer_.get_executor(), [this] { timer_.cancel(); });
}

}  // namespace driftway::jobs
