#include "store_fixture.hpp"

#include <algorithm>
#include <thread>
#include <tuple>

namespace driftway::store::testing {
namespace {

constexpr std::int64_t t0 = 1'700'000'000'000;

class jobs_test : public store_test {
protected:
    job_repository& jobs() { return db_->jobs(); }

    job add_job(id_t id, std::int64_t run_at, std::string kind = "http_post") {
        job j;
        j.id = id;
        j.kind = std::move(kind);
        j.payload = R"({"url":"http://127.0.0.1:1/hook","body":{"n":)" + std::to_string(id) + "}}";
        j.run_at = run_at;
        j.created_at = t0 - 1000 + static_cast<std::int64_t>(id);
        run(jobs().enqueue(j));
        return j;
    }

    std::vector<id_t> claim_ids(std::int64_t now, std::int64_t lease_until, int limit = 10) {
        std::vector<id_t> ids;
        for (const auto& j : run(jobs().claim_due(now, lease_until, limit))) ids.push_back(j.id);
        return ids;
    }
};
DRIFTWAY_STORE_SUITE(jobs_test);

TEST_P(jobs_test, claim_returns_due_jobs_oldest_first_with_the_attempt_counted) {
    const auto j1 = add_job(1, t0 + 20);
    add_job(2, t0 + 10);
    add_job(3, t0 + 500);  // not due yet

    const auto claimed = run(jobs().claim_due(t0 + 100, t0 + 60'000, 10));
    ASSERT_EQ(claimed.size(), 2u);
    EXPECT_EQ(claimed[0].id, 2u);
    EXPECT_EQ(claimed[1].id, 1u);
    EXPECT_EQ(claimed[1].kind, j1.kind);
    EXPECT_EQ(claimed[1].payload, j1.payload);
    EXPECT_EQ(claimed[1].run_at, j1.run_at);
    EXPECT_EQ(claimed[1].created_at, j1.created_at);
    EXPECT_EQ(claimed[1].attempts, 1);
    EXPECT_EQ(claimed[1].claimed_until, t0 + 60'000);
}

TEST_P(jobs_test, claim_respects_the_limit) {
    for (id_t id = 1; id <= 5; ++id) add_job(id, t0 + static_cast<std::int64_t>(id));
    EXPECT_EQ(claim_ids(t0 + 100, t0 + 1000, 2), (std::vector<id_t>{1, 2}));
    EXPECT_EQ(claim_ids(t0 + 100, t0 + 1000, 2), (std::vector<id_t>{3, 4}));
}

TEST_P(jobs_test, a_claimed_job_is_not_claimed_again_until_its_lease_ends) {
    add_job(1, t0);
    EXPECT_EQ(claim_ids(t0, t0 + 1000), std::vector<id_t>{1});
    EXPECT_TRUE(claim_ids(t0 + 999, t0 + 2000).empty());

    // The node holding it died: after the lease the job runs again, as a
    // new attempt.
    const auto again = run(jobs().claim_due(t0 + 1000, t0 + 3000, 10));
    ASSERT_EQ(again.size(), 1u);
    EXPECT_EQ(again[0].attempts, 2);
}

TEST_P(jobs_test, complete_deletes_only_for_the_current_claim) {
    add_job(1, t0);
    ASSERT_EQ(claim_ids(t0, t0 + 1000), std::vector<id_t>{1});
    ASSERT_EQ(claim_ids(t0 + 1000, t0 + 2000), std::vector<id_t>{1});  // attempt 2

    // The first claimant lost its lease: its verdict no longer counts.
    EXPECT_FALSE(run(jobs().complete(1, 1)));
    EXPECT_FALSE(run(jobs().retry_later(1, 1, t0 + 5000, "late")));
    EXPECT_FALSE(run(jobs().bury(1, 1, "late", t0 + 1500)));
    ASSERT_TRUE(run(jobs().find(1)).has_value());

    EXPECT_TRUE(run(jobs().complete(1, 2)));
    EXPECT_FALSE(run(jobs().find(1)).has_value());
    EXPECT_FALSE(run(jobs().complete(1, 2)));
}

TEST_P(jobs_test, retry_later_releases_the_lease_and_keeps_the_error) {
    add_job(1, t0);
    ASSERT_EQ(claim_ids(t0, t0 + 60'000), std::vector<id_t>{1});
    ASSERT_TRUE(run(jobs().retry_later(1, 1, t0 + 2000, "HTTP 500")));

    const auto waiting = run(jobs().find(1));
    ASSERT_TRUE(waiting.has_value());
    EXPECT_EQ(waiting->run_at, t0 + 2000);
    EXPECT_EQ(waiting->last_error, "HTTP 500");
    EXPECT_EQ(waiting->claimed_until, 0);
    EXPECT_EQ(waiting->attempts, 1);

    EXPECT_TRUE(claim_ids(t0 + 1999, t0 + 70'000).empty());
    const auto second = run(jobs().claim_due(t0 + 2000, t0 + 70'000, 10));
    ASSERT_EQ(second.size(), 1u);
    EXPECT_EQ(second[0].attempts, 2);
    EXPECT_EQ(second[0].last_error, "HTTP 500");
}

TEST_P(jobs_test, bury_moves_the_job_to_the_dead_letters) {
    const auto j = add_job(1, t0);
    ASSERT_EQ(claim_ids(t0, t0 + 1000), std::vector<id_t>{1});
    ASSERT_TRUE(run(jobs().bury(1, 1, "HTTP 503: down", t0 + 10)));

    EXPECT_FALSE(run(jobs().find(1)).has_value());
    EXPECT_TRUE(claim_ids(t0 + 1'000'000, t0 + 2'000'000).empty());
    const auto dead = run(jobs().dead_letters(0, 10));
    ASSERT_EQ(dead.size(), 1u);
    EXPECT_EQ(dead[0].id, 1u);
    EXPECT_EQ(dead[0].kind, j.kind);
    EXPECT_EQ(dead[0].payload, j.payload);
    EXPECT_EQ(dead[0].attempts, 1);
    EXPECT_EQ(dead[0].last_error, "HTTP 503: down");
    EXPECT_EQ(dead[0].created_at, j.created_at);
    EXPECT_EQ(dead[0].failed_at, t0 + 10);
}

TEST_P(jobs_test, dead_letters_are_paged_newest_first) {
    for (id_t id = 1; id <= 5; ++id) {
        add_job(id, t0);
        ASSERT_EQ(claim_ids(t0, t0 + 1000), std::vector<id_t>{id});
        ASSERT_TRUE(run(jobs().bury(id, 1, "e" + std::to_string(id), t0)));
    }
    auto ids = [](const std::vector<dead_letter>& v) {
        std::vector<id_t> out;
        for (const auto& d : v) out.push_back(d.id);
        return out;
    };
    EXPECT_EQ(ids(run(jobs().dead_letters(0, 2))), (std::vector<id_t>{5, 4}));
    EXPECT_EQ(ids(run(jobs().dead_letters(4, 2))), (std::vector<id_t>{3, 2}));
    EXPECT_EQ(ids(run(jobs().dead_letters(2, 2))), (std::vector<id_t>{1}));
}

TEST_P(jobs_test, replay_queues_the_job_again_with_attempts_reset) {
    const auto j = add_job(7, t0);
    ASSERT_EQ(claim_ids(t0, t0 + 1000), std::vector<id_t>{7});
    ASSERT_TRUE(run(jobs().bury(7, 1, "timeout", t0)));

    ASSERT_TRUE(run(jobs().replay(7, t0 + 50)));
    EXPECT_TRUE(run(jobs().dead_letters(0, 10)).empty());
    EXPECT_FALSE(run(jobs().replay(7, t0 + 50)));  // nothing left to replay

    const auto claimed = run(jobs().claim_due(t0 + 50, t0 + 1000, 10));
    ASSERT_EQ(claimed.size(), 1u);
    EXPECT_EQ(claimed[0].id, 7u);
    EXPECT_EQ(claimed[0].payload, j.payload);
    EXPECT_EQ(claimed[0].attempts, 1);
    EXPECT_EQ(claimed[0].last_error, "");
    EXPECT_EQ(claimed[0].created_at, j.created_at);
}

TEST_P(jobs_test, replay_all_and_remove) {
    for (id_t id = 1; id <= 3; ++id) {
        add_job(id, t0);
        ASSERT_EQ(claim_ids(t0, t0 + 1000), std::vector<id_t>{id});
        ASSERT_TRUE(run(jobs().bury(id, 1, "x", t0)));
    }
    EXPECT_TRUE(run(jobs().remove_dead_letter(2)));
    EXPECT_FALSE(run(jobs().remove_dead_letter(2)));
    EXPECT_EQ(run(jobs().replay_all(t0 + 5)), 2);
    EXPECT_TRUE(run(jobs().dead_letters(0, 10)).empty());
    EXPECT_EQ(claim_ids(t0 + 5, t0 + 1000), (std::vector<id_t>{1, 3}));
    EXPECT_EQ(run(jobs().replay_all(t0 + 5)), 0);
}

TEST_P(jobs_test, jobs_and_dead_letters_survive_a_reopen) {
    if (!GetParam().persistent) GTEST_SKIP() << "in-memory backend";
    add_job(1, t0);
    add_job(2, t0 + 5);
    ASSERT_EQ(claim_ids(t0, t0 + 1000, 1), std::vector<id_t>{1});
    ASSERT_TRUE(run(jobs().bury(1, 1, "gone", t0)));
    reopen();
    EXPECT_EQ(run(jobs().dead_letters(0, 10)).size(), 1u);
    EXPECT_EQ(claim_ids(t0 + 5, t0 + 1000), std::vector<id_t>{2});
}

TEST_P(jobs_test, two_nodes_claiming_at_once_never_get_the_same_job) {
    if (!GetParam().persistent) GTEST_SKIP() << "a second node needs a shared database";
    constexpr id_t count = 40;
    for (id_t id = 1; id <= count; ++id) add_job(id, t0);
    // A second backend on the same database: another node.
    auto other = GetParam().open(dir_);
    boost::asio::io_context other_io;
    std::vector<id_t> mine, theirs;
    std::thread t([&] {
        for (int i = 0; i < 10; ++i)
            for (const auto& j : run_sync(other_io, other->jobs().claim_due(t0, t0 + 60'000, 3)))
                theirs.push_back(j.id);
    });
    for (int i = 0; i < 10; ++i)
        for (const auto& j : run(jobs().claim_due(t0, t0 + 60'000, 3))) mine.push_back(j.id);
    t.join();
    other->close();

    std::vector<id_t> all = mine;
    all.insert(all.end(), theirs.begin(), theirs.end());
    std::sort(all.begin(), all.end());
    EXPECT_EQ(std::adjacent_find(all.begin(), all.end()), all.end()) << "a job was claimed twice";
    EXPECT_EQ(all.size(), static_cast<std::size_t>(count));
}

}  // namespace
}  // namespace driftway::store::testing
