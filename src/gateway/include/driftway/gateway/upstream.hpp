#pragma once
// The nodes a request can be sent to: each with its health (from active
// checks), its circuit breaker and its metrics; a group picks among them
// round-robin. Thread-safe: shards pick and report concurrently.
#include "driftway/core/metrics.hpp"
#include "driftway/gateway/breaker.hpp"

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace driftway::gateway {

struct upstream_address {
    std::string host;
    std::uint16_t port = 0;
    std::string name;  // "host:port", the metrics label
};

// "host:port" ("[::1]:80" too); nullopt when malformed or the port is 0.
std::optional<upstream_address> parse_upstream(const std::string& text);

class upstream {
public:
    upstream(upstream_address address, breaker_options breaker);

    const upstream_address& address() const noexcept { return address_; }
    const std::string& name() const noexcept { return address_.name; }

    bool healthy() const noexcept { return healthy_.load(std::memory_order_relaxed); }
    void set_healthy(bool ok) noexcept;

    // The breaker, under the lock; each call also refreshes proxy_breaker_state.
    bool allow(std::int64_t now_ms);
    void on_success(std::int64_t now_ms);
    void on_failure(std::int64_t now_ms);
    void abandon_trial();
    breaker_state state(std::int64_t now_ms);

    // proxy_requests_total{upstream,status}: status is the HTTP status or the
    // failure's name ("connect", "timeout", …).
    void count_request(std::string_view status, double seconds);
    void count_retry() noexcept { retries_->inc(); }

private:
    void publish(std::int64_t now_ms);  // lock held

    upstream_address address_;
    std::atomic<bool> healthy_{true};  // optimistic until the first check says otherwise
    std::mutex mutex_;
    circuit_breaker breaker_;
    metrics::gauge* healthy_gauge_;
    metrics::gauge* breaker_gauge_;
    metrics::counter* retries_;
    metrics::histogram* duration_;
};

class upstream_group {
public:
    upstream_group(std::string name, const std::vector<std::string>& addresses,
                   breaker_options breaker);

    const std::string& name() const noexcept { return name_; }
    std::span<const std::unique_ptr<upstream>> members() const noexcept { return members_; }
    std::size_t healthy_count() const noexcept;

    // The next upstream in round-robin order that may take a request now,
    // preferring healthy ones not yet tried for this request; one already
    // tried only when nothing else can. Null when every breaker refuses.
    // A non-null answer has been admitted by its breaker (it may hold the
    // half-open trial), so the caller must report on_success/on_failure.
    upstream* pick(std::int64_t now_ms, std::span<upstream* const> tried);

private:
    std::string name_;
    std::vector<std::unique_ptr<upstream>> members_;
    std::atomic<std::size_t> next_{0};
};

}  // namespace driftway::gateway
