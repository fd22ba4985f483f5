#include "store_fixture.hpp"

#include <tuple>

namespace driftway::store::testing {
namespace {

class instance_test : public store_test {};
DRIFTWAY_STORE_SUITE(instance_test);

auto fields(const instance_settings& s) {
    return std::tie(s.name, s.registration, s.max_upload_bytes, s.owner_id);
}

TEST_P(instance_test, fresh_database_has_the_default_settings) {
    const instance_settings defaults;
    EXPECT_EQ(fields(run(db_->instance().get())), fields(defaults));
}

TEST_P(instance_test, put_replaces_the_settings) {
    add_user(7, "owner");
    instance_settings s;
    s.name = "Night Owls";
    s.registration = "invite";
    s.max_upload_bytes = 8 << 20;
    s.owner_id = 7;
    run(db_->instance().put(s));
    EXPECT_EQ(fields(run(db_->instance().get())), fields(s));

    s.registration = "closed";
    s.owner_id.reset();
    run(db_->instance().put(s));
    EXPECT_EQ(fields(run(db_->instance().get())), fields(s));
}

TEST_P(instance_test, owner_must_be_an_existing_user) {
    instance_settings s;
    s.owner_id = 999;
    try {
        run(db_->instance().put(s));
        FAIL() << "put accepted an unknown owner";
    } catch (const error_exception& e) {
        EXPECT_EQ(e.get().status, 409);
    }
    EXPECT_FALSE(run(db_->instance().get()).owner_id.has_value());
}

}  // namespace
}  // namespace driftway::store::testing
