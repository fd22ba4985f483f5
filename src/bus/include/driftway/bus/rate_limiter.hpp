#pragma once
// Rate-limit counters behind an interface: in-process now (memory_rate_limiter),
// Redis in the cluster shape, with the same GCRA arithmetic.
#include "driftway/bus/gcra.hpp"

#include <boost/asio/awaitable.hpp>

#include <memory>
#include <string>

namespace driftway::bus {

class rate_limiter {
public:
    virtual ~rate_limiter() = default;
    // Checks and, when allowed, consumes one request from bucket `key`.
    // Thread-safe; may be called from any shard.
    virtual boost::asio::awaitable<gcra_decision> check(std::string key, gcra_limit limit) = 0;
};

// Process-local limiter: a sharded hash map of TATs, swept of keys whose
// bucket is full again so memory stays bounded by active clients.
class memory_rate_limiter final : public rate_limiter {
public:
    memory_rate_limiter();
    ~memory_rate_limiter() override;
    boost::asio::awaitable<gcra_decision> check(std::string key, gcra_limit limit) override;
    // Synchronous form (same semantics) for callers that are not coroutines and tests.
    gcra_decision check_now(const std::string& key, gcra_limit limit, std::int64_t now_ns);
    std::size_t size() const;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace driftway::bus
