#pragma once
// A small Prometheus registry. Families are looked up by name and children by
// label values; callers on hot paths keep the returned reference (children
// live as long as the registry). Values are atomics: no lock on update.
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace driftway::metrics {

using labels = std::vector<std::pair<std::string, std::string>>;

class counter {
public:
    void inc(std::uint64_t n = 1) noexcept { value_.fetch_add(n, std::memory_order_relaxed); }
    std::uint64_t value() const noexcept { return value_.load(std::memory_order_relaxed); }

private:
    std::atomic<std::uint64_t> value_{0};
};

class gauge {
public:
    void set(std::int64_t v) noexcept { value_.store(v, std::memory_order_relaxed); }
    void add(std::int64_t n) noexcept { value_.fetch_add(n, std::memory_order_relaxed); }
    std::int64_t value() const noexcept { return value_.load(std::memory_order_relaxed); }

private:
    std::atomic<std::int64_t> value_{0};
};

class histogram {
public:
    explicit histogram(std::vector<double> bounds);
    void observe(double v) noexcept;
    const std::vector<double>& bounds() const noexcept { return bounds_; }
    // Cumulative counts per bound plus +Inf, the sum and the count.
    void snapshot(std::vector<std::uint64_t>& cumulative, double& sum, std::uint64_t& count) const;

private:
    std::vector<double> bounds_;
    std::unique_ptr<std::atomic<std::uint64_t>[]> buckets_;  // bounds_.size() + 1
    std::atomic<std::uint64_t> sum_micro_{0};                // sum in millionths
    std::atomic<std::uint64_t> count_{0};
};

class registry {
public:
    registry();
    ~registry();  // family is defined in metrics.cpp

    counter& get_counter(std::string_view name, std::string_view help, const labels& l = {});
    gauge& get_gauge(std::string_view name, std::string_view help, const labels& l = {});
    histogram& get_histogram(std::string_view name, std::string_view help,
                             const std::vector<double>& bounds, const labels& l = {});
    // A gauge whose value is computed at scrape time (process metrics, pools).
    void add_callback_gauge(std::string_view name, std::string_view help,
                            std::function<double()> fn);

    // Prometheus text exposition format 0.0.4.
    std::string render() const;

private:
    struct family;
    family& family_for(std::string_view name, std::string_view help, int kind);

    mutable std::mutex mutex_;
    std::map<std::string, std::unique_ptr<family>, std::less<>> families_;
};

// The process-wide registry that /metrics renders.
registry& global();

// Default latency buckets in seconds (0.5 ms … 5 s).
const std::vector<double>& latency_buckets();

}  // namespace driftway::metrics
