#pragma once
// `driftway admin dead-letters …` and `driftway admin jobs …`: the operator's
// view of the job outbox (docs/operations.md, "Jobs and dead letters"). They
// work on the database directly, beside a running server.
#include "cli.hpp"
#include "driftway/core/config.hpp"

namespace driftway::app {

// list [--limit N] [--before ID] [--json] | replay ID|--all | delete ID
int admin_dead_letters(const config& c, const command_line& cl);
// enqueue-http-post --url URL --payload JSON
int admin_jobs(const config& c, const command_line& cl);

}  // namespace driftway::app
