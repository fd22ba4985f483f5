#include "driftway/bus/gcra.hpp"

#include <algorithm>
#include <cmath>

namespace driftway::bus {

namespace {

constexpr double ns_per_second = 1e9;
// About 116 days: a rate of zero, or one so slow it would overflow, refills
// slower than any client waits. With tau capped too, TAT stays below
// now + 4.1e18 and the arithmetic fits in int64 for any monotonic reading.
constexpr std::int64_t max_interval_ns = 10'000'000'000'000'000;
constexpr std::int64_t max_tau_ns = 4'000'000'000'000'000'000;

std::int64_t clamp_ns(double ns, std::int64_t max) {
    if (!(ns > 0)) return 0;  // also NaN
    if (ns >= static_cast<double>(max)) return max;
    return std::llround(ns);
}

// Floor division; the numerator may be negative.
std::int64_t floor_div(std::int64_t a, std::int64_t b) {
    const auto q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

}  // namespace

gcra_params gcra_params_of(gcra_limit limit) noexcept {
    const double burst = std::isfinite(limit.burst) ? std::max(limit.burst, 1.0) : 1.0;
    gcra_params p;
    p.interval_ns =
        limit.per_second > 0
            ? std::max<std::int64_t>(clamp_ns(ns_per_second / limit.per_second, max_interval_ns), 1)
            : max_interval_ns;
    p.tau_ns = clamp_ns(static_cast<double>(p.interval_ns) * (burst - 1), max_tau_ns);
    return p;
}

gcra_decision gcra_check(std::int64_t tat_ns, std::int64_t now_ns, gcra_limit limit) noexcept {
    const double burst = std::isfinite(limit.burst) ? std::max(limit.burst, 1.0) : 1.0;
    const auto [interval, tau] = gcra_params_of(limit);

    gcra_decision d;
    d.limit = static_cast<std::int64_t>(std::min(burst, 1e15));
    const std::int64_t tat = std::max(tat_ns, now_ns);

    if (tat - tau > now_ns) {
        d.allowed = false;
        d.remaining = 0;
        d.retry_after = static_cast<double>(tat - tau - now_ns) / ns_per_second;
        d.reset_after = static_cast<double>(tat - now_ns) / ns_per_second;
        d.new_tat_ns = tat_ns;
        return d;
    }

    d.allowed = true;
    d.new_tat_ns = tat + interval;
    // How many more requests fit at this instant: each one moves the TAT by one
    // interval, and the last allowed one leaves TAT - tau exactly at now + interval.
    d.remaining = std::max<std::int64_t>(floor_div(tau - (d.new_tat_ns - now_ns), interval) + 1, 0);
    d.reset_after = static_cast<double>(d.new_tat_ns - now_ns) / ns_per_second;
    return d;
}

}  // namespace driftway::bus
