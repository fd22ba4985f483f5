#include "driftway/gateway/upstream.hpp"

#include "driftway/core/config.hpp"

#include <algorithm>
#include <stdexcept>

namespace driftway::gateway {

std::optional<upstream_address> parse_upstream(const std::string& text) {
    upstream_address a;
    if (!split_host_port(text, a.host, a.port) || a.host.empty() || a.port == 0)
        return std::nullopt;
    a.name = text;
    return a;
}

upstream::upstream(upstream_address address, breaker_options breaker)
    : address_(std::move(address)), breaker_(breaker) {
    auto& m = metrics::global();
    const metrics::labels l{{"upstream", address_.name}};
    healthy_gauge_ =
        &m.get_gauge("proxy_upstream_healthy", "1 when the upstream's last health check passed", l);
    breaker_gauge_ = &m.get_gauge("proxy_breaker_state",
                                  "Circuit breaker per upstream: 0 closed, 1 open, 2 half-open", l);
    retries_ = &m.get_counter("proxy_retries_total", "Retries sent to the upstream", l);
    duration_ =
        &m.get_histogram("proxy_request_duration_seconds", "Time of one attempt at the upstream",
                         metrics::latency_buckets(), l);
    healthy_gauge_->set(1);
    breaker_gauge_->set(0);
}

void upstream::set_healthy(bool ok) noexcept {
    healthy_.store(ok, std::memory_order_relaxed);
    healthy_gauge_->set(ok ? 1 : 0);
}

void upstream::publish(std::int64_t now_ms) {
    breaker_gauge_->set(static_cast<std::int64_t>(breaker_.state(now_ms)));
}

bool upstream::allow(std::int64_t now_ms) {
    std::lock_guard lock(mutex_);
    const bool ok = breaker_.allow(now_ms);
    publish(now_ms);
    return ok;
}

void upstream::on_success(std::int64_t now_ms) {
    std::lock_guard lock(mutex_);
    breaker_.on_success(now_ms);
    publish(now_ms);
}

void upstream::on_failure(std::int64_t now_ms) {
    std::lock_guard lock(mutex_);
    breaker_.on_failure(now_ms);
    publish(now_ms);
}

void upstream::abandon_trial() {
    std::lock_guard lock(mutex_);
    breaker_.abandon_trial();
}

breaker_state upstream::state(std::int64_t now_ms) {
    std::lock_guard lock(mutex_);
    publish(now_ms);
    return breaker_.state(now_ms);
}

void upstream::count_request(std::string_view status, double seconds) {
    duration_->observe(seconds);
    metrics::global()
        .get_counter("proxy_requests_total", "Attempts sent to the upstream, by outcome",
                     {{"upstream", address_.name}, {"status", std::string(status)}})
        .inc();
}

upstream_group::upstream_group(std::string name, const std::vector<std::string>& addresses,
                               breaker_options breaker)
    : name_(std::move(name)) {
    for (const auto& text : addresses) {
        auto a = parse_upstream(text);
        if (!a) throw std::invalid_argument("bad upstream address: " + text);
        members_.push_back(std::make_unique<upstream>(std::move(*a), breaker));
    }
}

std::size_t upstream_group::healthy_count() const noexcept {
    return static_cast<std::size_t>(std::count_if(members_.begin(), members_.end(),
                                                  [](const auto& u) { return u->healthy(); }));
}

upstream* upstream_group::pick(std::int64_t now_ms, std::span<upstream* const> tried) {
    const std::size_t n = members_.size();
    if (n == 0) return nullptr;
    const std::size_t start = next_.fetch_add(1, std::memory_order_relaxed);
    auto was_tried = [&](const upstream* u) {
        return std::find(tried.begin(), tried.end(), u) != tried.end();
    };
    // Healthy and untried; then untried (health may be stale); then any.
    for (int pass = 0; pass < 3; ++pass) {
        for (std::size_t i = 0; i < n; ++i) {
            upstream* u = members_[(start + i) % n].get();
            if (pass < 2 && was_tried(u)) continue;
            if (pass == 0 && !u->healthy()) continue;
            if (u->allow(now_ms)) return u;
        }
    }
    return nullptr;
}

}  // namespace driftway::gateway
