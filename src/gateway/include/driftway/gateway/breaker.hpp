#pragma once
// A circuit breaker per upstream, as a pure state machine: the caller passes
// the time (milliseconds on any monotonic clock), so tests drive it without
// sleeping. Not thread-safe; the upstream that owns it holds a lock.
//
//   closed ──N consecutive failures──► open ──open_ms elapsed──► half-open
//   half-open: one trial; success ► closed, failure ► open (timer restarts)
#include <cstdint>
#include <string_view>

namespace driftway::gateway {

enum class breaker_state { closed = 0, open = 1, half_open = 2 };  // values are the metric's

std::string_view to_string(breaker_state s) noexcept;

struct breaker_options {
    unsigned failures_to_open = 5;
    std::int64_t open_ms = 5000;
};

class circuit_breaker {
public:
    explicit circuit_breaker(breaker_options options = {}) noexcept : options_(options) {}

    // The state at now: an open breaker whose time is up reads as half-open.
    breaker_state state(std::int64_t now_ms) const noexcept;

    // Whether a request may go now. In half-open exactly one caller gets true
    // (the trial) until it reports back with on_success or on_failure.
    bool allow(std::int64_t now_ms) noexcept;

    void on_success(std::int64_t now_ms) noexcept;
    void on_failure(std::int64_t now_ms) noexcept;

    // A trial that ended without a verdict (cancelled) frees the slot.
    void abandon_trial() noexcept { trial_in_flight_ = false; }

    unsigned consecutive_failures() const noexcept { return failures_; }

private:
    breaker_options options_;
    breaker_state state_ = breaker_state::closed;  // open covers half-open until allow()
    unsigned failures_ = 0;
    std::int64_t opened_at_ms_ = 0;
    bool trial_in_flight_ = false;
};

}  // namespace driftway::gateway
