// The [voice] section: defaults, file values, DRIFTWAY_VOICE_* overrides and
// the errors of bad or unknown keys.
#include "driftway/core/config.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

namespace driftway {
namespace {

class VoiceConfig : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = std::filesystem::temp_directory_path() /
               ("driftway-voice-config-" + std::to_string(std::random_device{}()));
        std::filesystem::create_directories(dir_);
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }

    std::string write(const std::string& text) {
        const auto path = (dir_ / "driftway.toml").string();
        std::ofstream(path) << text;
        return path;
    }

    std::filesystem::path dir_;
};

TEST(VoiceConfigDefaults, MatchTheDocumentation) {
    auto r = config::load(std::nullopt, {});
    ASSERT_TRUE(r.has_value()) << r.error().message;
    const auto& v = r->voice;
    EXPECT_TRUE(v.enabled);
    EXPECT_EQ(v.media_listen, "127.0.0.1:0");
    EXPECT_TRUE(v.announced_ips.empty());
    EXPECT_EQ(v.endpoint, "");
    EXPECT_EQ(v.token_ttl_seconds, 60u);
    EXPECT_TRUE(v.turn_urls.empty());
    EXPECT_EQ(v.turn_secret, "");
    EXPECT_EQ(v.turn_ttl_seconds, 86400u);
    EXPECT_EQ(v.consent_timeout_ms, 15000u);
    EXPECT_EQ(v.speaking_level_threshold, 60u);
    EXPECT_EQ(v.speaking_hangover_ms, 1000u);
}

TEST_F(VoiceConfig, LoadsTheSectionFromTheFile) {
    auto r = config::load(write(R"(
[voice]
enabled = false
media_listen = "0.0.0.0:40000"
announced_ips = ["203.0.113.7", "2001:db8::7"]
endpoint = "wss://chat.example.com/voice"
token_ttl_seconds = 30
turn_urls = ["turn:turn.example.com:3478?transport=udp", "turns:turn.example.com:5349"]
turn_secret = "s3cret"
turn_ttl_seconds = 3600
consent_timeout_ms = 20000
speaking_level_threshold = 50
speaking_hangover_ms = 400
)"),
                          {});
    ASSERT_TRUE(r.has_value()) << r.error().message;
    const auto& v = r->voice;
    EXPECT_FALSE(v.enabled);
    EXPECT_EQ(v.media_listen, "0.0.0.0:40000");
    EXPECT_EQ(v.announced_ips, (std::vector<std::string>{"203.0.113.7", "2001:db8::7"}));
    EXPECT_EQ(v.endpoint, "wss://chat.example.com/voice");
    EXPECT_EQ(v.token_ttl_seconds, 30u);
    EXPECT_EQ(v.turn_urls.size(), 2u);
    EXPECT_EQ(v.turn_secret, "s3cret");
    EXPECT_EQ(v.turn_ttl_seconds, 3600u);
    EXPECT_EQ(v.consent_timeout_ms, 20000u);
    EXPECT_EQ(v.speaking_level_threshold, 50u);
    EXPECT_EQ(v.speaking_hangover_ms, 400u);
}

TEST_F(VoiceConfig, EnvironmentOverridesTheFile) {
    auto r = config::load(write("[voice]\ntoken_ttl_seconds = 30\nenabled = true\n"),
                          {{"DRIFTWAY_VOICE_TOKEN_TTL_SECONDS", "90"},
                           {"DRIFTWAY_VOICE_ENABLED", "false"},
                           {"DRIFTWAY_VOICE_TURN_URLS", "turn:a:3478,turn:b:3478"},
                           {"DRIFTWAY_VOICE_TURN_SECRET", "from-env"},
                           {"DRIFTWAY_VOICE_ANNOUNCED_IPS", "192.0.2.1"}});
    ASSERT_TRUE(r.has_value()) << r.error().message;
    EXPECT_EQ(r->voice.token_ttl_seconds, 90u);
    EXPECT_FALSE(r->voice.enabled);
    EXPECT_EQ(r->voice.turn_urls, (std::vector<std::string>{"turn:a:3478", "turn:b:3478"}));
    EXPECT_EQ(r->voice.turn_secret, "from-env");
    EXPECT_EQ(r->voice.announced_ips, (std::vector<std::string>{"192.0.2.1"}));
}

TEST_F(VoiceConfig, UnknownAndBadKeysAreErrorsNamingThem) {
    auto r = config::load(write("[voice]\ntoken_ttl = 30\n"), {});
    ASSERT_FALSE(r.has_value());
    EXPECT_TRUE(r.error().fields.contains("voice.token_ttl")) << r.error().message;

    r = config::load(std::nullopt, {{"DRIFTWAY_VOICE_TURN_SECRT", "x"}});
    ASSERT_FALSE(r.has_value());
    EXPECT_NE(r.error().message.find("DRIFTWAY_VOICE_TURN_SECRT"), std::string::npos);

    const std::map<std::string, std::string> bad_env[] = {
        {{"DRIFTWAY_VOICE_MEDIA_LISTEN", "no-port"}},
        {{"DRIFTWAY_VOICE_ENDPOINT", "http://example.com/voice"}},
        {{"DRIFTWAY_VOICE_TOKEN_TTL_SECONDS", "0"}},
        {{"DRIFTWAY_VOICE_SPEAKING_LEVEL_THRESHOLD", "128"}},
        {{"DRIFTWAY_VOICE_ENABLED", "maybe"}},
        {{"DRIFTWAY_VOICE_CONSENT_TIMEOUT_MS", "-1"}},
    };
    for (const auto& env : bad_env) {
        auto bad = config::load(std::nullopt, env);
        ASSERT_FALSE(bad.has_value()) << env.begin()->first;
        EXPECT_TRUE(bad.error().fields.contains(env.begin()->first)) << bad.error().message;
    }

    const char* bad_files[] = {
        "[voice]\nannounced_ips = \"192.0.2.1\"\n",
        "[voice]\nturn_secret = 5\n",
        "[voice]\nspeaking_hangover_ms = 1.5\n",
    };
    for (const char* text : bad_files)
        EXPECT_FALSE(config::load(write(text), {}).has_value()) << text;
}

TEST_F(VoiceConfig, TurnSecretNeedsTurnUrls) {
    auto r = config::load(std::nullopt, {{"DRIFTWAY_VOICE_TURN_SECRET", "s"}});
    ASSERT_FALSE(r.has_value());
    EXPECT_TRUE(r.error().fields.contains("voice.turn_urls")) << r.error().message;
}

}  // namespace
}  // namespace driftway
