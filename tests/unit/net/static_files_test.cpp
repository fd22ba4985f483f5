#include "driftway/net/static_files.hpp"

#include "driftway/net/pipeline.hpp"
#include "net_test_support.hpp"
#include "static_files.hpp"

#include <boost/json/parse.hpp>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

namespace driftway::net {
namespace {

namespace fs = std::filesystem;
using test::run_coroutine;

class StaticFiles : public ::testing::Test {
protected:
    void SetUp() override {
        std::random_device rd;
        base_ = fs::temp_directory_path() / ("driftway-static-" + std::to_string(rd()));
        root_ = base_ / "web";
        fs::create_directories(root_ / "assets");
        write(root_ / "index.html", "<!doctype html><title>app</title>");
        write(root_ / "assets" / "index-abc123.js", "console.log(1)");
        write(root_ / "assets" / "index-abc123.css", "body{}");
        write(root_ / "favicon.svg", "<svg/>");
        write(root_ / ".env", "SECRET=1");
        write(base_ / "outside.txt", "secret outside the root");
    }
    void TearDown() override {
        std::error_code ec;
        fs::remove_all(base_, ec);
    }

    static void write(const fs::path& p, std::string_view text) {
        std::ofstream out(p, std::ios::binary);
        out << text;
    }

    static request get(std::string path, method m = method::get) {
        request req;
        req.verb = m;
        req.target = path;
        req.path = std::move(path);
        return req;
    }

    static_files files() const { return static_files({.root = root_.string()}); }

    fs::path base_;
    fs::path root_;
};

TEST_F(StaticFiles, RootServesIndexWithoutCaching) {
    const auto res = files().serve(get("/"));
    EXPECT_EQ(res.status, 200);
    EXPECT_EQ(res.body, "<!doctype html><title>app</title>");
    EXPECT_EQ(res.headers.get("Content-Type"), "text/html; charset=utf-8");
    EXPECT_EQ(res.headers.get("Cache-Control"), "no-cache");
    EXPECT_TRUE(res.headers.contains("ETag"));
}

TEST_F(StaticFiles, HashedAssetsAreImmutableAndTyped) {
    const auto js = files().serve(get("/assets/index-abc123.js"));
    EXPECT_EQ(js.status, 200);
    EXPECT_EQ(js.body, "console.log(1)");
    EXPECT_EQ(js.headers.get("Content-Type"), "text/javascript; charset=utf-8");
    EXPECT_EQ(js.headers.get("Cache-Control"), "public, max-age=31536000, immutable");

    const auto css = files().serve(get("/assets/index-abc123.css"));
    EXPECT_EQ(css.headers.get("Content-Type"), "text/css; charset=utf-8");

    const auto svg = files().serve(get("/favicon.svg"));
    EXPECT_EQ(svg.status, 200);
    EXPECT_EQ(svg.headers.get("Content-Type"), "image/svg+xml");
    EXPECT_EQ(svg.headers.get("Cache-Control"), "no-cache");
}

TEST_F(StaticFiles, ClientRoutesFallBackToIndex) {
    for (const char* path : {"/invite/aZ3kP9qL", "/channels/123/456", "/login", "/assets/"}) {
        const auto res = files().serve(get(path));
        EXPECT_EQ(res.status, 200) << path;
        EXPECT_EQ(res.body, "<!doctype html><title>app</title>") << path;
        EXPECT_EQ(res.headers.get("Cache-Control"), "no-cache") << path;
    }
}

TEST_F(StaticFiles, MissingFileWithExtensionIs404) {
    const auto res = files().serve(get("/assets/gone-123.js"));
    EXPECT_EQ(res.status, 404);
    EXPECT_EQ(boost::json::parse(res.body).at("code").as_string(), "not_found");
}

TEST_F(StaticFiles, TraversalNeverLeavesTheRoot) {
    // req.path is already percent-decoded, so %2e%2e arrives here as "..".
    for (const char* path : {"/../outside.txt", "/assets/../../outside.txt", "/./index.html", "/..",
                             "/assets/..%2f..%2foutside.txt", "/..\\outside.txt", "/.env"}) {
        const auto res = files().serve(get(path));
        EXPECT_EQ(res.status, 404) << path;
        EXPECT_EQ(res.body.find("secret"), std::string::npos) << path;
        EXPECT_EQ(res.body.find("SECRET"), std::string::npos) << path;
    }
    EXPECT_EQ(files().serve(get(std::string("/index.html\0.txt", 16))).status, 404);
}

TEST_F(StaticFiles, SymlinkOutOfTheRootIsRefused) {
    fs::create_symlink(base_ / "outside.txt", root_ / "leak.txt");
    const auto res = files().serve(get("/leak.txt"));
    EXPECT_EQ(res.status, 404);
    EXPECT_EQ(res.body.find("secret"), std::string::npos);
}

TEST_F(StaticFiles, ReservedPathsAreNotServed) {
    write(root_ / "health", "shadow");
    for (const char* path : {"/api", "/api/v1/nothing", "/gateway", "/health", "/metrics"}) {
        EXPECT_EQ(files().serve(get(path)).status, 404) << path;
    }
    // Only whole segments are reserved.
    EXPECT_EQ(files().serve(get("/apiary")).status, 200);
}

TEST_F(StaticFiles, ConditionalGetAnswers304) {
    const auto first = files().serve(get("/assets/index-abc123.js"));
    const std::string etag(*first.headers.get("ETag"));
    auto again = get("/assets/index-abc123.js");
    again.headers.add("If-None-Match", "\"other\", " + etag);
    const auto res = files().serve(again);
    EXPECT_EQ(res.status, 304);
    EXPECT_TRUE(res.body.empty());
    EXPECT_EQ(res.headers.get("ETag"), etag);

    auto stale = get("/assets/index-abc123.js");
    stale.headers.add("If-None-Match", "\"other\"");
    EXPECT_EQ(files().serve(stale).status, 200);
}

TEST_F(StaticFiles, OtherMethodsAreRefused) {
    EXPECT_EQ(files().serve(get("/", method::post)).status, 404);
    const auto head = files().serve(get("/", method::head));
    EXPECT_EQ(head.status, 200);  // the server drops the body of a HEAD answer
}

TEST_F(StaticFiles, ConstructorRefusesAMissingRoot) {
    EXPECT_THROW(static_files({.root = (base_ / "nope").string()}), std::runtime_error);
}

TEST(StaticFilesDetail, Segments) {
    EXPECT_EQ(detail::web_path_segments("/"), std::vector<std::string>{});
    EXPECT_EQ(detail::web_path_segments("//a///b/"), (std::vector<std::string>{"a", "b"}));
    EXPECT_FALSE(detail::web_path_segments("a/b"));
    EXPECT_FALSE(detail::web_path_segments("/a/../b"));
    EXPECT_FALSE(detail::web_path_segments("/a/./b"));
}

TEST(StaticFilesDetail, ContentTypes) {
    EXPECT_EQ(detail::content_type_for("X.WOFF2"), "font/woff2");
    EXPECT_EQ(detail::content_type_for("a.png"), "image/png");
    EXPECT_EQ(detail::content_type_for("noext"), "application/octet-stream");
    EXPECT_EQ(detail::content_type_for("a.exe"), "application/octet-stream");
}

TEST(StaticFilesDetail, IfNoneMatch) {
    EXPECT_TRUE(detail::if_none_match_matches("*", "\"a\""));
    EXPECT_TRUE(detail::if_none_match_matches("W/\"a\"", "\"a\""));
    EXPECT_TRUE(detail::if_none_match_matches(" \"b\" ,\"a\"", "\"a\""));
    EXPECT_FALSE(detail::if_none_match_matches("\"ab\"", "\"a\""));
    EXPECT_FALSE(detail::if_none_match_matches("", "\"a\""));
}

// The pipeline hands unmatched GET/HEAD to the fallback; API routes and
// other methods keep their JSON answers.
TEST_F(StaticFiles, PipelineFallback) {
    router r;
    r.add(method::get, "/api/v1/thing", [](request&) -> boost::asio::awaitable<response> {
        co_return response::text(200, "thing");
    });
    r.add(method::post, "/api/v1/only-post",
          [](request&) -> boost::asio::awaitable<response> { co_return response::no_content(); });
    pipeline_options o;
    o.access_log = false;
    o.fallback = make_static_files_handler({.root = root_.string()});
    pipeline p(std::move(r), std::move(o));

    auto handle = [&](request req) { return run_coroutine(p.handle(req)); };
    EXPECT_EQ(handle(get("/api/v1/thing")).body, "thing");
    const auto page = handle(get("/invite/abc"));
    EXPECT_EQ(page.status, 200);
    EXPECT_EQ(page.body, "<!doctype html><title>app</title>");
    EXPECT_TRUE(page.headers.contains("Content-Security-Policy"));
    EXPECT_EQ(handle(get("/api/v1/unknown")).status, 404);
    EXPECT_EQ(handle(get("/api/v1/only-post")).status, 405);
    EXPECT_EQ(handle(get("/somewhere", method::post)).status, 404);
    EXPECT_EQ(handle(get("/", method::head)).status, 200);

    pipeline without(router{}, pipeline_options{.access_log = false});
    request req = get("/");
    EXPECT_EQ(run_coroutine(without.handle(req)).status, 404);
}

}  // namespace
}  // namespace driftway::net
