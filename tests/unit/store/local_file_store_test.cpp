#include "driftway/store/file_store.hpp"
#include "run_sync.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <filesystem>
#include <fstream>
#include <future>
#include <random>
#include <thread>
#include <vector>

namespace driftway::store {
namespace {

namespace fs = std::filesystem;
using testing::run_sync;

// SHA-256("abc"), FIPS 180-2 appendix B.1.
constexpr const char* abc_sha256 =
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

class local_file_store_test : public ::testing::Test {
protected:
    void SetUp() override {
        root_ = fs::temp_directory_path() /
                ("driftway-files-" + std::to_string(::getpid()) + "-" +
                 ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(root_);
        store_ = make_local_file_store(root_.string());
    }
    void TearDown() override {
        store_.reset();
        fs::remove_all(root_);
    }

    std::vector<fs::path> files_under_root() const {
        std::vector<fs::path> out;
        for (const auto& e : fs::recursive_directory_iterator(root_))
            if (e.is_regular_file()) out.push_back(e.path());
        return out;
    }

    fs::path root_;
    boost::asio::io_context io_;
    std::unique_ptr<file_store> store_;
};

TEST_F(local_file_store_test, put_returns_the_sha256_and_stores_under_two_levels) {
    const auto key = run_sync(io_, store_->put("abc"));
    EXPECT_EQ(key, abc_sha256);
    const auto path = root_ / "ba" / "78" / abc_sha256;
    ASSERT_TRUE(fs::is_regular_file(path));
    std::ifstream in(path, std::ios::binary);
    std::string on_disk((std::istreambuf_iterator<char>(in)), {});
    EXPECT_EQ(on_disk, "abc");
    EXPECT_EQ(files_under_root().size(), 1u) << "no temporary file is left behind";
}

TEST_F(local_file_store_test, get_returns_the_bytes_put) {
    std::string bytes(1 << 20, '\0');
    std::mt19937 rng(7);
    for (auto& c : bytes) c = static_cast<char>(rng());
    const auto key = run_sync(io_, store_->put(bytes));
    const auto back = run_sync(io_, store_->get(key));
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(*back, bytes);
}

TEST_F(local_file_store_test, empty_file_round_trips) {
    const auto key = run_sync(io_, store_->put(""));
    EXPECT_EQ(key, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    const auto back = run_sync(io_, store_->get(key));
    ASSERT_TRUE(back.has_value());
    EXPECT_TRUE(back->empty());
}

TEST_F(local_file_store_test, identical_content_is_stored_once) {
    const auto a = run_sync(io_, store_->put("same bytes"));
    const auto b = run_sync(io_, store_->put("same bytes"));
    EXPECT_EQ(a, b);
    EXPECT_EQ(files_under_root().size(), 1u);
}

TEST_F(local_file_store_test, concurrent_puts_of_one_content_leave_one_intact_file) {
    const std::string bytes(256 << 10, 'x');
    std::vector<std::future<std::string>> done;
    for (int i = 0; i < 8; ++i)
        done.push_back(boost::asio::co_spawn(io_, store_->put(bytes), boost::asio::use_future));
    io_.restart();
    while (io_.run_one_for(std::chrono::seconds(10)) > 0) {
    }
    std::string key;
    for (auto& f : done) {
        ASSERT_EQ(f.wait_for(std::chrono::seconds(0)), std::future_status::ready);
        const auto k = f.get();
        if (key.empty()) key = k;
        EXPECT_EQ(k, key);
    }
    EXPECT_EQ(files_under_root().size(), 1u);
    EXPECT_EQ(*run_sync(io_, store_->get(key)), bytes);
}

TEST_F(local_file_store_test, unknown_and_malformed_keys_are_missing) {
    EXPECT_FALSE(run_sync(io_, store_->get(abc_sha256)).has_value());
    run_sync(io_, store_->put("abc"));
    // Keys are path components: anything put() cannot produce is refused
    // before the disk is touched, even when it would name a real file.
    EXPECT_FALSE(run_sync(io_, store_->get("../ba/78/" + std::string(abc_sha256))).has_value());
    std::string upper = abc_sha256;
    for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    EXPECT_FALSE(run_sync(io_, store_->get(upper)).has_value());
    EXPECT_FALSE(run_sync(io_, store_->get("")).has_value());
    EXPECT_TRUE(run_sync(io_, store_->get(abc_sha256)).has_value());
}

TEST_F(local_file_store_test, the_caller_resumes_on_its_own_thread) {
    const auto caller = std::this_thread::get_id();
    auto task = [&]() -> boost::asio::awaitable<bool> {
        co_await store_->put("where do I resume");
        co_return std::this_thread::get_id() == caller;
    };
    EXPECT_TRUE(run_sync(io_, task()));
}

TEST_F(local_file_store_test, a_disk_failure_reaches_the_caller_as_an_exception) {
    // A regular file where the first-level folder must go makes the write fail.
    fs::create_directories(root_);
    std::ofstream(root_ / "ba") << "in the way";
    EXPECT_THROW(run_sync(io_, store_->put("abc")), std::system_error);
    // The store keeps working for other keys.
    EXPECT_NO_THROW(run_sync(io_, store_->put("other")));
}

}  // namespace
}  // namespace driftway::store
