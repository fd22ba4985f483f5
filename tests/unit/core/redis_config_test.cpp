// [redis] url: empty keeps every node-local implementation; a redis:// URL
// (file or DRIFTWAY_REDIS_URL) selects the cluster's bus.
#include "driftway/core/config.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

namespace driftway {
namespace {

TEST(RedisConfig, EmptyByDefault) {
    auto r = config::load(std::nullopt, {});
    ASSERT_TRUE(r.has_value()) << r.error().message;
    EXPECT_EQ(r->redis.url, "");
}

TEST(RedisConfig, FromFileAndEnvironmentWhichWins) {
    const auto path = std::filesystem::temp_directory_path() /
                      ("driftway-redis-" + std::to_string(std::random_device{}()) + ".toml");
    std::ofstream(path) << "[redis]\nurl = \"redis://10.0.0.5:6380/2\"\n";
    auto from_file = config::load(path.string(), {});
    ASSERT_TRUE(from_file.has_value()) << from_file.error().message;
    EXPECT_EQ(from_file->redis.url, "redis://10.0.0.5:6380/2");

    auto from_env = config::load(path.string(), {{"DRIFTWAY_REDIS_URL", "redis://cache:7000"}});
    ASSERT_TRUE(from_env.has_value()) << from_env.error().message;
    EXPECT_EQ(from_env->redis.url, "redis://cache:7000");
    std::filesystem::remove(path);
}

TEST(RedisConfig, BadUrlsAreErrorsNamingTheKey) {
    for (const char* bad : {"localhost:6379", "http://x:1", "redis://", "redis://:6379",
                            "redis://h:0", "redis://h:99999", "redis://h:1/16", "redis://h:1/x",
                            "redis://user:pw@h:1", "redis://::1:6379"}) {
        auto r = config::load(std::nullopt, {{"DRIFTWAY_REDIS_URL", bad}});
        ASSERT_FALSE(r.has_value()) << bad;
        EXPECT_NE(r.error().message.find("DRIFTWAY_REDIS_URL"), std::string::npos)
            << r.error().message;
    }
}

TEST(RedisUrl, HostPortAndDatabase) {
    struct ok_case {
        const char* url;
        const char* host;
        std::uint16_t port;
        unsigned db;
    };
    for (const auto& c :
         {ok_case{"redis://127.0.0.1:6379", "127.0.0.1", 6379, 0},
          ok_case{"redis://redis", "redis", 6379, 0}, ok_case{"redis://redis/3", "redis", 6379, 3},
          ok_case{"redis://r.example:7000/15", "r.example", 7000, 15},
          ok_case{"redis://[::1]:6380", "::1", 6380, 0}, ok_case{"redis://[::1]", "::1", 6379, 0},
          ok_case{"redis://h:1/", "h", 1, 0}}) {
        std::string host;
        std::uint16_t port = 0;
        unsigned db = 99;
        ASSERT_TRUE(parse_redis_url(c.url, host, port, db)) << c.url;
        EXPECT_EQ(host, c.host) << c.url;
        EXPECT_EQ(port, c.port) << c.url;
        EXPECT_EQ(db, c.db) << c.url;
    }
}

}  // namespace
}  // namespace driftway
