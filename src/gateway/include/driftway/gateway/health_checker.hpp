#pragma once
// Active health checks: GET /health on every upstream each interval. A 200
// marks it healthy (the group prefers healthy ones); any other answer or none
// marks it unhealthy. The checks also drive the breakers, so an idle
// gateway notices a dead upstream and, once the open time is up, the check
// itself is the half-open trial that closes the breaker again: an upstream
// that got no traffic because its breaker was open still comes back.
#include "driftway/gateway/upstream.hpp"
#include "driftway/net/http_client.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <memory>
#include <vector>

namespace driftway::gateway {

struct health_options {
    std::chrono::milliseconds interval{2000};
    std::chrono::milliseconds timeout{1000};
};

class health_checker {
public:
    health_checker(std::vector<upstream_group*> groups, net::http_client& client,
                   health_options options);
    ~health_checker();

    // Starts the loop on ioc (first round at once). Call once.
    void start(boost::asio::io_context& ioc);
    // Ends the loop; safe from any thread (a signal handler's thread too).
    void stop();

    // One round over every upstream, concurrently per upstream is not needed:
    // each probe is bounded by the timeout. Runs on the caller's executor.
    boost::asio::awaitable<void> check_all();

private:
    struct state;
    boost::asio::awaitable<void> probe(upstream& u);
    boost::asio::awaitable<void> loop();

    std::vector<upstream_group*> groups_;
    net::http_client& client_;
    health_options options_;
    std::shared_ptr<state> state_;
};

}  // namespace driftway::gateway
