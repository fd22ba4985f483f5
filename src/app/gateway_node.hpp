#pragma once
// `driftway gateway`: the REST proxy of the cluster shape, in front of the
// text nodes listed in [proxy] text_upstreams. Serves its own /health and
// /metrics and proxies every /api/v1/* request.
#include "driftway/core/config.hpp"
#include "driftway/gateway/proxy.hpp"

#include <string>

namespace driftway::app {

gateway::proxy_options proxy_options_from(const config& c);

// Runs until SIGTERM/SIGINT; returns the process exit code.
int serve_gateway(const config& c, const std::string& version);

}  // namespace driftway::app
