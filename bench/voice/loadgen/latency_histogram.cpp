#include "latency_histogram.hpp"

#include <algorithm>

namespace driftway::bench {

void latency_histogram::add(std::int64_t ns) {
    const std::int64_t us = std::clamp<std::int64_t>(ns / 1000, 0, limit_us);
    ++buckets_[static_cast<std::size_t>(us)];
    ++count_;
    sum_ns_ += ns;
}

void latency_histogram::clear() {
    std::fill(buckets_.begin(), buckets_.end(), 0);
    count_ = 0;
    sum_ns_ = 0;
}

double latency_histogram::quantile_us(double q) const {
    if (count_ == 0) return -1;
    const auto rank = static_cast<std::uint64_t>(q * static_cast<double>(count_ - 1));
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < buckets_.size(); ++i) {
        seen += buckets_[i];
        if (seen > rank) return static_cast<double>(i) + 0.5;  // bucket middle
    }
    return static_cast<double>(limit_us);
}

}  // namespace driftway::bench
