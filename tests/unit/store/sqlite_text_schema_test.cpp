// The text schema (migration 2) as stored on disk: upgrading a database of
// the accounts schema, the bit sets' representation and the full-text
// index's consistency, checked with SQLite itself.
#include "driftway/store/backend.hpp"
#include "run_sync.hpp"
#include "sqlite/connection.hpp"
#include "sqlite/migrations.hpp"
#include "sqlite/search_index.hpp"
#include "text_fixture.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>

#include <filesystem>
#include <string>

namespace driftway::store::testing {
namespace {

using sqlite::connection;

class sqlite_text_schema_test : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = std::filesystem::temp_directory_path() /
               ("driftway-text-schema-" + std::to_string(::getpid()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        std::filesystem::remove_all(dir_);
        std::filesystem::create_directories(dir_);
        path_ = (dir_ / "driftway.db").string();
    }
    void TearDown() override {
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
    }

    std::unique_ptr<backend> open() {
        return make_sqlite({.path = path_, .read_threads = 1, .migrate = true});
    }

    // One integer (or text) a query returns, read from the file directly.
    std::string scalar(const char* sql) {
        connection c(path_, connection::access::read_write);
        auto st = c.prepare(sql);
        if (!st.step()) return "(no row)";
        return st.text(0);
    }

    // FTS5 re-reads the content table and fails on any difference with its index.
    bool fts_consistent() {
        connection c(path_, connection::access::read_write);
        try {
            // rank = 1: compare with the content table too, not only within the index.
            c.exec("INSERT INTO messages_fts (messages_fts, rank) VALUES ('integrity-check', 1)");
            return true;
        } catch (const sqlite::sqlite_error&) {
            return false;
        }
    }

    void populate(backend& db) {
        run_sync(io_, db.users().create(sample_user(1, "alice"), true));
        run_sync(io_, db.spaces().create(
                          space_row(10, "s", 1), {.name = "@everyone", .permissions = ~0ull},
                          {channel_row(11, 10, channel_type::text)}, member_row(10, 1)));
        for (id_t id = 100; id < 110; ++id) {
            message m;
            m.id = id;
            m.channel_id = 11;
            m.author_id = 1;
            m.content = "searchable words number " + std::to_string(id);
            run_sync(io_, db.messages().create(m, {}, {}, nullptr));
        }
    }

    boost::asio::io_context io_;
    std::filesystem::path dir_;
    std::string path_;
};

TEST_F(sqlite_text_schema_test, an_accounts_database_is_upgraded_and_keeps_its_users) {
    {
        // The database as the build before the text schema left it.
        connection c(path_, connection::access::read_write);
        c.exec(
            "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY,"
            " applied_at INTEGER NOT NULL)");
        const auto& v1 = sqlite::migrations()[0];
        ASSERT_EQ(v1.version, 1);
        c.exec(v1.sql);
        c.exec(
            "INSERT INTO schema_migrations VALUES (1, 1);"
            "INSERT INTO users (id, username, email, password_hash, display_name, created_at,"
            " last_active) VALUES (1, 'alice', 'a@example.com', 'h', 'A', 1, 1)");
    }
    auto db = open();
    EXPECT_EQ(db->schema_version(), db->latest_schema_version());
    EXPECT_EQ(run_sync(io_, db->users().by_id(1))->username, "alice");
    run_sync(io_, db->spaces().create(space_row(10, "s", 1), {}, {}, member_row(10, 1)));
    EXPECT_EQ(run_sync(io_, db->spaces().for_user(1)).size(), 1u);
    db->close();
    EXPECT_EQ(scalar("SELECT max(version) FROM schema_migrations"),
              std::to_string(sqlite::latest_schema_version()));
}

TEST_F(sqlite_text_schema_test, permission_bits_are_stored_as_signed_64_bit_integers) {
    auto db = open();
    populate(*db);
    db->close();
    EXPECT_EQ(scalar("SELECT permissions FROM roles WHERE id = 10"), "-1");
    EXPECT_EQ(scalar("SELECT typeof(permissions) FROM roles WHERE id = 10"), "integer");
}

TEST_F(sqlite_text_schema_test, full_text_index_stays_consistent_through_every_change) {
    auto db = open();
    populate(*db);
    ASSERT_TRUE(run_sync(io_, db->messages().edit(11, 100, "edited words", 5, 1)).has_value());
    ASSERT_TRUE(run_sync(io_, db->messages().remove(11, 101)));
    run_sync(io_, db->messages().set_pinned(11, 102, true));
    db->close();
    EXPECT_TRUE(fts_consistent());

    db = open();
    run_sync(io_, db->spaces().remove(10));  // cascades to the channel's messages
    db->close();
    EXPECT_EQ(scalar("SELECT count(*) FROM messages"), "0");
    EXPECT_TRUE(fts_consistent());
}

TEST_F(sqlite_text_schema_test, messages_changed_before_they_are_indexed_stay_consistent) {
    auto db = open();
    populate(*db);
    db->close();
    {
        // Within one transaction, as any write could: messages edited and
        // deleted while still waiting to be indexed.
        connection c(path_, connection::access::read_write);
        c.exec(
            "PRAGMA foreign_keys = ON; BEGIN IMMEDIATE;"
            "INSERT INTO messages (id, channel_id, author_id, content, created_at)"
            " VALUES (200, 11, 1, 'first draft', 1), (201, 11, 1, 'short lived', 1);"
            "UPDATE messages SET content = 'second draft' WHERE id = 200;"
            "DELETE FROM messages WHERE id = 201;");
        sqlite::index_pending_messages(c);
        c.exec("COMMIT");
    }
    EXPECT_TRUE(fts_consistent());
    EXPECT_EQ(scalar("SELECT count(*) FROM messages_fts_pending"), "0");
    EXPECT_EQ(scalar("SELECT rowid FROM messages_fts WHERE messages_fts MATCH 'second'"), "200");
    EXPECT_EQ(scalar("SELECT count(*) FROM messages_fts WHERE messages_fts MATCH 'first'"), "0");
    EXPECT_EQ(scalar("SELECT count(*) FROM messages_fts WHERE messages_fts MATCH 'lived'"), "0");
}

TEST_F(sqlite_text_schema_test, every_commit_leaves_nothing_waiting_to_be_indexed) {
    auto db = open();
    populate(*db);
    db->close();
    EXPECT_EQ(scalar("SELECT count(*) FROM messages_fts_pending"), "0");
    EXPECT_EQ(scalar("SELECT count(*) FROM messages_fts WHERE messages_fts MATCH 'searchable'"),
              "10");
}

}  // namespace
}  // namespace driftway::store::testing
