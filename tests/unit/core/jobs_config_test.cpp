// The [jobs] section: defaults, file values, DRIFTWAY_JOBS_* overrides and
// out-of-range values.
#include "driftway/core/config.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

namespace driftway {
namespace {

TEST(jobs_config, defaults_match_the_documentation) {
    auto r = config::load(std::nullopt, {});
    ASSERT_TRUE(r.has_value()) << r.error().message;
    EXPECT_EQ(r->jobs.max_attempts, 8u);
    EXPECT_EQ(r->jobs.backoff_base_ms, 1000u);
    EXPECT_EQ(r->jobs.backoff_max_ms, 600000u);
    EXPECT_EQ(r->jobs.poll_interval_ms, 500u);
}

TEST(jobs_config, file_then_environment) {
    const auto dir = std::filesystem::temp_directory_path() /
                     ("driftway-jobs-config-" + std::to_string(std::random_device{}()));
    std::filesystem::create_directories(dir);
    const auto path = (dir / "driftway.toml").string();
    std::ofstream(path) << "[jobs]\nmax_attempts = 3\nbackoff_base_ms = 250\n";
    auto r = config::load(
        path, {{"DRIFTWAY_JOBS_MAX_ATTEMPTS", "5"}, {"DRIFTWAY_JOBS_POLL_INTERVAL_MS", "20"}});
    std::filesystem::remove_all(dir);
    ASSERT_TRUE(r.has_value()) << r.error().message;
    EXPECT_EQ(r->jobs.max_attempts, 5u);
    EXPECT_EQ(r->jobs.backoff_base_ms, 250u);
    EXPECT_EQ(r->jobs.backoff_max_ms, 600000u);
    EXPECT_EQ(r->jobs.poll_interval_ms, 20u);
}

TEST(jobs_config, bad_values_name_the_variable) {
    for (const auto& [name, value] : {std::pair{"DRIFTWAY_JOBS_MAX_ATTEMPTS", "0"},
                                      std::pair{"DRIFTWAY_JOBS_MAX_ATTEMPTS", "x"},
                                      std::pair{"DRIFTWAY_JOBS_POLL_INTERVAL_MS", "1"},
                                      std::pair{"DRIFTWAY_JOBS_BACKOFF_BASE_MS", "0"},
                                      std::pair{"DRIFTWAY_JOBS_NO_SUCH_KEY", "1"}}) {
        auto r = config::load(std::nullopt, {{name, value}});
        ASSERT_FALSE(r.has_value()) << name << "=" << value;
        EXPECT_NE(r.error().message.find(name), std::string::npos) << r.error().message;
    }
}

}  // namespace
}  // namespace driftway
