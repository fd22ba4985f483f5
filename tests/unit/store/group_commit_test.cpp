// Message creates under concurrency, as the hot write path sees them: many
// coroutines on a multi-threaded io_context creating at once, so that the
// writer commits them in groups.
#include "text_fixture.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/use_future.hpp>

#include <algorithm>
#include <chrono>
#include <future>
#include <set>
#include <thread>

namespace driftway::store::testing {
namespace {

namespace asio = boost::asio;

// An io_context run by two threads, like a server's shards.
class two_threads {
public:
    two_threads() {
        for (int i = 0; i < 2; ++i) threads_.emplace_back([this] { io_.run(); });
    }
    ~two_threads() {
        guard_.reset();
        for (auto& t : threads_) t.join();
    }
    asio::io_context& io() { return io_; }

private:
    asio::io_context io_;
    asio::executor_work_guard<asio::io_context::executor_type> guard_{io_.get_executor()};
    std::vector<std::thread> threads_;
};

// Waits for every future with one deadline for all.
template <class T>
void wait_all(std::vector<std::future<T>>& futures) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    for (auto& f : futures) {
        ASSERT_EQ(f.wait_until(deadline), std::future_status::ready) << "a create never completed";
    }
}

// create() with whether it created, as one value.
asio::awaitable<std::pair<message, bool>> create_reporting(message_repository& messages, message m,
                                                           id_t mentioned) {
    bool created = false;
    // Built outside the co_await: g++ 12 cannot compile braced lists there.
    std::vector<id_t> attachment_ids;
    std::vector<id_t> mention_counts_for(1, mentioned);
    auto stored = co_await messages.create(std::move(m), std::move(attachment_ids),
                                           std::move(mention_counts_for), &created);
    co_return std::pair{std::move(stored), created};
}

class group_commit_test : public text_test {};
DRIFTWAY_STORE_SUITE(group_commit_test);

TEST_P(group_commit_test, concurrent_creates_are_all_stored_once) {
    constexpr int n = 500;
    join(bob);
    std::vector<std::future<message>> created;
    {
        two_threads pool;
        for (int i = 0; i < n; ++i) {
            const id_t channel = i % 2 == 0 ? general : lounge;
            auto m = draft(10'000 + static_cast<id_t>(i), channel, i % 3 == 0 ? alice : bob,
                           "message " + std::to_string(i), t0 + i);
            created.push_back(
                asio::co_spawn(pool.io(), db_->messages().create(std::move(m), {}, {bob}, nullptr),
                               asio::use_future));
        }
        wait_all(created);
    }
    std::set<id_t> ids;
    for (auto& f : created) {
        const auto m = f.get();
        EXPECT_EQ(m.content, "message " + std::to_string(m.id - 10'000));
        ids.insert(m.id);
    }
    EXPECT_EQ(ids.size(), static_cast<std::size_t>(n));

    const auto check = [&] {
        const auto in_general = ids_in(general);
        const auto in_lounge = ids_in(lounge);
        EXPECT_EQ(in_general.size(), static_cast<std::size_t>(n / 2));
        EXPECT_EQ(in_lounge.size(), static_cast<std::size_t>(n / 2));
        EXPECT_EQ(run(db_->channels().get(general))->last_message_id, in_general.back());
        EXPECT_EQ(run(db_->channels().get(lounge))->last_message_id, in_lounge.back());
        EXPECT_EQ(in_general.back(), 10'000u + n - 2);
        EXPECT_EQ(in_lounge.back(), 10'000u + n - 1);
        const auto states = run(db_->read_states().for_user(bob));
        ASSERT_EQ(states.size(), 2u);
        EXPECT_EQ(states[0].mention_count, n / 2);
        EXPECT_EQ(states[1].mention_count, n / 2);
        EXPECT_EQ(run(db_->messages().search("message", {general, lounge}, 0, 0, 1000, 0)).size(),
                  static_cast<std::size_t>(n));
    };
    check();
    if (GetParam().persistent) {
        reopen();
        check();
    }
}

TEST_P(group_commit_test, concurrent_creates_with_one_nonce_store_one_message) {
    constexpr int n = 10;
    std::vector<std::future<std::pair<message, bool>>> results;
    {
        two_threads pool;
        for (int i = 0; i < n; ++i) {
            auto m = draft(20'000 + static_cast<id_t>(i), general, alice, "once", t0 + i);
            m.nonce = "same-nonce";
            results.push_back(asio::co_spawn(
                pool.io(), create_reporting(db_->messages(), std::move(m), bob), asio::use_future));
        }
        wait_all(results);
    }
    int created = 0;
    std::set<id_t> returned;
    for (auto& f : results) {
        auto [m, was_created] = f.get();
        created += was_created ? 1 : 0;
        returned.insert(m.id);
    }
    EXPECT_EQ(created, 1);
    ASSERT_EQ(returned.size(), 1u);
    EXPECT_EQ(ids_in(general), std::vector<id_t>{*returned.begin()});
    EXPECT_EQ(run(db_->read_states().for_user(bob)).at(0).mention_count, 1);
}

TEST_P(group_commit_test, a_failing_create_does_not_fail_the_others) {
    constexpr int n = 200;
    std::vector<std::future<message>> results;
    {
        two_threads pool;
        for (int i = 0; i < n; ++i) {
            // Every seventh goes to a channel that does not exist.
            const id_t channel = i % 7 == 3 ? 999 : general;
            results.push_back(asio::co_spawn(
                pool.io(),
                db_->messages().create(
                    draft(30'000 + static_cast<id_t>(i), channel, alice, "x", t0), {}, {}, nullptr),
                asio::use_future));
        }
        wait_all(results);
    }
    std::vector<id_t> expected;
    for (int i = 0; i < n; ++i) {
        if (i % 7 == 3) {
            try {
                results[i].get();
                ADD_FAILURE() << "create " << i << " in a missing channel succeeded";
            } catch (const error_exception& e) {
                EXPECT_EQ(e.get().status, 409);
            }
        } else {
            EXPECT_EQ(results[i].get().id, 30'000u + static_cast<id_t>(i));
            expected.push_back(30'000 + static_cast<id_t>(i));
        }
    }
    EXPECT_EQ(ids_in(general), expected);
    EXPECT_TRUE(ids_in(999).empty());
}

}  // namespace
}  // namespace driftway::store::testing
