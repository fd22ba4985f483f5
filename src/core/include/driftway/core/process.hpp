#pragma once
// Facts about this process, for /health and /metrics.
#include "driftway/core/metrics.hpp"

#include <cstdint>
#include <string>

namespace driftway::process {

std::int64_t resident_memory_bytes();  // from /proc/self/statm
double cpu_seconds();                  // user + system
int open_fds();                        // entries in /proc/self/fd
std::int64_t start_time_unix();
double uptime_seconds();

// process_resident_memory_bytes, process_cpu_seconds_total, process_open_fds,
// process_max_fds, process_start_time_seconds and driftway_build_info{version}.
void register_metrics(metrics::registry& r, const std::string& version);

}  // namespace driftway::process
