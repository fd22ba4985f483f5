#pragma once
// Latencies in microseconds: 1 µs buckets up to 100 ms, one overflow
// bucket. Exact enough for p50/p99 of sub-millisecond forwarding.
#include <cstdint>
#include <vector>

namespace driftway::bench {

class latency_histogram {
public:
    latency_histogram() : buckets_(limit_us + 1) {}
    void add(std::int64_t ns);
    void clear();
    std::uint64_t count() const noexcept { return count_; }
    // The q-quantile (0..1) in µs; -1 when empty. limit_us means "at least".
    double quantile_us(double q) const;
    double mean_us() const noexcept {
        return count_ ? static_cast<double>(sum_ns_) / 1000.0 / count_ : -1;
    }

private:
    static constexpr std::int64_t limit_us = 100'000;
    std::vector<std::uint64_t> buckets_;
    std::uint64_t count_ = 0;
    std::int64_t sum_ns_ = 0;
};

}  // namespace driftway::bench
