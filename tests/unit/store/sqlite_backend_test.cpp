// What only the SQLite backend promises: its migration ledger, WAL mode and
// how it opens. The behaviour every backend shares is in the store suite.
#include "driftway/store/backend.hpp"
#include "run_sync.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace driftway::store::testing {
namespace {

// Looks at the database file directly, as an operator with sqlite3 would.
class raw_db {
public:
    explicit raw_db(const std::filesystem::path& path) {
        sqlite3* raw = nullptr;
        const int rc = sqlite3_open(path.c_str(), &raw);
        db_.reset(raw);
        if (rc != SQLITE_OK) throw std::runtime_error("cannot open " + path.string());
    }

    // Every row of a query, columns as text.
    std::vector<std::vector<std::string>> rows(const std::string& sql) {
        std::vector<std::vector<std::string>> out;
        char* err = nullptr;
        const int rc = sqlite3_exec(
            db_.get(), sql.c_str(),
            [](void* sink, int n, char** values, char**) {
                auto& rows = *static_cast<std::vector<std::vector<std::string>>*>(sink);
                auto& row = rows.emplace_back();
                for (int i = 0; i < n; ++i) row.emplace_back(values[i] ? values[i] : "NULL");
                return 0;
            },
            &out, &err);
        std::unique_ptr<char, decltype(&sqlite3_free)> owned(err, sqlite3_free);
        if (rc != SQLITE_OK) throw std::runtime_error(sql + ": " + (err ? err : "error"));
        return out;
    }

private:
    struct closer {
        void operator()(sqlite3* db) const noexcept { sqlite3_close(db); }
    };
    std::unique_ptr<sqlite3, closer> db_;
};

user minimal_user() {
    user u;
    u.id = 1;
    u.username = "a";
    u.email = "a@example.com";
    return u;
}

class sqlite_backend_test : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = std::filesystem::temp_directory_path() /
               ("driftway-sqlite-" + std::to_string(::getpid()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        std::filesystem::remove_all(dir_);
        std::filesystem::create_directories(dir_);
        path_ = dir_ / "driftway.db";
    }
    void TearDown() override {
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
    }

    std::unique_ptr<backend> open(bool migrate, unsigned read_threads = 2) {
        return make_sqlite(
            {.path = path_.string(), .read_threads = read_threads, .migrate = migrate});
    }

    std::filesystem::path dir_;
    std::filesystem::path path_;
};

TEST_F(sqlite_backend_test, migrations_are_recorded_once_and_not_reapplied) {
    {
        auto db = open(false);
        EXPECT_EQ(db->schema_version(), 0);
        db->close();
    }
    std::vector<std::vector<std::string>> ledger;
    {
        auto db = open(true);
        EXPECT_EQ(db->schema_version(), db->latest_schema_version());
        db->close();
        ledger = raw_db(path_).rows(
            "SELECT version, applied_at FROM schema_migrations ORDER BY version");
        ASSERT_EQ(ledger.size(), static_cast<std::size_t>(db->latest_schema_version()));
        for (std::size_t i = 0; i < ledger.size(); ++i) {
            EXPECT_EQ(ledger[i][0], std::to_string(i + 1));
            EXPECT_GT(std::stoll(ledger[i][1]), 0);
        }
    }
    auto db = open(true);
    db->close();
    EXPECT_EQ(
        raw_db(path_).rows("SELECT version, applied_at FROM schema_migrations ORDER BY version"),
        ledger);
}

TEST_F(sqlite_backend_test, file_database_uses_write_ahead_logging) {
    open(true)->close();
    EXPECT_EQ(raw_db(path_).rows("PRAGMA journal_mode"),
              (std::vector<std::vector<std::string>>{{"wal"}}));
}

TEST_F(sqlite_backend_test, checkpoints_run_beside_the_writer_while_open) {
    // The writer never checkpoints (wal_autocheckpoint = 0); without the
    // checkpoint thread the database file would stay empty until close,
    // with everything in the WAL.
    auto db = open(true);
    boost::asio::io_context io;
    ASSERT_TRUE(run_sync(io, db->users().create(minimal_user(), true)).has_value());
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    std::uintmax_t size = 0;
    while (std::chrono::steady_clock::now() < deadline) {
        size = std::filesystem::file_size(path_);
        if (size >= 64 * 1024) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    EXPECT_GE(size, 64u * 1024) << "the schema never reached the database file";
    db->close();
}

TEST_F(sqlite_backend_test, a_database_from_a_newer_build_is_refused) {
    open(true)->close();
    raw_db(path_).rows("INSERT INTO schema_migrations VALUES (1000, 1)");
    EXPECT_THROW(open(true), std::runtime_error);
}

TEST_F(sqlite_backend_test, an_unopenable_path_throws) {
    path_ = dir_ / "missing" / "driftway.db";
    EXPECT_THROW(open(true), std::runtime_error);
}

TEST_F(sqlite_backend_test, without_reader_threads_reads_go_to_the_writer) {
    auto db = open(true, 0);
    boost::asio::io_context io;
    ASSERT_TRUE(run_sync(io, db->users().create(minimal_user(), true)).has_value());
    EXPECT_EQ(run_sync(io, db->users().count()), 1);
    EXPECT_TRUE(run_sync(io, db->ping()).ok);
}

TEST_F(sqlite_backend_test, deleting_a_user_cascades_to_its_tokens_and_keys) {
    {
        auto db = open(true);
        boost::asio::io_context io;
        ASSERT_TRUE(run_sync(io, db->users().create(minimal_user(), true)).has_value());
        refresh_token t;
        t.token_hash = "t";
        t.user_id = 1;
        t.family = "f";
        run_sync(io, db->refresh_tokens().insert(t));
        api_key k;
        k.id = 5;
        k.owner_id = 1;
        k.key_hash = "k";
        run_sync(io, db->api_keys().insert(k));
        db->close();
    }
    raw_db raw(path_);
    raw.rows("PRAGMA foreign_keys = ON; DELETE FROM users WHERE id = 1");
    EXPECT_EQ(raw.rows("SELECT count(*) FROM refresh_tokens")[0][0], "0");
    EXPECT_EQ(raw.rows("SELECT count(*) FROM api_keys")[0][0], "0");
    EXPECT_EQ(raw.rows("SELECT owner_id FROM instance")[0][0], "NULL");
}

}  // namespace
}  // namespace driftway::store::testing
