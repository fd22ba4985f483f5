#pragma once
// The reverse proxy of `driftway gateway`: rate limits, then the request to
// an upstream of the group with retries (idempotent methods only once the
// request may have arrived), per-attempt timeouts, circuit breakers, and the
// read-only degradation: cached copies of GETs answer while no upstream can.
#include "driftway/gateway/caller_limits.hpp"
#include "driftway/gateway/response_cache.hpp"
#include "driftway/gateway/retry.hpp"
#include "driftway/gateway/upstream.hpp"
#include "driftway/net/http_client.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>

namespace driftway::gateway {

struct proxy_options {
    std::chrono::milliseconds request_timeout{10000};  // per attempt
    unsigned retries = 2;                              // attempts after the first
    backoff_options backoff;
    std::int64_t cache_ttl_ms = 30000;
    std::size_t cache_max_entries = 10000;
};

class proxy {
public:
    proxy(upstream_group& group, net::http_client& client, caller_limits& limits,
          proxy_options options);

    // A net::handler body: runs on the connection's shard, never throws.
    boost::asio::awaitable<net::response> handle(net::request& req);

    response_cache& cache() noexcept { return cache_; }

private:
    upstream_group& group_;
    net::http_client& client_;
    caller_limits& limits_;
    proxy_options options_;
    response_cache cache_;
};

// True for a 503 whose API.md error body has code database_unavailable.
bool is_database_unavailable(const net::response& res);

}  // namespace driftway::gateway
