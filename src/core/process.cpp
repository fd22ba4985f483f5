#include "driftway/core/process.hpp"

#include "driftway/core/clock.hpp"

#include <sys/resource.h>
#include <unistd.h>
#include <cstdio>
#include <filesystem>

namespace driftway::process {

namespace {
const std::int64_t g_start_ms = clock::unix_ms();
const std::int64_t g_start_mono = clock::mono_ns();
}  // namespace

std::int64_t resident_memory_bytes() {
    std::FILE* f = std::fopen("/proc/self/statm", "r");
    if (!f) return 0;
    long pages_total = 0, pages_resident = 0;
    const int n = std::fscanf(f, "%ld %ld", &pages_total, &pages_resident);
    std::fclose(f);
    if (n != 2) return 0;
    return static_cast<std::int64_t>(pages_resident) * sysconf(_SC_PAGESIZE);
}

double cpu_seconds() {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    auto secs = [](const timeval& tv) { return static_cast<double>(tv.tv_sec) + tv.tv_usec / 1e6; };
    return secs(ru.ru_utime) + secs(ru.ru_stime);
}

int open_fds() {
    std::error_code ec;
    int count = 0;
    for (std::filesystem::directory_iterator it("/proc/self/fd", ec), end; !ec && it != end;
         it.increment(ec))
        ++count;
    return count;
}

std::int64_t start_time_unix() {
    return g_start_ms / 1000;
}

double uptime_seconds() {
    return static_cast<double>(clock::mono_ns() - g_start_mono) / 1e9;
}

void register_metrics(metrics::registry& r, const std::string& version) {
    r.add_callback_gauge("process_resident_memory_bytes", "Resident memory size in bytes",
                         [] { return static_cast<double>(resident_memory_bytes()); });
    r.add_callback_gauge("process_cpu_seconds_total", "User and system CPU time in seconds",
                         [] { return cpu_seconds(); });
    r.add_callback_gauge("process_open_fds", "Open file descriptors",
                         [] { return static_cast<double>(open_fds()); });
    r.add_callback_gauge("process_max_fds", "Limit of open file descriptors", [] {
        rlimit rl{};
        getrlimit(RLIMIT_NOFILE, &rl);
        return static_cast<double>(rl.rlim_cur);
    });
    r.add_callback_gauge("process_start_time_seconds", "Start time since the Unix epoch",
                         [] { return static_cast<double>(start_time_unix()); });
    r.get_gauge("driftway_build_info", "Build information", {{"version", version}}).set(1);
}

}  // namespace driftway::process
