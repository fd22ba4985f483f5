#pragma once
// Generic Cell Rate Algorithm (the leaky bucket as a meter). State is one
// number per key: the theoretical arrival time (TAT). Pure arithmetic, so the
// in-process limiter and the Redis Lua script compute the same answers.
//
//   emission interval T = 1 / rate;  tolerance tau = T * (burst - 1)
//   allow at now when TAT - tau <= now; then TAT = max(TAT, now) + T
#include <cstdint>

namespace driftway::bus {

struct gcra_limit {
    double per_second = 1;  // sustained rate
    double burst = 1;       // requests that may arrive at once (>= 1)
};

struct gcra_decision {
    bool allowed = false;
    std::int64_t limit = 0;       // burst, for X-RateLimit-Limit
    std::int64_t remaining = 0;   // requests left right now
    double reset_after = 0;       // seconds until the bucket is full again
    double retry_after = 0;       // seconds until one request is allowed (when denied)
    std::int64_t new_tat_ns = 0;  // state to store (unchanged when denied)
};

// The integers gcra_check derives from a limit: emission interval T and
// tolerance tau in nanoseconds. The Redis limiter passes them to its script so
// both limiters compare and add exactly the same numbers.
struct gcra_params {
    std::int64_t interval_ns = 0;
    std::int64_t tau_ns = 0;
};
gcra_params gcra_params_of(gcra_limit limit) noexcept;

// tat_ns: stored TAT or 0 when the key is new; now_ns: monotonic nanoseconds.
gcra_decision gcra_check(std::int64_t tat_ns, std::int64_t now_ns, gcra_limit limit) noexcept;

}  // namespace driftway::bus
