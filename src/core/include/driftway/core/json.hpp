#pragma once
// JSON at the API edge: bounded parsing and a reader that validates an object's
// fields, collecting every problem into one validation error.
#include "driftway/core/error.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace driftway::json {

using boost::json::array;
using boost::json::object;
using boost::json::value;

struct parse_limits {
    std::size_t max_bytes = 1 << 20;
    std::size_t max_depth = 32;
};

// Parses untrusted text. Invalid UTF-8, bad syntax, too deep or too large
// give a 400/413 error; never throws.
result<value> parse(std::string_view text, parse_limits limits = {}) noexcept;

std::string serialize(const value& v);

// Snowflake ids travel as decimal strings.
std::string id_string(std::uint64_t id);
std::optional<std::uint64_t> parse_id(std::string_view text) noexcept;

// Number of Unicode code points in valid UTF-8 text.
std::size_t utf8_length(std::string_view text) noexcept;
bool valid_utf8(std::string_view text) noexcept;

struct string_rule {
    std::size_t min_length = 0;  // code points
    std::size_t max_length = 2000;
    bool trim = false;         // strip surrounding ASCII whitespace before checking
    bool single_line = false;  // refuse control characters (names, titles)
};

// Reads fields of one object. Every accessor records a reason when the field
// is present but wrong, or absent but required; finish() turns them (and any
// field nobody asked for) into one 400 validation_failed error.
class object_reader {
public:
    explicit object_reader(const value& v);

    std::optional<std::string> required_string(std::string_view key, string_rule rule = {});
    std::optional<std::string> optional_string(std::string_view key, string_rule rule = {});
    // Present-and-null is reported as present with nullopt inside.
    std::optional<std::optional<std::string>> nullable_string(std::string_view key,
                                                              string_rule rule = {});
    std::optional<bool> optional_bool(std::string_view key);
    std::optional<std::int64_t> optional_int(std::string_view key, std::int64_t min,
                                             std::int64_t max);
    std::optional<std::uint64_t> optional_id(std::string_view key);
    std::optional<std::uint64_t> required_id(std::string_view key);
    const value* optional_raw(std::string_view key);
    // An array of strings, each checked by rule.
    std::optional<std::vector<std::string>> optional_string_array(std::string_view key,
                                                                  std::size_t max_items,
                                                                  string_rule rule = {});

    bool has(std::string_view key) const;
    void fail(std::string field, std::string reason);
    result<void> finish();

private:
    const object* obj_ = nullptr;
    std::set<std::string, std::less<>> seen_;
    error error_;
    bool failed_ = false;
};

value to_json(const error& e);

}  // namespace driftway::json
