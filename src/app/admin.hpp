#pragma once
// `driftway admin …`: operator commands that work on the data directory
// directly (the server need not be running; SQLite allows both at once).
#include "cli.hpp"
#include "driftway/core/config.hpp"

namespace driftway::app {

int admin_migrate(const config& c);
// Reads the password from standard input (first line).
int admin_create_owner(const config& c, const command_line& cl);

}  // namespace driftway::app
