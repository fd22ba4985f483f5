#pragma once
// The two clocks of the load client. Send times in packets and receive
// times from the kernel (SO_TIMESTAMPNS) are both CLOCK_REALTIME, so a
// latency is one subtraction in one process; timers use CLOCK_MONOTONIC.
#include <cstdint>
#include <ctime>

namespace driftway::bench {

inline std::int64_t realtime_ns() {
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    return std::int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

inline std::int64_t monotonic_ms() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return std::int64_t{ts.tv_sec} * 1000 + ts.tv_nsec / 1'000'000;
}

}  // namespace driftway::bench
