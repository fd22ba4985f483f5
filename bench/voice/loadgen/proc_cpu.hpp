#pragma once
// CPU time of a process from /proc/<pid>/stat (utime + stime), for the
// server's cost per forwarded packet.
#include <optional>

namespace driftway::bench {

// Seconds of CPU used so far by pid (all its threads); nullopt if unreadable.
std::optional<double> process_cpu_seconds(int pid);

}  // namespace driftway::bench
