#pragma once
// One clock for every timestamp: CLOCK_MONOTONIC is shared by all processes
// of the machine, so a sender's stamp and a receiver in another process
// compare directly.
#include <cstdint>
#include <ctime>

namespace loadgen {

inline std::int64_t now_ns() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return std::int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

inline constexpr std::int64_t ns_per_ms = 1'000'000;
inline constexpr std::int64_t ns_per_s = 1'000'000'000;

}  // namespace loadgen
