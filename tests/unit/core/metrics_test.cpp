#include "driftway/core/metrics.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <thread>
#include <vector>

namespace driftway::metrics {
namespace {

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

TEST(Metrics, CounterWithLabels) {
    registry r;
    auto& ok = r.get_counter("http_requests_total", "HTTP requests served.",
                             {{"method", "GET"}, {"status", "200"}});
    auto& missing = r.get_counter("http_requests_total", "HTTP requests served.",
                                  {{"method", "GET"}, {"status", "404"}});
    ok.inc(3);
    missing.inc();
    EXPECT_EQ(&r.get_counter("http_requests_total", "HTTP requests served.",
                             {{"method", "GET"}, {"status", "200"}}),
              &ok);
    EXPECT_EQ(r.render(),
              "# HELP http_requests_total HTTP requests served.\n"
              "# TYPE http_requests_total counter\n"
              "http_requests_total{method=\"GET\",status=\"200\"} 3\n"
              "http_requests_total{method=\"GET\",status=\"404\"} 1\n");
}

TEST(Metrics, GaugesAndCallbacks) {
    registry r;
    auto& g = r.get_gauge("websocket_connections", "Open WebSocket connections.");
    g.add(5);
    g.add(-2);
    r.add_callback_gauge("process_open_fds", "Open file descriptors.", [] { return 12.0; });
    const auto text = r.render();
    EXPECT_TRUE(contains(text, "# TYPE websocket_connections gauge\nwebsocket_connections 3\n"))
        << text;
    EXPECT_TRUE(contains(text, "# TYPE process_open_fds gauge\nprocess_open_fds 12\n")) << text;
}

TEST(Metrics, HistogramBucketsAreCumulative) {
    registry r;
    auto& h =
        r.get_histogram("request_seconds", "Request latency.", {0.1, 1, 2.5}, {{"route", "/x"}});
    for (double v : {0.05, 0.1, 0.5, 0.7, 2.0, 10.0}) h.observe(v);
    EXPECT_EQ(r.render(),
              "# HELP request_seconds Request latency.\n"
              "# TYPE request_seconds histogram\n"
              "request_seconds_bucket{route=\"/x\",le=\"0.1\"} 2\n"
              "request_seconds_bucket{route=\"/x\",le=\"1\"} 4\n"
              "request_seconds_bucket{route=\"/x\",le=\"2.5\"} 5\n"
              "request_seconds_bucket{route=\"/x\",le=\"+Inf\"} 6\n"
              "request_seconds_sum{route=\"/x\"} 13.35\n"
              "request_seconds_count{route=\"/x\"} 6\n");

    std::vector<std::uint64_t> cumulative;
    double sum = 0;
    std::uint64_t count = 0;
    h.snapshot(cumulative, sum, count);
    EXPECT_EQ(cumulative, (std::vector<std::uint64_t>{2, 4, 5, 6}));
    EXPECT_EQ(count, 6u);
    EXPECT_NEAR(sum, 13.35, 1e-9);
}

TEST(Metrics, HistogramWithoutLabels) {
    registry r;
    r.get_histogram("db_seconds", "Query time.", {0.5}).observe(0.25);
    const auto text = r.render();
    EXPECT_TRUE(contains(text, "db_seconds_bucket{le=\"0.5\"} 1\n")) << text;
    EXPECT_TRUE(contains(text, "db_seconds_bucket{le=\"+Inf\"} 1\n")) << text;
    EXPECT_TRUE(contains(text, "db_seconds_sum 0.25\n")) << text;
    EXPECT_TRUE(contains(text, "db_seconds_count 1\n")) << text;
}

TEST(Metrics, LabelValuesAreEscaped) {
    registry r;
    r.get_counter("odd_total", "Odd labels.", {{"path", "a\\b\"c\nd"}}).inc();
    EXPECT_TRUE(contains(r.render(), "odd_total{path=\"a\\\\b\\\"c\\nd\"} 1\n")) << r.render();
}

TEST(Metrics, ConcurrentIncrementsAreNotLost) {
    registry r;
    auto& c = r.get_counter("hits_total", "Hits.");
    auto& h = r.get_histogram("lat", "Latency.", latency_buckets());
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&] {
            for (int i = 0; i < 10000; ++i) {
                c.inc();
                h.observe(0.003);
            }
        });
    for (auto& t : threads) t.join();
    EXPECT_EQ(c.value(), 40000u);
    EXPECT_TRUE(contains(r.render(), "lat_count 40000\n"));
}

TEST(Metrics, LatencyBucketsAreSorted) {
    const auto& b = latency_buckets();
    EXPECT_TRUE(std::is_sorted(b.begin(), b.end()));
    EXPECT_DOUBLE_EQ(b.front(), 0.0005);
    EXPECT_DOUBLE_EQ(b.back(), 5);
}

}  // namespace
}  // namespace driftway::metrics
