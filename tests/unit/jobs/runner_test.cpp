// The runner against a real (in-memory SQLite) outbox, a fake clock and fake
// handlers: retries with growing delays, dead letters after the last try,
// replay, and the poll loop.
#include "driftway/jobs/runner.hpp"

#include "driftway/store/backend.hpp"
#include "run_sync.hpp"

#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <stdexcept>

namespace driftway::jobs {
namespace {

namespace asio = boost::asio;
using store::testing::run_sync;

constexpr std::int64_t t0 = 1'750'000'000'000;

class runner_test : public ::testing::Test {
protected:
    void SetUp() override {
        db_ = store::make_sqlite({.path = ":memory:", .read_threads = 0, .migrate = true});
    }
    void TearDown() override { db_->close(); }

    runner_options options(unsigned max_attempts) {
        return {.max_attempts = max_attempts,
                .backoff_base = std::chrono::milliseconds(1000),
                .backoff_max = std::chrono::milliseconds(600000),
                .poll_interval = std::chrono::milliseconds(10),
                .lease = std::chrono::milliseconds(60000),
                .batch = 16,
                .now_ms = [this] { return now_; },
                // The full exponential delay, so that the schedule is exact.
                .jitter = [] { return 1.0; },
                .metrics = &metrics_};
    }

    void enqueue(store::id_t id, std::string kind, std::int64_t run_at) {
        run(db_->jobs().enqueue({.id = id,
                                 .kind = std::move(kind),
                                 .payload = "{}",
                                 .run_at = run_at,
                                 .created_at = t0}));
    }

    template <class T>
    T run(asio::awaitable<T> task) {
        return run_sync(io_, std::move(task));
    }

    std::uint64_t runs(const std::string& kind, const std::string& outcome) {
        return metrics_.get_counter("jobs_runs_total", "", {{"kind", kind}, {"outcome", outcome}})
            .value();
    }

    asio::io_context io_;
    std::unique_ptr<store::backend> db_;
    metrics::registry metrics_;
    std::int64_t now_ = t0;
};

TEST_F(runner_test, failures_retry_with_growing_delays_then_dead_letter_with_the_error) {
    runner r(io_.get_executor(), db_->jobs(), options(4));
    std::vector<int> attempts_seen;
    r.add_handler("flaky", [&](const store::job& j) -> asio::awaitable<outcome> {
        attempts_seen.push_back(j.attempts);
        co_return outcome::failure("boom " + std::to_string(j.attempts));
    });
    enqueue(1, "flaky", t0);

    // Attempts 1..3 fail and are rescheduled 1 s, 2 s, 4 s later.
    std::int64_t expected_run_at = t0;
    for (int attempt = 1; attempt <= 3; ++attempt) {
        now_ = expected_run_at - 1;
        EXPECT_EQ(run(r.run_once()), 0u) << "not due before its time";
        now_ = expected_run_at;
        ASSERT_EQ(run(r.run_once()), 1u);
        const auto waiting = run(db_->jobs().find(1));
        ASSERT_TRUE(waiting.has_value());
        expected_run_at = now_ + (1000LL << (attempt - 1));
        EXPECT_EQ(waiting->run_at, expected_run_at) << "after attempt " << attempt;
        EXPECT_EQ(waiting->last_error, "boom " + std::to_string(attempt));
        EXPECT_EQ(waiting->claimed_until, 0);
        EXPECT_TRUE(run(db_->jobs().dead_letters(0, 10)).empty());
    }

    // The fourth and last attempt fails: dead letter.
    now_ = expected_run_at;
    ASSERT_EQ(run(r.run_once()), 1u);
    EXPECT_FALSE(run(db_->jobs().find(1)).has_value());
    const auto dead = run(db_->jobs().dead_letters(0, 10));
    ASSERT_EQ(dead.size(), 1u);
    EXPECT_EQ(dead[0].id, 1u);
    EXPECT_EQ(dead[0].attempts, 4);
    EXPECT_EQ(dead[0].last_error, "boom 4");
    EXPECT_EQ(dead[0].failed_at, now_);
    EXPECT_EQ(attempts_seen, (std::vector<int>{1, 2, 3, 4}));

    EXPECT_EQ(runs("flaky", "retry"), 3u);
    EXPECT_EQ(runs("flaky", "dead_letter"), 1u);
    EXPECT_EQ(runs("flaky", "success"), 0u);
    EXPECT_EQ(metrics_.get_counter("jobs_dead_letters_total", "").value(), 1u);

    // Nothing runs any more, however late it gets.
    now_ += 24LL * 3600 * 1000;
    EXPECT_EQ(run(r.run_once()), 0u);
}

TEST_F(runner_test, a_replayed_dead_letter_runs_again_from_attempt_one) {
    runner r(io_.get_executor(), db_->jobs(), options(2));
    bool healthy = false;
    std::vector<int> attempts_seen;
    r.add_handler("hook", [&](const store::job& j) -> asio::awaitable<outcome> {
        attempts_seen.push_back(j.attempts);
        co_return healthy ? outcome::success() : outcome::failure("down");
    });
    enqueue(5, "hook", t0);
    ASSERT_EQ(run(r.run_once()), 1u);
    now_ += 1000;
    ASSERT_EQ(run(r.run_once()), 1u);
    ASSERT_EQ(run(db_->jobs().dead_letters(0, 10)).size(), 1u);

    healthy = true;
    ASSERT_TRUE(run(db_->jobs().replay(5, now_)));
    ASSERT_EQ(run(r.run_once()), 1u);
    EXPECT_EQ(attempts_seen, (std::vector<int>{1, 2, 1}));
    EXPECT_FALSE(run(db_->jobs().find(5)).has_value());
    EXPECT_TRUE(run(db_->jobs().dead_letters(0, 10)).empty());
    EXPECT_EQ(runs("hook", "success"), 1u);
}

TEST_F(runner_test, a_permanent_failure_is_dead_lettered_at_once) {
    runner r(io_.get_executor(), db_->jobs(), options(8));
    r.add_handler("bad", [](const store::job&) -> asio::awaitable<outcome> {
        co_return outcome::fatal("payload is not a JSON object");
    });
    enqueue(1, "bad", t0);
    ASSERT_EQ(run(r.run_once()), 1u);
    const auto dead = run(db_->jobs().dead_letters(0, 10));
    ASSERT_EQ(dead.size(), 1u);
    EXPECT_EQ(dead[0].attempts, 1);
    EXPECT_EQ(dead[0].last_error, "payload is not a JSON object");
}

TEST_F(runner_test, exceptions_and_unknown_kinds_are_failures_that_retry) {
    runner r(io_.get_executor(), db_->jobs(), options(8));
    r.add_handler("throws", [](const store::job&) -> asio::awaitable<outcome> {
        throw std::runtime_error("handler blew up");
        co_return outcome::success();
    });
    enqueue(1, "throws", t0);
    enqueue(2, "nobody_handles_this", t0);
    ASSERT_EQ(run(r.run_once()), 2u);

    const auto thrown = run(db_->jobs().find(1));
    ASSERT_TRUE(thrown.has_value());
    EXPECT_EQ(thrown->last_error, "handler blew up");
    EXPECT_EQ(thrown->run_at, t0 + 1000);
    const auto unknown = run(db_->jobs().find(2));
    ASSERT_TRUE(unknown.has_value());
    EXPECT_EQ(unknown->last_error, "no handler for job kind 'nobody_handles_this'");
    EXPECT_EQ(unknown->run_at, t0 + 1000);
}

TEST_F(runner_test, a_batch_runs_concurrently) {
    runner r(io_.get_executor(), db_->jobs(), options(8));
    // Each job waits until both have started: run one after the other, the
    // first would wait forever (and the deadline of run() would fail).
    int started = 0;
    asio::steady_timer both(io_, asio::steady_timer::time_point::max());
    r.add_handler("pair", [&](const store::job&) -> asio::awaitable<outcome> {
        if (++started == 2) {
            both.cancel();
        } else {
            co_await both.async_wait(asio::as_tuple(asio::use_awaitable));
        }
        co_return outcome::success();
    });
    enqueue(1, "pair", t0);
    enqueue(2, "pair", t0);
    EXPECT_EQ(run_sync(io_, r.run_once(), std::chrono::seconds(5)), 2u);
    EXPECT_EQ(runs("pair", "success"), 2u);
}

TEST_F(runner_test, run_polls_until_stopped) {
    auto o = options(8);
    o.now_ms = nullptr;  // the real clock: the loop waits on real timers
    runner r(io_.get_executor(), db_->jobs(), o);
    int ran = 0;
    r.add_handler("once", [&](const store::job&) -> asio::awaitable<outcome> {
        if (++ran == 2) r.stop();
        co_return outcome::success();
    });
    bool finished = false;
    asio::co_spawn(io_, r.run(), [&](std::exception_ptr e) {
        EXPECT_FALSE(e);
        finished = true;
    });
    // The first job is there at start; the second arrives while the loop
    // sleeps between polls and is found by a later poll.
    auto run_until = [&](auto done) {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (!done() && std::chrono::steady_clock::now() < deadline)
            io_.run_one_for(std::chrono::milliseconds(100));
        return done();
    };
    enqueue(1, "once", 0);
    ASSERT_TRUE(run_until([&] { return ran == 1; }));
    enqueue(2, "once", 0);
    EXPECT_TRUE(run_until([&] { return finished; }));
    EXPECT_EQ(ran, 2);
}

}  // namespace
}  // namespace driftway::jobs
