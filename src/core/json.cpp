#include "driftway/core/json.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <charconv>

namespace driftway::json {

result<value> parse(std::string_view text, parse_limits limits) noexcept {
    if (text.size() > limits.max_bytes) return error::too_large("JSON body too large");
    boost::json::parse_options opts;
    opts.max_depth = limits.max_depth;
    boost::system::error_code ec;
    value v = boost::json::parse(text, ec, {}, opts);
    if (ec) {
        if (ec == boost::json::error::too_deep)
            return error::bad_request("json_too_deep", "JSON nesting is too deep");
        if (ec == boost::json::error::syntax && !valid_utf8(text))
            return error::bad_request("invalid_utf8", "body is not valid UTF-8");
        return error::bad_request("malformed_json", "body is not valid JSON: " + ec.message());
    }
    return v;
}

std::string serialize(const value& v) {
    return boost::json::serialize(v);
}

std::string id_string(std::uint64_t id) {
    return std::to_string(id);
}

std::optional<std::uint64_t> parse_id(std::string_view text) noexcept {
    // Canonical decimal only: no sign, no leading zeros.
    if (text.empty() || text.size() > 20 || text[0] == '0') return std::nullopt;
    std::uint64_t out = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    if (ec != std::errc{} || ptr != text.data() + text.size() || out == 0) return std::nullopt;
    return out;
}

bool valid_utf8(std::string_view s) noexcept {
    std::size_t i = 0;
    const auto n = s.size();
    while (i < n) {
        const auto c = static_cast<unsigned char>(s[i]);
        std::size_t len;
        std::uint32_t cp;
        if (c < 0x80) {
            ++i;
            continue;
        }
        if ((c & 0xE0) == 0xC0) {
            len = 2;
            cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            len = 3;
            cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            len = 4;
            cp = c & 0x07;
        } else
            return false;
        if (i + len > n) return false;
        for (std::size_t k = 1; k < len; ++k) {
            const auto cc = static_cast<unsigned char>(s[i + k]);
            if ((cc & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (cc & 0x3F);
        }
        // Overlong forms, surrogates and out-of-range code points are invalid.
        if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
            cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += len;
    }
    return true;
}

std::size_t utf8_length(std::string_view s) noexcept {
    std::size_t count = 0;
    for (unsigned char c : s)
        if ((c & 0xC0) != 0x80) ++count;
    return count;
}

object_reader::object_reader(const value& v) : error_(error::validation("body", "")) {
    error_.fields.clear();
    if (!v.is_object()) {
        fail("body", "must be a JSON object");
        return;
    }
    obj_ = &v.get_object();
}

void object_reader::fail(std::string field, std::string reason) {
    failed_ = true;
    error_.fields.emplace(std::move(field), std::move(reason));
}

bool object_reader::has(std::string_view key) const {
    return obj_ && obj_->contains(key);
}

const value* object_reader::optional_raw(std::string_view key) {
    if (!obj_) return nullptr;
    seen_.emplace(key);
    return obj_->if_contains(key);
}

static std::string trim_ascii(std::string_view s) {
    const auto ws = " \t\r\n";
    const auto b = s.find_first_not_of(ws);
    if (b == std::string_view::npos) return {};
    const auto e = s.find_last_not_of(ws);
    return std::string(s.substr(b, e - b + 1));
}

std::optional<std::optional<std::string>> object_reader::nullable_string(std::string_view key,
                                                                         string_rule rule) {
    const value* v = optional_raw(key);
    if (!v) return std::nullopt;
    if (v->is_null()) return std::optional<std::string>{};
    if (!v->is_string()) {
        fail(std::string(key), "must be a string");
        return std::nullopt;
    }
    std::string s(v->get_string());
    if (rule.trim) s = trim_ascii(s);
    if (rule.single_line) {
        for (unsigned char c : s) {
            if (c < 0x20 || c == 0x7f) {
                fail(std::string(key), "must not contain control characters");
                return std::nullopt;
            }
        }
    }
    const auto len = utf8_length(s);
    if (len < rule.min_length) {
        fail(std::string(key),
             rule.min_length == 1
                 ? "must not be empty"
                 : "must be at least " + std::to_string(rule.min_length) + " characters");
        return std::nullopt;
    }
    if (len > rule.max_length) {
        fail(std::string(key),
             "must be at most " + std::to_string(rule.max_length) + " characters");
        return std::nullopt;
    }
    return std::optional<std::string>{std::move(s)};
}

std::optional<std::string> object_reader::optional_string(std::string_view key, string_rule rule) {
    auto v = nullable_string(key, rule);
    if (!v) return std::nullopt;
    if (!*v) {
        fail(std::string(key), "must be a string");
        return std::nullopt;
    }
    return std::move(*v);
}

std::optional<std::string> object_reader::required_string(std::string_view key, string_rule rule) {
    if (obj_ && !obj_->contains(key)) {
        fail(std::string(key), "is required");
        return std::nullopt;
    }
    return optional_string(key, rule);
}

std::optional<bool> object_reader::optional_bool(std::string_view key) {
    const value* v = optional_raw(key);
    if (!v) return std::nullopt;
    if (!v->is_bool()) {
        fail(std::string(key), "must be a boolean");
        return std::nullopt;
    }
    return v->get_bool();
}

std::optional<std::int64_t> object_reader::optional_int(std::string_view key, std::int64_t min,
                                                        std::int64_t max) {
    const value* v = optional_raw(key);
    if (!v) return std::nullopt;
    std::int64_t out;
    if (v->is_int64())
        out = v->get_int64();
    else if (v->is_uint64() && v->get_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
        out = static_cast<std::int64_t>(v->get_uint64());
    else {
        fail(std::string(key), "must be an integer");
        return std::nullopt;
    }
    if (out < min || out > max) {
        fail(std::string(key),
             "must be between " + std::to_string(min) + " and " + std::to_string(max));
        return std::nullopt;
    }
    return out;
}

std::optional<std::uint64_t> object_reader::optional_id(std::string_view key) {
    const value* v = optional_raw(key);
    if (!v) return std::nullopt;
    if (v->is_string()) {
        if (auto id = parse_id(v->get_string())) return id;
    }
    fail(std::string(key), "must be an id (a decimal string)");
    return std::nullopt;
}

std::optional<std::uint64_t> object_reader::required_id(std::string_view key) {
    if (obj_ && !obj_->contains(key)) {
        fail(std::string(key), "is required");
        return std::nullopt;
    }
    return optional_id(key);
}

std::optional<std::vector<std::string>> object_reader::optional_string_array(std::string_view key,
                                                                             std::size_t max_items,
                                                                             string_rule rule) {
    const value* v = optional_raw(key);
    if (!v) return std::nullopt;
    if (!v->is_array()) {
        fail(std::string(key), "must be an array of strings");
        return std::nullopt;
    }
    const auto& arr = v->get_array();
    if (arr.size() > max_items) {
        fail(std::string(key), "must have at most " + std::to_string(max_items) + " items");
        return std::nullopt;
    }
    std::vector<std::string> out;
    for (const auto& item : arr) {
        if (!item.is_string()) {
            fail(std::string(key), "must be an array of strings");
            return std::nullopt;
        }
        auto len = utf8_length(item.get_string());
        if (len < rule.min_length || len > rule.max_length) {
            fail(std::string(key), "has an item of the wrong length");
            return std::nullopt;
        }
        out.emplace_back(item.get_string());
    }
    return out;
}

result<void> object_reader::finish() {
    if (obj_) {
        for (const auto& kv : *obj_) {
            if (!seen_.contains(std::string_view(kv.key())))
                fail(std::string(kv.key()), "is not a known field");
        }
    }
    if (failed_) return error_;
    return {};
}

value to_json(const error& e) {
    object o;
    o["code"] = e.code;
    o["message"] = e.message;
    if (!e.fields.empty()) {
        object f;
        for (const auto& [k, v] : e.fields) f[k] = v;
        o["errors"] = std::move(f);
    }
    return o;
}

}  // namespace driftway::json
