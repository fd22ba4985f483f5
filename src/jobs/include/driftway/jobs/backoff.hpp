#pragma once
// How long a failed job waits before its next attempt: exponential in the
// attempt number, capped, with "equal jitter" (half the delay fixed, half
// random) so that jobs that failed together (an endpoint that went down) do
// not all come back at the same instant, while the delay still grows from
// one attempt to the next.
#include <chrono>
#include <cstdint>

namespace driftway::jobs {

// The delay after failed attempt number `attempt` (1 for the first try):
// d = min(max, base * 2^(attempt-1)), then d/2 + unit * d/2 where unit is a
// random number in [0, 1). Never below 1 ms.
std::chrono::milliseconds backoff_delay(int attempt, std::chrono::milliseconds base,
                                        std::chrono::milliseconds max, double unit) noexcept;

}  // namespace driftway::jobs
