#include "store_fixture.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_future.hpp>

#include <atomic>
#include <exception>
#include <mutex>
#include <thread>

namespace driftway::store::testing {
namespace {

namespace asio = boost::asio;

class backend_test : public store_test {};
DRIFTWAY_STORE_SUITE(backend_test);

TEST_P(backend_test, fresh_database_is_at_the_latest_schema_version) {
    EXPECT_GE(db_->latest_schema_version(), 1);
    EXPECT_EQ(db_->schema_version(), db_->latest_schema_version());
}

TEST_P(backend_test, reopening_keeps_data_and_schema_version) {
    if (!GetParam().persistent) GTEST_SKIP() << "data does not outlive the backend";
    ASSERT_TRUE(run(db_->users().create(sample_user(101, "alice"), true)).has_value());
    instance_settings s;
    s.name = "Kept";
    s.owner_id = 101;
    run(db_->instance().put(s));
    const int version = db_->schema_version();

    reopen();
    EXPECT_EQ(db_->schema_version(), version);
    auto u = run(db_->users().by_login("alice"));
    ASSERT_TRUE(u.has_value());
    EXPECT_TRUE(u->owner);
    EXPECT_EQ(run(db_->instance().get()).name, "Kept");
    EXPECT_EQ(run(db_->users().count()), 1);
}

TEST_P(backend_test, ping_reports_a_round_trip) {
    const auto h = run(db_->ping());
    EXPECT_TRUE(h.ok) << h.detail;
    EXPECT_GT(h.latency_ms, 0.0);
}

TEST_P(backend_test, after_close_calls_fail_with_503_and_close_is_idempotent) {
    db_->close();
    db_->close();
    try {
        run(db_->users().by_id(1));
        FAIL() << "a read succeeded after close";
    } catch (const error_exception& e) {
        EXPECT_EQ(e.get().status, 503);
        EXPECT_EQ(e.get().code, "storage_unavailable");
    }
    auto created = run(db_->users().create(sample_user(1, "late"), true));
    ASSERT_FALSE(created.has_value());
    EXPECT_EQ(created.error().status, 503);
    const auto h = run(db_->ping());
    EXPECT_FALSE(h.ok);
}

TEST_P(backend_test, close_finishes_writes_already_queued) {
    constexpr int n = 20;
    std::vector<std::future<result<user>>> pending;
    for (int i = 0; i < n; ++i) {
        pending.push_back(asio::co_spawn(
            io_, db_->users().create(sample_user(100 + i, "user" + std::to_string(i)), false),
            asio::use_future));
    }
    // Starts every coroutine up to its hand-off to the writer, then closes
    // while those writes are queued or running.
    io_.poll();
    db_->close();
    io_.restart();
    io_.run();
    for (auto& p : pending) {
        ASSERT_EQ(p.wait_for(std::chrono::seconds(0)), std::future_status::ready);
        auto r = p.get();
        EXPECT_TRUE(r.has_value()) << r.error().code;
    }
    if (GetParam().persistent) {
        reopen();
        EXPECT_EQ(run(db_->users().count()), n);
    }
}

TEST_P(backend_test, a_call_resumes_on_the_callers_executor) {
    add_user(101, "alice");
    auto strand = asio::make_strand(io_);
    auto done = asio::co_spawn(
        strand,
        [&]() -> asio::awaitable<std::pair<bool, std::thread::id>> {
            co_await db_->users().by_id(101);
            co_await db_->users().touch(101, 1);
            co_return std::pair{strand.running_in_this_thread(), std::this_thread::get_id()};
        },
        asio::use_future);
    io_.restart();
    io_.run();
    const auto [on_strand, thread] = done.get();
    EXPECT_TRUE(on_strand);
    EXPECT_EQ(thread, std::this_thread::get_id());
}

TEST_P(backend_test, concurrent_calls_from_a_two_thread_io_context) {
    constexpr int users = 16;
    constexpr int readers = 12;
    constexpr int rounds = 25;
    for (int i = 0; i < users; ++i) add_user(100 + i, "user" + std::to_string(i));
    api_key k;
    k.id = 1;
    k.owner_id = 100;
    k.key_hash = "h1";
    run(db_->api_keys().insert(k));

    asio::io_context io(2);
    std::atomic<int> finished{0};
    std::mutex failures_mutex;
    std::vector<std::string> failures;
    auto on_done = [&](std::exception_ptr e) {
        if (e) {
            std::lock_guard lock(failures_mutex);
            try {
                std::rethrow_exception(e);
            } catch (const std::exception& ex) {
                failures.emplace_back(ex.what());
            }
        }
        ++finished;
    };
    auto& repo = *db_;
    for (int r = 0; r < readers; ++r) {
        asio::co_spawn(
            io,
            [&repo, r]() -> asio::awaitable<void> {
                for (int i = 0; i < rounds; ++i) {
                    const int n = (r + i) % users;
                    auto by_id = co_await repo.users().by_id(100 + static_cast<id_t>(n));
                    if (!by_id || by_id->username != "user" + std::to_string(n)) {
                        throw std::runtime_error("by_id returned the wrong user");
                    }
                    auto by_login = co_await repo.users().by_login("USER" + std::to_string(n));
                    if (!by_login || by_login->id != by_id->id) {
                        throw std::runtime_error("by_login returned the wrong user");
                    }
                    if ((co_await repo.api_keys().list_for(100)).size() != 1) {
                        throw std::runtime_error("list_for lost a key");
                    }
                    if (co_await repo.users().count() != users) {
                        throw std::runtime_error("count is wrong");
                    }
                }
            },
            on_done);
    }
    asio::co_spawn(
        io,
        [&repo]() -> asio::awaitable<void> {
            for (int i = 0; i < rounds; ++i) {
                co_await repo.users().touch(100, 1'800'000'000'000 + i);
                co_await repo.api_keys().touch(1, 1'800'000'000'000 + i);
            }
        },
        on_done);

    std::thread second([&] { io.run_for(std::chrono::seconds(60)); });
    io.run_for(std::chrono::seconds(60));
    second.join();

    EXPECT_EQ(finished.load(), readers + 1);
    EXPECT_TRUE(failures.empty()) << failures.front();
    EXPECT_EQ(run(db_->users().by_id(100))->last_active, 1'800'000'000'000 + rounds - 1);
}

}  // namespace
}  // namespace driftway::store::testing
