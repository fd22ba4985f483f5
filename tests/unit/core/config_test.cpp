#include "driftway/core/config.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

namespace driftway {
namespace {

class ConfigFile : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = std::filesystem::temp_directory_path() /
               ("driftway-config-" + std::to_string(std::random_device{}()));
        std::filesystem::create_directories(dir_);
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }

    std::string write(const std::string& text) {
        const auto path = (dir_ / "driftway.toml").string();
        std::ofstream(path) << text;
        return path;
    }

    // The error for a file and environment that must not load.
    error load_error(const std::string& toml, const std::map<std::string, std::string>& env = {}) {
        auto r = config::load(write(toml), env);
        EXPECT_FALSE(r.has_value()) << toml;
        return r.has_value() ? error{} : r.error();
    }

    std::filesystem::path dir_;
};

TEST(Config, DefaultsWithoutFileOrEnvironment) {
    auto r = config::load(std::nullopt, {});
    ASSERT_TRUE(r.has_value()) << r.error().message;
    EXPECT_EQ(r->server.listen, "127.0.0.1:8080");
    EXPECT_EQ(r->listen_host(), "127.0.0.1");
    EXPECT_EQ(r->listen_port(), 8080);
    EXPECT_EQ(r->auth.password_cost, "interactive");
    EXPECT_FALSE(r->tls.enabled);
    EXPECT_DOUBLE_EQ(r->rate_limits.login.per_second, 10.0 / 60);
}

TEST_F(ConfigFile, LoadsTomlValues) {
    auto r = config::load(write(R"(
[server]
listen = "0.0.0.0:9000"
shards = 2
node_id = 17
cors_origins = ["https://a.example", "https://b.example"]
trust_proxy = true

[auth]
password_cost = "min"
access_token_ttl = 60

[rate_limits]
login_burst = 20          # an integer for a decimal setting
ip_per_second = 2.5

[instance]
name = "Test Instance"
)"),
                          {});
    ASSERT_TRUE(r.has_value()) << r.error().message;
    EXPECT_EQ(r->server.listen, "0.0.0.0:9000");
    EXPECT_EQ(r->listen_port(), 9000);
    EXPECT_EQ(r->server.shards, 2u);
    EXPECT_EQ(r->server.node_id, 17u);
    EXPECT_EQ(r->server.cors_origins,
              (std::vector<std::string>{"https://a.example", "https://b.example"}));
    EXPECT_TRUE(r->server.trust_proxy);
    EXPECT_EQ(r->auth.password_cost, "min");
    EXPECT_EQ(r->auth.access_token_ttl, 60u);
    EXPECT_DOUBLE_EQ(r->rate_limits.login.burst, 20);
    EXPECT_DOUBLE_EQ(r->rate_limits.ip.per_second, 2.5);
    EXPECT_EQ(r->instance.name, "Test Instance");
    // Untouched keys keep their defaults.
    EXPECT_EQ(r->storage.data_dir, "./data");
}

TEST_F(ConfigFile, EnvironmentOverridesFile) {
    const auto path = write(R"(
[server]
listen = "0.0.0.0:9000"
shards = 2
[log]
level = "debug"
)");
    auto r = config::load(path, {{"DRIFTWAY_SERVER_LISTEN", "127.0.0.1:7000"},
                                 {"DRIFTWAY_SERVER_CORS_ORIGINS", "https://x,https://y"},
                                 {"DRIFTWAY_RATE_LIMITS_REGISTER_PER_SECOND", "0.5"},
                                 {"DRIFTWAY_TLS_ENABLED", "false"},
                                 {"DRIFTWAY_CONFIG", path},
                                 {"HOME", "/root"}});
    ASSERT_TRUE(r.has_value()) << r.error().message;
    EXPECT_EQ(r->server.listen, "127.0.0.1:7000");
    EXPECT_EQ(r->server.shards, 2u);  // from the file
    EXPECT_EQ(r->log.level, "debug");
    EXPECT_EQ(r->server.cors_origins, (std::vector<std::string>{"https://x", "https://y"}));
    EXPECT_DOUBLE_EQ(r->rate_limits.register_.per_second, 0.5);
}

TEST_F(ConfigFile, UnknownKeysAreErrorsNamingThem) {
    auto e = load_error("[server]\nlisten = \"127.0.0.1:1\"\nlisen = \"x\"\n");
    EXPECT_NE(e.message.find("server.lisen"), std::string::npos) << e.message;
    EXPECT_TRUE(e.fields.contains("server.lisen"));

    e = load_error("[sever]\nlisten = \"127.0.0.1:1\"\n");
    EXPECT_NE(e.message.find("sever.listen"), std::string::npos) << e.message;

    e = load_error("listen = \"127.0.0.1:1\"\n");
    EXPECT_NE(e.message.find("listen"), std::string::npos) << e.message;

    auto r = config::load(std::nullopt, {{"DRIFTWAY_SERVER_SHARD", "2"}});
    ASSERT_FALSE(r.has_value());
    EXPECT_NE(r.error().message.find("DRIFTWAY_SERVER_SHARD"), std::string::npos);

    // Variables outside every settings section belong to tools, not to us.
    EXPECT_TRUE(config::load(std::nullopt, {{"DRIFTWAY_BIN", "/usr/bin/driftway"}}).has_value());
}

TEST_F(ConfigFile, WrongTypesAreErrors) {
    const char* bad[] = {
        "[server]\nshards = \"two\"\n",         "[server]\nlisten = 8080\n",
        "[server]\ntrust_proxy = \"yes\"\n",    "[server]\ncors_origins = \"https://a\"\n",
        "[server]\ncors_origins = [1, 2]\n",    "[server]\nshards = 2.5\n",
        "[rate_limits]\nip_burst = \"many\"\n", "[rate_limits]\nip_burst = -1\n",
        "[server]\nnode_id = 1024\n",           "[server]\nshards = -1\n",
        "[auth]\npassword_cost = \"low\"\n",    "[storage]\ndriver = \"mysql\"\n",
    };
    for (const char* toml : bad) {
        const auto e = load_error(toml);
        EXPECT_EQ(e.code, "bad_config") << toml;
        EXPECT_EQ(e.fields.size(), 1u) << toml;
    }
    const std::map<std::string, std::string> bad_env[] = {
        {{"DRIFTWAY_SERVER_SHARDS", "two"}},         {{"DRIFTWAY_SERVER_SHARDS", "-1"}},
        {{"DRIFTWAY_SERVER_SHARDS", "2x"}},          {{"DRIFTWAY_SERVER_TRUST_PROXY", "maybe"}},
        {{"DRIFTWAY_RATE_LIMITS_IP_BURST", "lots"}}, {{"DRIFTWAY_RATE_LIMITS_IP_BURST", ""}},
        {{"DRIFTWAY_SERVER_NODE_ID", "99999"}},
    };
    for (const auto& env : bad_env)
        EXPECT_FALSE(config::load(std::nullopt, env).has_value()) << env.begin()->first;
}

TEST_F(ConfigFile, BadListenAddressesAreErrors) {
    for (const char* listen : {"localhost", "127.0.0.1:", ":8080", "127.0.0.1:99999",
                               "127.0.0.1:http", "[::1]", "[::1:80"}) {
        const auto e = load_error(std::string("[server]\nlisten = \"") + listen + "\"\n");
        EXPECT_NE(e.message.find("server.listen"), std::string::npos) << listen;
    }
    EXPECT_FALSE(config::load(std::nullopt, {{"DRIFTWAY_SERVER_LISTEN", "nope"}}).has_value());
    EXPECT_FALSE(
        config::load(std::nullopt, {{"DRIFTWAY_TLS_REDIRECT_LISTEN", "nope"}}).has_value());
    EXPECT_TRUE(config::load(std::nullopt, {{"DRIFTWAY_TLS_REDIRECT_LISTEN", ""}}).has_value());
}

TEST_F(ConfigFile, TlsNeedsCertificateAndKey) {
    auto e = load_error("[tls]\nenabled = true\n");
    EXPECT_NE(e.message.find("tls"), std::string::npos);
    e = load_error("[tls]\nenabled = true\ncert_file = \"/c.pem\"\n");
    EXPECT_NE(e.message.find("key_file"), std::string::npos) << e.message;
    auto r = config::load(
        write("[tls]\nenabled = true\ncert_file = \"/c.pem\"\nkey_file = \"/k.pem\"\n"), {});
    ASSERT_TRUE(r.has_value()) << r.error().message;
    EXPECT_TRUE(r->tls.enabled);
    // Enabled from the environment with the files in the config file.
    r = config::load(write("[tls]\ncert_file = \"/c.pem\"\nkey_file = \"/k.pem\"\n"),
                     {{"DRIFTWAY_TLS_ENABLED", "true"}});
    ASSERT_TRUE(r.has_value()) << r.error().message;
    EXPECT_TRUE(r->tls.enabled);
}

TEST_F(ConfigFile, SyntaxErrorsAndMissingFilesAreErrors) {
    auto e = load_error("[server]\nlisten = \"127.0.0.1:80\"\nshards = = 2\n");
    EXPECT_EQ(e.code, "bad_config");
    EXPECT_NE(e.message.find(":3"), std::string::npos) << e.message;  // the line
    auto r = config::load((dir_ / "missing.toml").string(), {});
    ASSERT_FALSE(r.has_value());
    EXPECT_NE(r.error().message.find("missing.toml"), std::string::npos) << r.error().message;
}

TEST(SplitHostPort, AcceptsHostsAndBracketedIpv6) {
    struct ok_case {
        const char* text;
        const char* host;
        std::uint16_t port;
    };
    for (const auto& c :
         {ok_case{"127.0.0.1:80", "127.0.0.1", 80}, ok_case{"example.com:443", "example.com", 443},
          ok_case{"[::1]:80", "::1", 80}, ok_case{"[2001:db8::1]:8080", "2001:db8::1", 8080},
          ok_case{"0.0.0.0:0", "0.0.0.0", 0}, ok_case{"h:65535", "h", 65535}}) {
        std::string host;
        std::uint16_t port = 1;
        ASSERT_TRUE(split_host_port(c.text, host, port)) << c.text;
        EXPECT_EQ(host, c.host);
        EXPECT_EQ(port, c.port);
    }
}

TEST(SplitHostPort, RejectsMalformed) {
    for (const char* text : {"", "host", "host:", ":80", "h:65536", "h:-1", "h:+1", "h:8o", "[::1]",
                             "[::1]80", "[::1]:", "[]:80", "[::1:80"}) {
        std::string host = "unchanged";
        std::uint16_t port = 7;
        EXPECT_FALSE(split_host_port(text, host, port)) << text;
        EXPECT_EQ(host, "unchanged") << text;
        EXPECT_EQ(port, 7) << text;
    }
}

}  // namespace
}  // namespace driftway
