#include "json_scan.hpp"

#include <cstring>

namespace loadgen::json {

std::size_t find_after(std::string_view text, std::string_view marker) {
    const void* hit = memmem(text.data(), text.size(), marker.data(), marker.size());
    if (hit == nullptr) return std::string_view::npos;
    return static_cast<std::size_t>(static_cast<const char*>(hit) - text.data()) + marker.size();
}

bool contains(std::string_view text, std::string_view marker) {
    return memmem(text.data(), text.size(), marker.data(), marker.size()) != nullptr;
}

std::optional<std::uint64_t> number_after(std::string_view text, std::string_view marker) {
    std::size_t pos = find_after(text, marker);
    if (pos == std::string_view::npos) return std::nullopt;
    std::uint64_t value = 0;
    std::size_t digits = 0;
    for (; pos < text.size() && text[pos] >= '0' && text[pos] <= '9' && digits < 19;
         ++pos, ++digits) {
        value = value * 10 + static_cast<std::uint64_t>(text[pos] - '0');
    }
    if (digits == 0) return std::nullopt;
    return value;
}

namespace {

// Index just past the string literal that starts at json[pos] == '"'.
std::size_t skip_string(std::string_view json, std::size_t pos) {
    for (++pos; pos < json.size(); ++pos) {
        if (json[pos] == '\\') {
            ++pos;
        } else if (json[pos] == '"') {
            return pos + 1;
        }
    }
    return std::string_view::npos;
}

std::size_t skip_space(std::string_view json, std::size_t pos) {
    while (pos < json.size() &&
           (json[pos] == ' ' || json[pos] == '\n' || json[pos] == '\r' || json[pos] == '\t')) {
        ++pos;
    }
    return pos;
}

std::string unescape_simple(std::string_view raw) {
    std::string out;
    out.reserve(raw.size());
    for (std::size_t i = 0; i < raw.size(); ++i) {
        if (raw[i] == '\\' && i + 1 < raw.size() &&
            (raw[i + 1] == '"' || raw[i + 1] == '\\' || raw[i + 1] == '/')) {
            ++i;
        }
        out.push_back(raw[i]);
    }
    return out;
}

}  // namespace

std::optional<std::string> top_level_field(std::string_view json, std::string_view key) {
    std::size_t pos = skip_space(json, 0);
    if (pos >= json.size() || json[pos] != '{') return std::nullopt;
    int depth = 0;
    bool expect_key = false;
    while (pos < json.size()) {
        char c = json[pos];
        if (c == '{' || c == '[') {
            ++depth;
            expect_key = (c == '{' && depth == 1);
            ++pos;
        } else if (c == '}' || c == ']') {
            --depth;
            ++pos;
            if (depth == 0) return std::nullopt;
        } else if (c == ',') {
            expect_key = (depth == 1);
            ++pos;
        } else if (c == '"') {
            std::size_t end = skip_string(json, pos);
            if (end == std::string_view::npos) return std::nullopt;
            if (depth == 1 && expect_key) {
                expect_key = false;
                std::string_view name = json.substr(pos + 1, end - pos - 2);
                std::size_t colon = skip_space(json, end);
                if (colon >= json.size() || json[colon] != ':') return std::nullopt;
                if (name == key) {
                    std::size_t value = skip_space(json, colon + 1);
                    if (value >= json.size()) return std::nullopt;
                    if (json[value] == '"') {
                        std::size_t value_end = skip_string(json, value);
                        if (value_end == std::string_view::npos) return std::nullopt;
                        return unescape_simple(json.substr(value + 1, value_end - value - 2));
                    }
                    if (json[value] == '{' || json[value] == '[') return std::nullopt;
                    std::size_t value_end = value;
                    while (value_end < json.size() && json[value_end] != ',' &&
                           json[value_end] != '}' && json[value_end] != ' ') {
                        ++value_end;
                    }
                    return std::string(json.substr(value, value_end - value));
                }
                pos = colon + 1;
            } else {
                pos = end;
            }
        } else {
            ++pos;
        }
    }
    return std::nullopt;
}

std::string escape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        if (c == '"' || c == '\\') {
            out.push_back('\\');
            out.push_back(c);
        } else if (static_cast<unsigned char>(c) < 0x20) {
            static constexpr char hex[] = "0123456789abcdef";
            out += "\\u00";
            out.push_back(hex[(c >> 4) & 0xf]);
            out.push_back(hex[c & 0xf]);
        } else {
            out.push_back(c);
        }
    }
    return out;
}

}  // namespace loadgen::json
