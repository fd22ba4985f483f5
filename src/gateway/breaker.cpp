#include "driftway/gateway/breaker.hpp"

namespace driftway::gateway {

std::string_view to_string(breaker_state s) noexcept {
    switch (s) {
        case breaker_state::closed:
            return "closed";
        case breaker_state::open:
            return "open";
        case breaker_state::half_open:
            return "half_open";
    }
    return "unknown";
}

breaker_state circuit_breaker::state(std::int64_t now_ms) const noexcept {
    if (state_ == breaker_state::open && now_ms - opened_at_ms_ >= options_.open_ms)
        return breaker_state::half_open;
    return state_;
}

bool circuit_breaker::allow(std::int64_t now_ms) noexcept {
    switch (state(now_ms)) {
        case breaker_state::closed:
            return true;
        case breaker_state::open:
            return false;
        case breaker_state::half_open:
            if (trial_in_flight_) return false;
            state_ = breaker_state::half_open;
            trial_in_flight_ = true;
            return true;
    }
    return false;
}

void circuit_breaker::on_success(std::int64_t /*now_ms*/) noexcept {
    // A success from a request admitted while closed, or the trial's: either
    // way the upstream answers again. A straggler admitted before the breaker
    // opened does not close it early: only the trial may.
    if (state_ == breaker_state::open) return;
    state_ = breaker_state::closed;
    failures_ = 0;
    trial_in_flight_ = false;
}

void circuit_breaker::on_failure(std::int64_t now_ms) noexcept {
    if (state_ == breaker_state::half_open) {
        state_ = breaker_state::open;
        opened_at_ms_ = now_ms;
        trial_in_flight_ = false;
        return;
    }
    if (state_ == breaker_state::open) return;  // stragglers do not extend the open time
    if (++failures_ >= options_.failures_to_open) {
        state_ = breaker_state::open;
        opened_at_ms_ = now_ms;
    }
}

}  // namespace driftway::gateway
