#pragma once
#include "ws_client.hpp"

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace loadgen {

struct options {
    dialect kind = dialect::relay;
    std::string host = "127.0.0.1";
    std::uint16_t port = 0;
    std::string path;  // upgrade path; by dialect when empty
    pid_t server_pid = 0;
    unsigned users = 0;             // distinct Driftway users; by mode when 0
    unsigned http_connections = 0;  // REST connections for posting; by mode when 0
    unsigned setup_connections = 32;
    unsigned sources = 4;
    unsigned open_concurrency = 256;
    unsigned procs = 0;  // worker processes; from the open-file limit when 0
    double hold_seconds = 5;
    double timeout_seconds = 120;
    double drain_seconds = 5;
    unsigned payload_bytes = 256;

    std::string mode;
    std::vector<double> counts;
};

// nullopt with error set on bad arguments.
std::optional<options> parse_options(int argc, char** argv, std::string& error);
const char* usage();

}  // namespace loadgen
