#pragma once
// The text side of Driftway: the REST API, the realtime gateway (/gateway),
// /health and /metrics, and the web client when server.web_root is set, on
// the storage and bus the config names. `driftway serve` is this plus the
// voice service in the same process; `driftway text` is this alone, one of
// several behind nginx, sending voice joins to the registered voice nodes.
#include "driftway/core/config.hpp"

#include <string>

namespace driftway::app {

enum class node_role {
    single,  // driftway serve: text + voice (+ web client)
    text,    // driftway text: no SFU; voice joins go to `driftway voice` nodes
};

// Runs until SIGTERM/SIGINT; throws when it cannot start.
void run_text_node(const config& c, const std::string& version, node_role role);

// `driftway text`: returns the process exit code.
int serve_text(const config& c, const std::string& version);

}  // namespace driftway::app
