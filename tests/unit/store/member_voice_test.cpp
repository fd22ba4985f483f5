// Server mute and deafen stored on the member (schema v3).
#include "text_fixture.hpp"

namespace driftway::store::testing {
namespace {

class member_voice_test : public text_test {};
DRIFTWAY_STORE_SUITE(member_voice_test);

TEST_P(member_voice_test, mute_and_deaf_default_off_and_update_independently) {
    join(bob);
    auto fresh = run(db_->members().get(space_id, bob));
    ASSERT_TRUE(fresh.has_value());
    EXPECT_FALSE(fresh->mute);
    EXPECT_FALSE(fresh->deaf);

    member_update muted;
    muted.mute = true;
    auto m = run(db_->members().update(space_id, bob, muted));
    ASSERT_TRUE(m.has_value());
    EXPECT_TRUE(m->mute);
    EXPECT_FALSE(m->deaf);

    member_update deafened;
    deafened.deaf = true;
    m = run(db_->members().update(space_id, bob, deafened));
    ASSERT_TRUE(m.has_value());
    EXPECT_TRUE(m->mute);  // untouched
    EXPECT_TRUE(m->deaf);

    // Other updates keep them; lists and searches read them too.
    m = run(db_->members().update(space_id, bob, nick_update("b")));
    ASSERT_TRUE(m.has_value());
    EXPECT_TRUE(m->mute && m->deaf);
    bool listed = false;
    for (const auto& x : run(db_->members().list(space_id, 0, 100)))
        if (x.user_id == bob) listed = x.mute && x.deaf;
    EXPECT_TRUE(listed);
    auto found = run(db_->members().search(space_id, "bo", 10));
    ASSERT_FALSE(found.empty());
    EXPECT_TRUE(found[0].mute && found[0].deaf);

    member_update unmuted;
    unmuted.mute = false;
    m = run(db_->members().update(space_id, bob, unmuted));
    ASSERT_TRUE(m.has_value());
    EXPECT_FALSE(m->mute);
    EXPECT_TRUE(m->deaf);
    auto stored = run(db_->members().get(space_id, bob));
    ASSERT_TRUE(stored.has_value());
    EXPECT_FALSE(stored->mute);
    EXPECT_TRUE(stored->deaf);
}

}  // namespace
}  // namespace driftway::store::testing
