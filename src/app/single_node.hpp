#pragma once
// `driftway serve`: every module in one process on embedded storage.
#include "driftway/core/config.hpp"

namespace driftway::app {

// Runs until SIGTERM/SIGINT; returns the process exit code.
int serve(const config& c, const std::string& version);

}  // namespace driftway::app
