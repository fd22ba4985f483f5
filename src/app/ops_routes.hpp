#pragma once
// GET /health and GET /metrics: outside /api/v1, no auth, no rate limit, so
// load balancers and Prometheus can always reach them.
#include "driftway/net/router.hpp"
#include "driftway/store/backend.hpp"

#include <string>

namespace driftway::app {

void add_ops_routes(net::router& router, store::backend& db, std::string version);

}  // namespace driftway::app
