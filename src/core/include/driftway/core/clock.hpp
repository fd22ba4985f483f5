#pragma once
#include <chrono>
#include <cstdint>
#include <string>

namespace driftway::clock {

// Wall-clock Unix time, for timestamps that are stored or sent.
inline std::int64_t unix_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}
inline std::int64_t unix_seconds() {
    return unix_ms() / 1000;
}

// Monotonic time, for durations, timeouts and rate limits.
inline std::int64_t mono_ns() {
    using namespace std::chrono;
    return duration_cast<nanoseconds>(steady_clock::now().time_since_epoch()).count();
}

// RFC 3339 / ISO 8601 UTC with milliseconds: 2026-11-26T22:06:45.123Z
std::string iso8601(std::int64_t unix_ms);

}  // namespace driftway::clock
