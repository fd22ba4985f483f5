#pragma once
// Structured logging: one JSON object per line on stderr, e.g.
// {"ts":"…","level":"info","msg":"request","request_id":"…","status":200}.
// Thread-safe; a line is written with one write(2) so lines never interleave.
#include <boost/json/object.hpp>

#include <string_view>

namespace driftway::log {

enum class level { debug = 0, info = 1, warn = 2, error = 3 };

void set_level(level l);
bool enabled(level l);
// Parses "debug" | "info" | "warn" | "error".
bool parse_level(std::string_view text, level& out);

void write(level l, std::string_view msg, boost::json::object fields = {});

inline void debug(std::string_view msg, boost::json::object fields = {}) {
    if (enabled(level::debug)) write(level::debug, msg, std::move(fields));
}
inline void info(std::string_view msg, boost::json::object fields = {}) {
    if (enabled(level::info)) write(level::info, msg, std::move(fields));
}
inline void warn(std::string_view msg, boost::json::object fields = {}) {
    write(level::warn, msg, std::move(fields));
}
inline void error(std::string_view msg, boost::json::object fields = {}) {
    write(level::error, msg, std::move(fields));
}

}  // namespace driftway::log
