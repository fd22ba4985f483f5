#include "routes/common.hpp"
#include "routes/audit.hpp"

#include <gtest/gtest.h>

namespace driftway::text::routes {
namespace {

namespace perm = auth::perm;

error caught(auto&& f) {
    try {
        f();
    } catch (const error_exception& e) {
        return e.get();
    }
    ADD_FAILURE() << "no error was thrown";
    return {};
}

TEST(route_helpers, missing_permission_names_the_permission) {
    auto e = caught([] { require(perm::view_channel, perm::view_channel | perm::manage_roles); });
    EXPECT_EQ(e.status, 403);
    EXPECT_EQ(e.code, "missing_permission");
    EXPECT_NE(e.message.find("manage_roles"), std::string::npos) << e.message;
    EXPECT_EQ(e.message.find("view_channel"), std::string::npos) << e.message;
    EXPECT_NO_THROW(require(perm::all, perm::ban_members));
}

TEST(route_helpers, every_permission_has_a_name) {
    for (int bit = 0; bit < 64; ++bit) {
        const auth::permission_set p = 1ull << bit;
        EXPECT_EQ(permission_names(p).empty(), (p & perm::all) == 0) << bit;
    }
    EXPECT_EQ(permission_names(perm::kick_members | perm::ban_members),
              "kick_members, ban_members");
}

TEST(route_helpers, path_ids) {
    request req;
    req.params = {{"space_id", "123"}, {"user_id", "@me"}, {"bad", "01"}};
    EXPECT_EQ(path_id(req, "space_id", "space"), 123u);
    EXPECT_EQ(path_user_id(req, "user_id", 9, "member"), 9u);
    auto e = caught([&] { path_id(req, "bad", "space"); });
    EXPECT_EQ(e.status, 404);
    EXPECT_EQ(e.code, "unknown_space");
}

TEST(route_helpers, query_parameters) {
    request req;
    req.query = "limit=20&after=77&bad=x";
    EXPECT_EQ(query_int(req, "limit", 1, 100, 50), 20);
    EXPECT_EQ(query_int(req, "missing", 1, 100, 50), 50);
    EXPECT_EQ(query_id(req, "after"), 77u);
    EXPECT_EQ(query_id(req, "missing"), 0u);
    auto e = caught([&] { query_int(req, "limit", 1, 10, 5); });
    EXPECT_EQ(e.code, "validation_failed");
    EXPECT_TRUE(e.fields.contains("limit"));
    EXPECT_TRUE(caught([&] { query_id(req, "bad"); }).fields.contains("bad"));
    req.query = "limit=";
    EXPECT_EQ(caught([&] { query_int(req, "limit", 1, 10, 5); }).status, 400);
}

TEST(route_helpers, audit_reason_header) {
    request req;
    EXPECT_EQ(audit_reason(req), "");
    req.headers.set("X-Audit-Log-Reason", "spam%20links%20%E2%9C%93");
    EXPECT_EQ(audit_reason(req), "spam links \u2713");
    req.headers.set("X-Audit-Log-Reason", "100%");  // a lone '%' stays
    EXPECT_EQ(audit_reason(req), "100%");
    req.headers.set("X-Audit-Log-Reason", "%FF%FE");
    EXPECT_EQ(caught([&] { audit_reason(req); }).status, 400);
    req.headers.set("X-Audit-Log-Reason", "line%0Abreak");
    EXPECT_EQ(caught([&] { audit_reason(req); }).status, 400);
    req.headers.set("X-Audit-Log-Reason", std::string(max_audit_reason + 1, 'a'));
    EXPECT_EQ(caught([&] { audit_reason(req); }).status, 400);
}

}  // namespace
}  // namespace driftway::text::routes
