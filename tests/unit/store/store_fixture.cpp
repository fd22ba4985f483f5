#include "store_fixture.hpp"

#include <unistd.h>

#include <atomic>

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

}  // namespace

std::vector<backend_kind> backend_kinds() {
    return {
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
}

void store_test::SetUp() {
    dir_ = fresh_dir();
    db_ = GetParam().open(dir_);
}

void store_test::TearDown() {
    if (db_) db_->close();
    db_.reset();
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
