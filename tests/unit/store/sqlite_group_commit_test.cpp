// The writer's group commit, observed from inside: jobs queued while the
// writer is busy are committed in one transaction, a job that throws is
// undone alone, and a failed COMMIT fails the whole group.
#include "run_sync.hpp"
#include "sqlite/executor.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <atomic>
#include <future>
#include <stdexcept>
#include <vector>

namespace driftway::store::sqlite {
namespace {

namespace asio = boost::asio;

class group_commit_worker_test : public ::testing::Test {
protected:
    void SetUp() override {
        auto writer = std::make_unique<connection>(":memory:", connection::access::read_write);
        writer->exec(
            "PRAGMA foreign_keys = ON;"
            "CREATE TABLE parent (id INTEGER PRIMARY KEY);"
            "CREATE TABLE t (id INTEGER PRIMARY KEY,"
            " parent_id INTEGER NULL REFERENCES parent (id));");
        sqlite3_commit_hook(
            writer->handle(),
            [](void* count) {
                static_cast<std::atomic<int>*>(count)->fetch_add(1);
                return 0;
            },
            &commits_);
        exec_ = std::make_unique<executor>(std::move(writer),
                                           std::vector<std::unique_ptr<connection>>{});
    }
    void TearDown() override {
        if (!released_) release();
        exec_->close();
    }

    // Occupies the writer until release() so that what is queued meanwhile
    // waits together.
    void hold_writer() {
        held_ = asio::co_spawn(
            io_, exec_->read([gate = gate_.get_future().share()](connection&) { gate.wait(); }),
            asio::use_future);
        io_.poll();
    }
    void release() {
        released_ = true;
        gate_.set_value();
    }

    std::future<void> insert(int id, bool throw_after = false, bool grouped = true) {
        auto fn = [id, throw_after](connection& c) {
            c.prepare("INSERT INTO t (id) VALUES (?1)").bind(id).run();
            if (throw_after) throw std::runtime_error("job " + std::to_string(id) + " failed");
        };
        auto f = grouped ? asio::co_spawn(io_, exec_->write_grouped(fn), asio::use_future)
                         : asio::co_spawn(io_, exec_->write(fn), asio::use_future);
        io_.poll();  // runs the coroutine up to its hand-off to the writer
        return f;
    }

    // Runs the io_context until every future is ready (deadline: 30 s).
    template <class T>
    void finish(std::vector<std::future<T>>& futures) {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
        for (auto& f : futures) {
            io_.restart();
            while (f.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
                ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "a job never completed";
                io_.run_one_for(std::chrono::milliseconds(100));
            }
        }
    }

    std::vector<int> rows() {
        return testing::run_sync(io_, exec_->read([](connection& c) {
            std::vector<int> ids;
            auto st = c.prepare("SELECT id FROM t ORDER BY id");
            while (st.step()) ids.push_back(static_cast<int>(st.int64(0)));
            return ids;
        }));
    }

    asio::io_context io_;
    std::atomic<int> commits_{0};
    std::unique_ptr<executor> exec_;
    std::promise<void> gate_;
    bool released_ = false;
    std::future<void> held_;
};

TEST_F(group_commit_worker_test, jobs_waiting_together_commit_once) {
    hold_writer();
    std::vector<std::future<void>> jobs;
    for (int i = 1; i <= 50; ++i) jobs.push_back(insert(i));
    release();
    finish(jobs);
    for (auto& j : jobs) EXPECT_NO_THROW(j.get());
    EXPECT_EQ(commits_.load(), 1);
    EXPECT_EQ(rows().size(), 50u);
}

TEST_F(group_commit_worker_test, a_group_is_bounded) {
    hold_writer();
    std::vector<std::future<void>> jobs;
    for (int i = 1; i <= 300; ++i) jobs.push_back(insert(i));
    release();
    finish(jobs);
    for (auto& j : jobs) EXPECT_NO_THROW(j.get());
    EXPECT_EQ(commits_.load(), 2);  // 256 + 44
    EXPECT_EQ(rows().size(), 300u);
}

TEST_F(group_commit_worker_test, a_throwing_job_is_undone_and_fails_alone) {
    hold_writer();
    std::vector<std::future<void>> jobs;
    for (int i = 1; i <= 10; ++i) jobs.push_back(insert(i, i == 4 || i == 7));
    release();
    finish(jobs);
    for (int i = 1; i <= 10; ++i) {
        if (i == 4 || i == 7) {
            EXPECT_THROW(jobs[i - 1].get(), std::runtime_error) << i;
        } else {
            EXPECT_NO_THROW(jobs[i - 1].get()) << i;
        }
    }
    EXPECT_EQ(commits_.load(), 1);
    EXPECT_EQ(rows(), (std::vector<int>{1, 2, 3, 5, 6, 8, 9, 10}));
}

TEST_F(group_commit_worker_test, a_failed_commit_fails_every_job_of_the_group) {
    hold_writer();
    std::vector<std::future<void>> jobs;
    jobs.push_back(insert(1));
    // Checked only at COMMIT: a row whose parent does not exist.
    jobs.push_back(asio::co_spawn(io_, exec_->write_grouped([](connection& c) {
        c.exec("PRAGMA defer_foreign_keys = ON");
        c.prepare("INSERT INTO t (id, parent_id) VALUES (2, 42)").run();
    }),
                                  asio::use_future));
    io_.poll();
    jobs.push_back(insert(3));
    release();
    finish(jobs);
    for (auto& j : jobs) EXPECT_THROW(j.get(), error_exception);
    EXPECT_EQ(commits_.load(), 0);
    EXPECT_TRUE(rows().empty());

    // The writer goes on with the next group.
    std::vector<std::future<void>> next;
    next.push_back(insert(4));
    finish(next);
    EXPECT_NO_THROW(next[0].get());
    EXPECT_EQ(rows(), std::vector<int>{4});
}

TEST_F(group_commit_worker_test, ordinary_writes_keep_their_own_transaction) {
    hold_writer();
    std::vector<std::future<void>> jobs;
    jobs.push_back(insert(1));
    jobs.push_back(insert(2, false, false));
    jobs.push_back(insert(3));
    jobs.push_back(insert(4, true, false));  // rolls back alone
    release();
    finish(jobs);
    EXPECT_NO_THROW(jobs[0].get());
    EXPECT_NO_THROW(jobs[1].get());
    EXPECT_NO_THROW(jobs[2].get());
    EXPECT_THROW(jobs[3].get(), std::runtime_error);
    // One commit for the group {1, 3}, one for 2; 4 rolled back.
    EXPECT_EQ(commits_.load(), 2);
    EXPECT_EQ(rows(), (std::vector<int>{1, 2, 3}));
}

}  // namespace
}  // namespace driftway::store::sqlite
