#include "driftway/jobs/backoff.hpp"

#include <algorithm>

namespace driftway::jobs {

std::chrono::milliseconds backoff_delay(int attempt, std::chrono::milliseconds base,
                                        std::chrono::milliseconds max, double unit) noexcept {
    const std::int64_t cap = std::max<std::int64_t>(1, max.count());
    std::int64_t d = std::clamp<std::int64_t>(base.count(), 1, cap);
    // Doubling stops at the cap; a large attempt number cannot overflow.
    for (int i = 1; i < attempt && d < cap; ++i) d = std::min(cap, d * 2);
    unit = std::clamp(unit, 0.0, 1.0);
    const auto half = d / 2;
    const auto jittered = half + static_cast<std::int64_t>(unit * static_cast<double>(d - half));
    return std::chrono::milliseconds(std::max<std::int64_t>(1, std::min(jittered, d)));
}

}  // namespace driftway::jobs
