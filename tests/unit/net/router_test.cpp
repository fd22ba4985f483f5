#include "driftway/net/router.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <gtest/gtest.h>

#include <stdexcept>

namespace driftway::net {
namespace {

handler tag(std::string name) {
    return [name](request&) -> boost::asio::awaitable<response> {
        co_return response::text(200, name);
    };
}

router sample() {
    router r;
    r.add(method::get, "/", tag("root"));
    r.add(method::get, "/users/@me", tag("me"));
    r.add(method::patch, "/users/@me", tag("patch me"));
    r.add(method::get, "/users/{user_id}", tag("user"));
    r.add(method::delete_, "/users/{user_id}", tag("delete user"));
    r.add(method::get, "/users/{user_id}/profile", tag("profile"));
    r.add(method::get, "/channels/{channel_id}/messages", tag("messages"));
    r.add(method::post, "/channels/{channel_id}/messages", tag("post message"));
    r.add(method::get, "/channels/{channel_id}/messages/{message_id}", tag("message"));
    r.add(method::get, "/channels/pins", tag("pins"));
    return r;
}

request make(method m, std::string target) {
    request req;
    req.verb = m;
    req.target = std::move(target);
    return req;
}

struct match_case {
    method verb;
    std::string target;
    std::string route;  // empty: no handler
    std::vector<std::pair<std::string, std::string>> params;
};

TEST(Router, MatchingTable) {
    const router r = sample();
    const std::vector<match_case> cases = {
        {method::get, "/", "/", {}},
        {method::get, "/users/@me", "/users/@me", {}},
        {method::patch, "/users/@me", "/users/@me", {}},
        // A literal escaped in the request still reaches the literal route.
        {method::get, "/users/%40me", "/users/@me", {}},
        {method::get, "/users/123", "/users/{user_id}", {{"user_id", "123"}}},
        // No DELETE on the literal: the placeholder route takes it.
        {method::delete_, "/users/@me", "/users/{user_id}", {{"user_id", "@me"}}},
        // The literal branch dead-ends, so matching backtracks to {user_id}.
        {method::get, "/users/@me/profile", "/users/{user_id}/profile", {{"user_id", "@me"}}},
        {method::get, "/users/a%2Fb", "/users/{user_id}", {{"user_id", "a/b"}}},
        {method::get, "/users/caf%C3%A9?x=1", "/users/{user_id}", {{"user_id", "caf\xC3\xA9"}}},
        {method::get, "/channels/pins", "/channels/pins", {}},
        {method::get,
         "/channels/7/messages/9",
         "/channels/{channel_id}/messages/{message_id}",
         {{"channel_id", "7"}, {"message_id", "9"}}},
        {method::post,
         "/channels/7/messages",
         "/channels/{channel_id}/messages",
         {{"channel_id", "7"}}},
        {method::head, "/users/5", "/users/{user_id}", {{"user_id", "5"}}},
        {method::get, "/users/5/", "", {}},  // trailing slash is another resource
        {method::get, "/users", "", {}},
        {method::get, "/users//profile", "", {}},
        {method::get, "/nope", "", {}},
        {method::get, "", "", {}},
        {method::get, "users/5", "", {}},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(std::string(to_string(c.verb)) + " " + c.target);
        auto req = make(c.verb, c.target);
        const auto m = r.match(req);
        if (c.route.empty()) {
            EXPECT_EQ(m.h, nullptr);
            continue;
        }
        ASSERT_NE(m.h, nullptr);
        EXPECT_EQ(req.route, c.route);
        ASSERT_EQ(req.params.size(), c.params.size());
        for (std::size_t i = 0; i < c.params.size(); ++i) {
            EXPECT_EQ(req.params[i].first, c.params[i].first);
            EXPECT_EQ(req.params[i].second, c.params[i].second);
            EXPECT_EQ(req.param(c.params[i].first), c.params[i].second);
        }
    }
}

TEST(Router, HandlerIsTheRegisteredOne) {
    const router r = sample();
    auto req = make(method::get, "/users/@me");
    const auto m = r.match(req);
    ASSERT_NE(m.h, nullptr);
    boost::asio::io_context ioc;
    std::string body;
    boost::asio::co_spawn(
        ioc,
        [&]() -> boost::asio::awaitable<void> {
            const response res = co_await (*m.h)(req);
            body = res.body;
        },
        [](std::exception_ptr e) {
            if (e) std::rethrow_exception(e);
        });
    ioc.run();
    EXPECT_EQ(body, "me");
}

TEST(Router, WrongMethodReportsAllowedMethods) {
    const router r = sample();
    auto req = make(method::put, "/users/@me");
    const auto m = r.match(req);
    EXPECT_EQ(m.h, nullptr);
    EXPECT_TRUE(m.path_known);
    // Both the literal and the placeholder route exist for this path.
    EXPECT_EQ(m.allowed,
              (std::vector<method>{method::get, method::head, method::patch, method::delete_}));
    EXPECT_TRUE(req.route.empty());

    auto post = make(method::post, "/channels/1/messages/2");
    const auto pm = r.match(post);
    EXPECT_EQ(pm.h, nullptr);
    EXPECT_TRUE(pm.path_known);
    EXPECT_EQ(pm.allowed, (std::vector<method>{method::get, method::head}));
}

TEST(Router, UnknownPathIsNotKnown) {
    const router r = sample();
    for (const char* target : {"/nope", "/users/1/profile/x", "/users/1/"}) {
        auto req = make(method::get, target);
        const auto m = r.match(req);
        EXPECT_EQ(m.h, nullptr) << target;
        EXPECT_FALSE(m.path_known) << target;
        EXPECT_TRUE(m.allowed.empty()) << target;
    }
}

TEST(Router, FallsBackToPathWithoutTarget) {
    const router r = sample();
    request req;
    req.verb = method::get;
    req.path = "/users/9";
    ASSERT_NE(r.match(req).h, nullptr);
    EXPECT_EQ(req.param("user_id"), "9");
}

TEST(Router, VeryDeepPathsMatchNothing) {
    const router r = sample();
    std::string deep;
    for (int i = 0; i < 100; ++i) deep += "/x";
    auto req = make(method::get, deep);
    EXPECT_EQ(r.match(req).h, nullptr);
}

TEST(Router, RejectsBadPatterns) {
    router r;
    r.add(method::get, "/a/{id}", tag("a"));
    EXPECT_THROW(r.add(method::get, "/a/{id}", tag("dup")), std::invalid_argument);
    EXPECT_THROW(r.add(method::get, "a/b", tag("x")), std::invalid_argument);
    EXPECT_THROW(r.add(method::get, "/a//b", tag("x")), std::invalid_argument);
    EXPECT_THROW(r.add(method::get, "/a/x{id}", tag("x")), std::invalid_argument);
    EXPECT_NO_THROW(r.add(method::post, "/a/{id}", tag("post")));
}

TEST(Router, RouteStaysValidAfterMove) {
    router r = sample();
    router moved = std::move(r);
    auto req = make(method::get, "/users/1/profile");
    ASSERT_NE(moved.match(req).h, nullptr);
    EXPECT_EQ(req.route, "/users/{user_id}/profile");
}

}  // namespace
}  // namespace driftway::net
