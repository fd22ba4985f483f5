#include "store_fixture.hpp"

#include <libpq-fe.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <random>
#include <stdexcept>

namespace driftway::store::testing {

namespace {

std::filesystem::path fresh_dir() {
    static std::atomic<int> counter{0};
    auto dir = std::filesystem::temp_directory_path() /
               ("driftway-store-" + std::to_string(::getpid()) + "-" + std::to_string(++counter));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    return dir;
}

// PostgreSQL joins the suite when DRIFTWAY_TEST_POSTGRES holds a conninfo of
// a server where the user may create databases (tests/cluster/start-postgres
// starts one). Each test gets its own database, named in the test's
// directory so that reopen() finds it again and TearDown drops it.
const char* postgres_conninfo() {
    const char* v = std::getenv("DRIFTWAY_TEST_POSTGRES");
    return v != nullptr && *v != '\0' ? v : nullptr;
}

struct pg_closer {
    void operator()(PGconn* c) const noexcept { PQfinish(c); }
};

// Runs one statement on the server's maintenance connection (the conninfo's
// own database). CREATE/DROP DATABASE cannot run in a transaction block.
void postgres_admin(const std::string& sql) {
    std::unique_ptr<PGconn, pg_closer> c(PQconnectdb(postgres_conninfo()));
    if (PQstatus(c.get()) != CONNECTION_OK) {
        throw std::runtime_error(std::string("DRIFTWAY_TEST_POSTGRES: ") + PQerrorMessage(c.get()));
    }
    std::unique_ptr<PGresult, decltype(&PQclear)> r(PQexec(c.get(), sql.c_str()), &PQclear);
    if (PQresultStatus(r.get()) != PGRES_COMMAND_OK) {
        throw std::runtime_error(sql + ": " + PQresultErrorMessage(r.get()));
    }
}

std::string random_database_name() {
    static std::mt19937_64 rng{std::random_device{}()};
    static std::mutex m;
    std::lock_guard lock(m);
    return "t_" + std::to_string(::getpid()) + "_" + std::to_string(rng() % 1'000'000'000);
}

// The database of the test whose directory is dir, created on first open.
std::string postgres_database(const std::filesystem::path& dir) {
    const auto marker = dir / "postgres-database";
    std::string name;
    if (std::FILE* f = std::fopen(marker.c_str(), "r")) {
        char buf[64] = {};
        if (std::fgets(buf, sizeof buf, f) != nullptr) name = buf;
        std::fclose(f);
    }
    if (name.empty()) {
        name = random_database_name();
        postgres_admin("CREATE DATABASE " + name);
        std::FILE* f = std::fopen(marker.c_str(), "w");
        if (f == nullptr) throw std::runtime_error("cannot write " + marker.string());
        std::fputs(name.c_str(), f);
        std::fclose(f);
    }
    return name;
}

void drop_postgres_database(const std::filesystem::path& dir) {
    const auto marker = dir / "postgres-database";
    std::FILE* f = std::fopen(marker.c_str(), "r");
    if (f == nullptr) return;
    char buf[64] = {};
    const bool read = std::fgets(buf, sizeof buf, f) != nullptr;
    std::fclose(f);
    if (read) postgres_admin(std::string("DROP DATABASE IF EXISTS ") + buf + " WITH (FORCE)");
}

}  // namespace

std::vector<backend_kind> backend_kinds() {
    std::vector<backend_kind> kinds = {
        {"sqlite_memory", false,
         [](const std::filesystem::path&) {
             return make_sqlite({.path = ":memory:", .read_threads = 2, .migrate = true});
         }},
        {"sqlite_file", true,
         [](const std::filesystem::path& dir) {
             return make_sqlite(
                 {.path = (dir / "driftway.db").string(), .read_threads = 2, .migrate = true});
         }},
    };
    if (postgres_conninfo() != nullptr) {
        kinds.push_back({"postgres", true, [](const std::filesystem::path& dir) {
                             // Later keywords win: the test's database replaces the
                             // conninfo's own.
                             return make_postgres({.conninfo = std::string(postgres_conninfo()) +
                                                               " dbname=" + postgres_database(dir),
                                                   .pool_size = 4,
                                                   .migrate = true});
                         }});
    }
    return kinds;
}

void store_test::SetUp() {
    dir_ = fresh_dir();
    db_ = GetParam().open(dir_);
}

void store_test::TearDown() {
    if (db_) db_->close();
    db_.reset();
    if (postgres_conninfo() != nullptr) drop_postgres_database(dir_);
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
}

void store_test::reopen() {
    db_->close();
    db_.reset();
    db_ = GetParam().open(dir_);
}

user sample_user(id_t id, const std::string& name) {
    user u;
    u.id = id;
    u.username = name;
    u.email = name + "@example.com";
    u.password_hash = "$argon2id$" + name;
    u.display_name = "The " + name;
    u.created_at = 1'700'000'000'000 + static_cast<std::int64_t>(id);
    u.last_active = u.created_at;
    return u;
}

user store_test::add_user(id_t id, const std::string& name) {
    auto created = run(db_->users().create(sample_user(id, name), false));
    EXPECT_TRUE(created.has_value())
        << "creating " << name << ": " << (created ? "" : created.error().code);
    return created ? *created : user{};
}

}  // namespace driftway::store::testing
