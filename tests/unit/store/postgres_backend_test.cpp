// What only the PostgreSQL backend has: its ledger and search index in the
// server's catalog, and a pool that survives lost connections. Runs when
// DRIFTWAY_TEST_POSTGRES is set (see store_fixture.cpp).
#include "store_fixture.hpp"

#include <libpq-fe.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <stdexcept>

namespace driftway::store::testing {
namespace {

std::vector<backend_kind> postgres_kinds() {
    std::vector<backend_kind> out;
    for (auto& k : backend_kinds()) {
        if (k.name == "postgres") out.push_back(std::move(k));
    }
    return out;
}

class postgres_backend_test : public store_test {
protected:
    // One statement on the test's own database, through a connection of its
    // own; returns the first column of the first row ("" when none).
    std::string query(const std::string& sql) {
        std::string dbname;
        std::ifstream(dir_ / "postgres-database") >> dbname;
        const std::string conninfo =
            std::string(std::getenv("DRIFTWAY_TEST_POSTGRES")) + " dbname=" + dbname;
        std::unique_ptr<PGconn, decltype(&PQfinish)> c(PQconnectdb(conninfo.c_str()), &PQfinish);
        if (PQstatus(c.get()) != CONNECTION_OK) throw std::runtime_error(PQerrorMessage(c.get()));
        std::unique_ptr<PGresult, decltype(&PQclear)> r(PQexec(c.get(), sql.c_str()), &PQclear);
        const auto status = PQresultStatus(r.get());
        if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
            throw std::runtime_error(sql + ": " + PQresultErrorMessage(r.get()));
        }
        if (PQntuples(r.get()) == 0) return "";
        return PQgetvalue(r.get(), 0, 0);
    }
};
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(postgres_backend_test);
INSTANTIATE_TEST_SUITE_P(store, postgres_backend_test, ::testing::ValuesIn(postgres_kinds()),
                         [](const ::testing::TestParamInfo<backend_kind>& i) {
                             return i.param.name;
                         });

TEST_P(postgres_backend_test, migrations_are_recorded_once_and_not_reapplied) {
    const auto latest = std::to_string(db_->latest_schema_version());
    EXPECT_EQ(query("SELECT count(*) FROM schema_migrations"), latest);
    reopen();
    EXPECT_EQ(query("SELECT count(*) FROM schema_migrations"), latest);
    EXPECT_EQ(query("SELECT max(version) FROM schema_migrations"), latest);
}

TEST_P(postgres_backend_test, seed_indexes_exist) {
    EXPECT_EQ(query("SELECT indexdef FROM pg_indexes WHERE indexname = 'messages_search'"),
              "CREATE INDEX messages_search ON public.messages USING gin (search)");
    EXPECT_EQ(query("SELECT indexdef FROM pg_indexes WHERE indexname = 'messages_channel_id'"),
              "CREATE INDEX messages_channel_id ON public.messages USING btree (channel_id, id)");
    EXPECT_EQ(query("SELECT indexdef FROM pg_indexes WHERE indexname = 'users_email_key'"),
              "CREATE UNIQUE INDEX users_email_key ON public.users USING btree (lower(email))");
    EXPECT_EQ(query("SELECT indexdef FROM pg_indexes WHERE indexname = 'members_user_id'"),
              "CREATE INDEX members_user_id ON public.members USING btree (user_id)");
}

TEST_P(postgres_backend_test, a_database_from_a_newer_build_is_refused) {
    query("INSERT INTO schema_migrations (version, applied_at) VALUES (999, 0)");
    db_->close();
    db_.reset();
    EXPECT_THROW(db_ = GetParam().open(dir_), std::runtime_error);
}

TEST_P(postgres_backend_test, an_unreachable_server_throws) {
    EXPECT_THROW(make_postgres({.conninfo = "host=127.0.0.1 port=1 connect_timeout=2"}),
                 std::runtime_error);
}

// The server ends every session of the pool (as on a failover or a restart).
// Each storage thread notices only when it next uses its session; a read, or
// a write whose BEGIN finds the session gone, runs again on a new one, so
// callers see no error at all.
TEST_P(postgres_backend_test, lost_connections_are_reopened_without_failing_calls) {
    add_user(101, "alice");
    ASSERT_EQ(query("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"),
              "4");  // the pool: one writer, three readers
    // More reads than readers, so that every reader meets its lost session.
    for (int i = 0; i < 8; ++i) {
        auto u = run(db_->users().by_id(101));
        ASSERT_TRUE(u.has_value());
    }
    run(db_->users().touch(101, 1'900'000'000'000));
    EXPECT_EQ(run(db_->users().by_id(101))->last_active, 1'900'000'000'000);
    EXPECT_TRUE(run(db_->ping()).ok);
    EXPECT_EQ(run(db_->messages().search("x", {1}, 0, 0, 10, 0)).size(), 0u);
}

}  // namespace
}  // namespace driftway::store::testing
