#pragma once
#include <sys/types.h>

#include <cstdint>
#include <optional>

namespace loadgen {

// VmRSS of a process from /proc/<pid>/status, in KiB.
std::optional<std::uint64_t> rss_kib(pid_t pid);

// CPU time (user + system) a process has used, from /proc/<pid>/stat.
std::optional<double> cpu_seconds(pid_t pid);

// CPU time (user + system) this process has used.
double own_cpu_seconds();

// The soft limit on open files of this process.
std::uint64_t open_file_limit();

}  // namespace loadgen
