#include "driftway/gateway/retry.hpp"

#include <algorithm>
#include <cmath>

namespace driftway::gateway {

bool is_idempotent(net::method m) noexcept {
    switch (m) {
        case net::method::get:
        case net::method::head:
        case net::method::put:
        case net::method::delete_:
        case net::method::options:
            return true;
        default:
            return false;
    }
}

bool is_retryable_status(int status) noexcept {
    return status == 502 || status == 503 || status == 504;
}

bool should_retry(net::method m, const attempt_outcome& outcome) noexcept {
    using net::client_failure;
    switch (outcome.failure) {
        case client_failure::none:
            return is_idempotent(m) && is_retryable_status(outcome.status);
        case client_failure::pool_full:
        case client_failure::connect:
            // Nothing was sent: safe for every method. A timeout while
            // connecting also lands here when may_have_reached is false.
            return true;
        case client_failure::timeout:
        case client_failure::io:
            return outcome.may_have_reached ? is_idempotent(m) : true;
        case client_failure::protocol:
        case client_failure::too_large:
            // The upstream answered; asking another will not fix the answer.
            return false;
    }
    return false;
}

std::int64_t backoff_ceiling_ms(unsigned retry, backoff_options o) noexcept {
    const std::int64_t base = std::max<std::int64_t>(o.base_ms, 0);
    const std::int64_t cap = std::max<std::int64_t>(o.max_ms, 0);
    if (base == 0) return 0;
    // Doubling stops once past the cap, so no shift overflows.
    std::int64_t ceiling = base;
    for (unsigned i = 0; i < retry && ceiling < cap; ++i) ceiling *= 2;
    return std::min(ceiling, cap);
}

std::int64_t backoff_delay_ms(unsigned retry, backoff_options o, double unit) noexcept {
    if (!(unit >= 0)) unit = 0;  // NaN too
    if (unit >= 1) unit = std::nextafter(1.0, 0.0);
    const std::int64_t ceiling = backoff_ceiling_ms(retry, o);
    // floor(unit * (ceiling + 1)) covers 0..ceiling inclusive, each equally.
    return std::min(ceiling, static_cast<std::int64_t>(unit * static_cast<double>(ceiling + 1)));
}

}  // namespace driftway::gateway
