// The shared cache entries' format and text::directory reading user profiles
// and channels through a shared cache (a fake here; Redis in a cluster).
#include "driftway/text/cache_json.hpp"
#include "driftway/text/directory.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <map>
#include <stdexcept>
#include <tuple>

namespace driftway::text {
namespace {

namespace asio = boost::asio;

store::channel sample_channel() {
    return {.id = 130,
            .space_id = 0,
            .name = "",
            .type = store::channel_type::group_dm,
            .topic = "t\"opic\n",
            .parent_id = 0,
            .position = -3,
            .overwrites = {{.id = 100, .is_member = false, .allow = 0, .deny = ~0ull},
                           {.id = 2, .is_member = true, .allow = 0x400, .deny = 0}},
            .recipients = {1, 18'446'744'073'709'551'615ull},
            .owner_id = 1,
            .origin_message_id = 0,
            .last_message_id = 77,
            .created_at = 1'700'000'000'123};
}

auto fields(const store::channel& c) {
    return std::tie(c.id, c.space_id, c.name, c.type, c.topic, c.parent_id, c.position,
                    c.recipients, c.owner_id, c.origin_message_id, c.last_message_id, c.created_at);
}

TEST(cache_json, user_round_trip_keeps_the_public_profile_only) {
    store::user u{.id = 42,
                  .username = "alice",
                  .email = "alice@example.com",
                  .password_hash = "$argon2id$secret",
                  .display_name = "Alice \xc3\xa9",
                  .avatar = 9'000'000'000'000'000'001ull,
                  .preferences = R"({"theme":"dark"})",
                  .status = "invisible",
                  .created_at = 1'700'000'000'000,
                  .last_active = 1'700'000'000'500,
                  .owner = true};
    const auto text = to_cache_json(u);
    for (const char* secret : {"alice@example.com", "argon2id", "theme", "invisible"})
        EXPECT_EQ(text.find(secret), std::string::npos) << secret;
    const auto back = user_from_cache_json(text);
    ASSERT_TRUE(back);
    EXPECT_EQ(back->id, 42u);
    EXPECT_EQ(back->username, "alice");
    EXPECT_EQ(back->display_name, "Alice \xc3\xa9");
    EXPECT_EQ(back->avatar, u.avatar);
    EXPECT_EQ(back->created_at, u.created_at);
    EXPECT_TRUE(back->email.empty());
    EXPECT_TRUE(back->password_hash.empty());

    u.avatar.reset();
    const auto no_avatar = user_from_cache_json(to_cache_json(u));
    ASSERT_TRUE(no_avatar);
    EXPECT_FALSE(no_avatar->avatar);
}

TEST(cache_json, channel_round_trip_keeps_every_field) {
    const auto c = sample_channel();
    const auto back = channel_from_cache_json(to_cache_json(c));
    ASSERT_TRUE(back);
    EXPECT_EQ(fields(*back), fields(c));
    ASSERT_EQ(back->overwrites.size(), 2u);
    for (std::size_t i = 0; i < 2; ++i) {
        EXPECT_EQ(back->overwrites[i].id, c.overwrites[i].id);
        EXPECT_EQ(back->overwrites[i].is_member, c.overwrites[i].is_member);
        EXPECT_EQ(back->overwrites[i].allow, c.overwrites[i].allow);
        EXPECT_EQ(back->overwrites[i].deny, c.overwrites[i].deny);
    }
}

TEST(cache_json, malformed_entries_are_misses) {
    const auto user = to_cache_json(store::user{.id = 5, .username = "bob", .created_at = 1});
    const auto channel = to_cache_json(sample_channel());
    for (std::size_t n = 0; n < user.size(); ++n)
        EXPECT_FALSE(user_from_cache_json(user.substr(0, n))) << n;
    for (std::size_t n = 0; n < channel.size(); ++n)
        EXPECT_FALSE(channel_from_cache_json(channel.substr(0, n))) << n;
    for (const char* bad :
         {"", "[]", "null", R"({"id":5})", R"({"id":"x","username":"a","display_name":"",
            "avatar":null,"created_at":1})",
          R"({"id":"5","username":7,"display_name":"","avatar":null,"created_at":1})"})
        EXPECT_FALSE(user_from_cache_json(bad)) << bad;
    std::string wrong_type = channel;
    const auto at = wrong_type.find("\"type\":") + 7;
    wrong_type.replace(at, 1, "9");
    EXPECT_FALSE(channel_from_cache_json(wrong_type)) << wrong_type;
}

// Records what the directory asks of the shared cache.
struct fake_cache final : shared_cache {
    std::map<std::string, std::string> entries;
    std::vector<std::string> gets, invalidated;
    std::function<void(std::string_view)> handler;

    asio::awaitable<std::optional<std::string>> get(std::string key) override {
        gets.push_back(key);
        const auto it = entries.find(key);
        if (it == entries.end()) co_return std::nullopt;
        co_return it->second;
    }
    void set(std::string key, std::string value) override { entries[key] = std::move(value); }
    void invalidate(std::string key) override {
        entries.erase(key);
        invalidated.push_back(key);
        if (handler) handler(key);  // as Redis would, to every node
    }
    void on_invalidate(std::function<void(std::string_view)> h) override { handler = std::move(h); }
};

class directory_cache_test : public ::testing::Test {
protected:
    void SetUp() override {
        db_ = store::make_sqlite({.path = ":memory:", .read_threads = 1});
        store::user u{.id = 7,
                      .username = "carol",
                      .email = "carol@example.com",
                      .password_hash = "$argon2id$x",
                      .display_name = "Carol",
                      .created_at = 1'700'000'000'000};
        ASSERT_TRUE(run(db_->users().create(u, false)));
        dir_ = std::make_unique<directory>(*db_);
        dir_->set_shared_cache(&cache_);
    }
    void TearDown() override {
        dir_.reset();
        db_->close();
    }

    template <class T>
    T run(asio::awaitable<T> task) {
        auto done = asio::co_spawn(io_, std::move(task), asio::use_future);
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
        io_.restart();
        while (done.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
            const auto now = std::chrono::steady_clock::now();
            if (now >= deadline) throw std::runtime_error("the coroutine did not finish");
            io_.run_one_for(deadline - now);
        }
        return done.get();
    }
    void rename(id_t id, std::string name) {
        store::user_update change;
        change.display_name = std::move(name);
        ASSERT_TRUE(run(db_->users().update(id, change)));
    }

    asio::io_context io_;
    std::unique_ptr<store::backend> db_;
    fake_cache cache_;
    std::unique_ptr<directory> dir_;
};

TEST_F(directory_cache_test, user_miss_reads_the_database_and_fills_the_shared_cache) {
    const auto u = run(dir_->user(7));
    ASSERT_TRUE(u);
    EXPECT_EQ(u->display_name, "Carol");
    ASSERT_TRUE(cache_.entries.count("cache:user:7"));
    const auto entry = user_from_cache_json(cache_.entries["cache:user:7"]);
    ASSERT_TRUE(entry);
    EXPECT_EQ(entry->display_name, "Carol");
    EXPECT_EQ(cache_.entries["cache:user:7"].find("carol@example.com"), std::string::npos);
    // The second read is local: the shared cache is not asked again.
    run(dir_->user(7));
    EXPECT_EQ(cache_.gets.size(), 1u);
    // Unknown users are not cached anywhere.
    EXPECT_FALSE(run(dir_->user(99)));
    EXPECT_FALSE(cache_.entries.count("cache:user:99"));
}

TEST_F(directory_cache_test, user_hit_in_the_shared_cache_skips_the_database) {
    // Another node loaded the profile; the database now differs, so only a
    // read through the shared entry can answer "From another node".
    store::user shared{.id = 7, .username = "carol", .display_name = "From another node"};
    cache_.entries["cache:user:7"] = to_cache_json(shared);
    const auto u = run(dir_->user(7));
    ASSERT_TRUE(u);
    EXPECT_EQ(u->display_name, "From another node");
}

TEST_F(directory_cache_test, forget_user_invalidates_and_the_next_read_sees_the_change) {
    run(dir_->user(7));
    rename(7, "Caroline");
    dir_->forget_user(7);
    EXPECT_EQ(cache_.invalidated, std::vector<std::string>{"cache:user:7"});
    EXPECT_FALSE(cache_.entries.count("cache:user:7"));
    EXPECT_EQ(run(dir_->user(7))->display_name, "Caroline");
    EXPECT_EQ(user_from_cache_json(cache_.entries["cache:user:7"])->display_name, "Caroline");
}

TEST_F(directory_cache_test, an_invalidation_from_another_node_drops_the_local_copy) {
    run(dir_->user(7));
    rename(7, "Changed elsewhere");
    ASSERT_TRUE(cache_.handler);
    cache_.entries.erase("cache:user:7");
    cache_.handler("cache:user:7");  // another node's forget_user
    EXPECT_EQ(run(dir_->user(7))->display_name, "Changed elsewhere");
    // Keys of other kinds, or malformed, are ignored.
    cache_.handler("cache:user:");
    cache_.handler("cache:user:7x");
    cache_.handler("session:7");
    EXPECT_TRUE(cache_.invalidated.empty());  // handling never re-invalidates
}

TEST_F(directory_cache_test, dm_channels_read_through_and_forget_invalidates) {
    auto dm = sample_channel();
    dm.recipients = {7};
    dm.overwrites.clear();
    run(db_->channels().create(dm));
    auto c = run(dir_->channel(dm.id));
    ASSERT_TRUE(c);
    EXPECT_EQ(c->last_message_id, dm.last_message_id);
    ASSERT_TRUE(cache_.entries.count("cache:channel:130"));

    // A fresh node reads the shared entry, not the database.
    directory other(*db_);
    other.set_shared_cache(&cache_);
    auto shared = sample_channel();
    shared.recipients = {7};
    shared.overwrites.clear();
    shared.topic = "only in the shared entry";
    cache_.entries["cache:channel:130"] = to_cache_json(shared);
    EXPECT_EQ(run(other.channel(130))->topic, "only in the shared entry");

    other.forget_channel(130);
    EXPECT_EQ(cache_.invalidated, std::vector<std::string>{"cache:channel:130"});
    EXPECT_EQ(run(other.channel(130))->topic, dm.topic);
}

}  // namespace
}  // namespace driftway::text
