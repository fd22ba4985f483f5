#pragma once
// When the gateway tries a request again, and how long it waits first.
// Only idempotent methods (RFC 9110 section 9.2.2) are retried after the
// request may have reached an upstream; any method may be sent elsewhere when
// it certainly never left (connect failure, pool full).
#include "driftway/net/http.hpp"
#include "driftway/net/http_client.hpp"

#include <cstdint>

namespace driftway::gateway {

bool is_idempotent(net::method m) noexcept;

// 502, 503 and 504 say "this upstream could not serve it", worth another try.
bool is_retryable_status(int status) noexcept;

// What one attempt ended with, as the retry policy sees it.
struct attempt_outcome {
    net::client_failure failure = net::client_failure::none;
    bool may_have_reached = true;
    int status = 0;  // when failure is none
};

// Whether another attempt may follow this one.
bool should_retry(net::method m, const attempt_outcome& outcome) noexcept;

struct backoff_options {
    std::int64_t base_ms = 50;
    std::int64_t max_ms = 1000;
};

// The ceiling of the wait before retry number `retry` (0 for the first):
// min(max, base * 2^retry).
std::int64_t backoff_ceiling_ms(unsigned retry, backoff_options o) noexcept;

// "Full jitter": uniform in [0, ceiling]; unit is a uniform sample in [0, 1).
std::int64_t backoff_delay_ms(unsigned retry, backoff_options o, double unit) noexcept;

}  // namespace driftway::gateway
