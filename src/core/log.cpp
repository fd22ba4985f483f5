#include "driftway/core/log.hpp"

#include "driftway/core/clock.hpp"

#include <boost/json/serialize.hpp>

#include <unistd.h>
#include <atomic>

namespace driftway::log {

namespace {
std::atomic<int> g_level{static_cast<int>(level::info)};
constexpr std::string_view names[] = {"debug", "info", "warn", "error"};
}  // namespace

void set_level(level l) {
    g_level.store(static_cast<int>(l), std::memory_order_relaxed);
}

bool enabled(level l) {
    return static_cast<int>(l) >= g_level.load(std::memory_order_relaxed);
}

bool parse_level(std::string_view text, level& out) {
    for (int i = 0; i < 4; ++i) {
        if (names[i] == text) {
            out = static_cast<level>(i);
            return true;
        }
    }
    return false;
}

void write(level l, std::string_view msg, boost::json::object fields) {
    if (!enabled(l)) return;
    boost::json::object line;
    line.reserve(fields.size() + 3);
    line["ts"] = clock::iso8601(clock::unix_ms());
    line["level"] = names[static_cast<int>(l)];
    line["msg"] = msg;
    for (auto& kv : fields) line[kv.key()] = std::move(kv.value());
    std::string text = boost::json::serialize(line);
    text.push_back('\n');
    // One write per line: the kernel keeps concurrent writes to a pipe or file whole.
    const char* p = text.data();
    std::size_t left = text.size();
    while (left > 0) {
        const ssize_t n = ::write(STDERR_FILENO, p, left);
        if (n <= 0) break;
        p += n;
        left -= static_cast<std::size_t>(n);
    }
}

}  // namespace driftway::log
