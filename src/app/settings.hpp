#pragma once
#include "cli.hpp"
#include "driftway/core/config.hpp"

namespace driftway::app {

// Config from --config FILE (or DRIFTWAY_CONFIG), the environment, then the
// --listen and --data flags, which win over both.
result<config> load_settings(const command_line& cl);

// Where the pieces of the data directory live.
std::string database_path(const config& c);
std::string jwt_key_path(const config& c);

}  // namespace driftway::app
