#include "store_fixture.hpp"

#include <tuple>

namespace driftway::store::testing {
namespace {

class api_keys_test : public store_test {
protected:
    void SetUp() override {
        store_test::SetUp();
        add_user(1, "alice");
        add_user(2, "bob");
    }

    api_key add_key(id_t id, id_t owner, std::vector<std::string> scopes) {
        api_key k;
        k.id = id;
        k.owner_id = owner;
        k.name = "key " + std::to_string(id);
        k.scopes = std::move(scopes);
        k.key_hash = "hash" + std::to_string(id);
        k.created_at = 1'700'000'000'000 + static_cast<std::int64_t>(id);
        run(db_->api_keys().insert(k));
        return k;
    }
};
DRIFTWAY_STORE_SUITE(api_keys_test);

auto fields(const api_key& k) {
    return std::tie(k.id, k.owner_id, k.name, k.scopes, k.key_hash, k.created_at, k.last_used,
                    k.revoked);
}

TEST_P(api_keys_test, list_for_returns_the_owners_keys_by_id) {
    const auto k20 = add_key(20, 1, {"messages:write", "channels:read"});
    const auto k10 = add_key(10, 1, {});
    const auto k30 = add_key(30, 2, {"bot"});

    const auto mine = run(db_->api_keys().list_for(1));
    ASSERT_EQ(mine.size(), 2u);
    EXPECT_EQ(fields(mine[0]), fields(k10));
    EXPECT_EQ(fields(mine[1]), fields(k20));

    const auto theirs = run(db_->api_keys().list_for(2));
    ASSERT_EQ(theirs.size(), 1u);
    EXPECT_EQ(fields(theirs[0]), fields(k30));

    EXPECT_TRUE(run(db_->api_keys().list_for(3)).empty());
}

TEST_P(api_keys_test, by_hash_finds_only_live_keys) {
    const auto k = add_key(10, 1, {"a", "b \"quoted\""});
    auto found = run(db_->api_keys().by_hash("hash10"));
    ASSERT_TRUE(found.has_value());
    EXPECT_EQ(fields(*found), fields(k));
    EXPECT_FALSE(run(db_->api_keys().by_hash("hash11")).has_value());

    ASSERT_TRUE(run(db_->api_keys().revoke(1, 10)));
    EXPECT_FALSE(run(db_->api_keys().by_hash("hash10")).has_value());
    const auto listed = run(db_->api_keys().list_for(1));
    ASSERT_EQ(listed.size(), 1u);
    EXPECT_TRUE(listed[0].revoked);
}

TEST_P(api_keys_test, only_the_owner_revokes_and_only_once) {
    add_key(10, 1, {});
    EXPECT_FALSE(run(db_->api_keys().revoke(2, 10)));
    EXPECT_TRUE(run(db_->api_keys().by_hash("hash10")).has_value());
    EXPECT_TRUE(run(db_->api_keys().revoke(1, 10)));
    EXPECT_FALSE(run(db_->api_keys().revoke(1, 10)));
    EXPECT_FALSE(run(db_->api_keys().revoke(1, 99)));
}

TEST_P(api_keys_test, touch_records_last_use) {
    add_key(10, 1, {});
    add_key(11, 1, {});
    run(db_->api_keys().touch(10, 1'800'000'000'000));
    const auto keys = run(db_->api_keys().list_for(1));
    ASSERT_EQ(keys.size(), 2u);
    EXPECT_EQ(keys[0].last_used, 1'800'000'000'000);
    EXPECT_EQ(keys[1].last_used, 0);
}

}  // namespace
}  // namespace driftway::store::testing
