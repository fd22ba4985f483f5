#pragma once
// GET /health and GET /metrics: outside /api/v1, no auth, no rate limit, so
// load balancers and Prometheus can always reach them.
#include "driftway/net/router.hpp"
#include "driftway/store/backend.hpp"

#include <boost/asio/awaitable.hpp>

#include <functional>
#include <string>
#include <vector>

namespace driftway::app {

// One dependency /health reports on; a failing one makes the answer 503.
struct health_check {
    std::string name;  // "database", "redis", …
    std::function<boost::asio::awaitable<store::health>()> run;
};

health_check database_check(store::backend& db);

void add_ops_routes(net::router& router, std::vector<health_check> checks, std::string version);

}  // namespace driftway::app
