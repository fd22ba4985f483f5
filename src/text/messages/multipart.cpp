#include "messages/multipart.hpp"

#include "driftway/core/json.hpp"

#include <cctype>

namespace driftway::text::messages {

namespace {

char lower(char c) noexcept {
    return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}

bool iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (lower(a[i]) != lower(b[i])) return false;
    return true;
}

std::string_view trim(std::string_view s) noexcept {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

// Parameters of a header value: `type; a=b; c="d \" e"`. Calls fn(name,
// value) for each; returns the leading token (the type). False on a
// malformed quoted string.
template <class Fn>
bool parse_parameters(std::string_view v, std::string_view& type, Fn&& fn) {
    const auto semi = v.find(';');
    type = trim(v.substr(0, semi));
    if (semi == std::string_view::npos) return true;
    v.remove_prefix(semi + 1);
    while (!v.empty()) {
        v = trim(v);
        if (v.empty()) break;
        const auto eq = v.find('=');
        if (eq == std::string_view::npos) return false;
        const auto name = trim(v.substr(0, eq));
        v.remove_prefix(eq + 1);
        v = trim(v);
        std::string value;
        if (!v.empty() && v.front() == '"') {
            // quoted-string (RFC 9110 5.6.4) with backslash escapes.
            std::size_t i = 1;
            bool closed = false;
            for (; i < v.size(); ++i) {
                if (v[i] == '\\' && i + 1 < v.size()) {
                    value.push_back(v[++i]);
                } else if (v[i] == '"') {
                    closed = true;
                    break;
                } else {
                    value.push_back(v[i]);
                }
            }
            if (!closed) return false;
            v.remove_prefix(i + 1);
            const auto next = v.find(';');
            if (!trim(v.substr(0, next)).empty()) return false;
            v.remove_prefix(next == std::string_view::npos ? v.size() : next + 1);
        } else {
            const auto next = v.find(';');
            value = std::string(trim(v.substr(0, next)));
            v.remove_prefix(next == std::string_view::npos ? v.size() : next + 1);
        }
        fn(name, std::move(value));
    }
    return true;
}

int hex_value(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// filename*=UTF-8''percent%20encoded (RFC 5987 3.2.1); other charsets are
// not decoded (the plain filename is used then).
std::optional<std::string> decode_ext_value(std::string_view v) {
    const auto first = v.find('\'');
    if (first == std::string_view::npos) return std::nullopt;
    const auto second = v.find('\'', first + 1);
    if (second == std::string_view::npos || !iequals(v.substr(0, first), "utf-8"))
        return std::nullopt;
    v.remove_prefix(second + 1);
    std::string out;
    for (std::size_t i = 0; i < v.size(); ++i) {
        if (v[i] != '%') {
            out.push_back(v[i]);
            continue;
        }
        if (i + 2 >= v.size()) return std::nullopt;
        const int hi = hex_value(v[i + 1]);
        const int lo = hex_value(v[i + 2]);
        if (hi < 0 || lo < 0) return std::nullopt;
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
    }
    if (!json::valid_utf8(out)) return std::nullopt;
    return out;
}

// Reads one part's header block (lines up to an empty line). False when malformed.
bool parse_part_headers(std::string_view block, form_part& part) {
    bool disposition = false;
    std::optional<std::string> ext_filename;
    while (!block.empty()) {
        const auto eol = block.find("\r\n");
        const auto line = block.substr(0, eol);
        block.remove_prefix(eol == std::string_view::npos ? block.size() : eol + 2);
        const auto colon = line.find(':');
        if (colon == std::string_view::npos || colon == 0) return false;
        const auto name = line.substr(0, colon);
        const auto value = trim(line.substr(colon + 1));
        if (iequals(name, "content-disposition")) {
            if (disposition) return false;
            disposition = true;
            std::string_view type;
            bool has_name = false;
            bool ok = parse_parameters(value, type, [&](std::string_view k, std::string v) {
                if (iequals(k, "name")) {
                    part.name = std::move(v);
                    has_name = true;
                } else if (iequals(k, "filename")) {
                    part.filename = std::move(v);
                } else if (iequals(k, "filename*")) {
                    ext_filename = decode_ext_value(v);
                }
            });
            if (!ok || !iequals(type, "form-data") || !has_name) return false;
        } else if (iequals(name, "content-type")) {
            part.content_type = std::string(value);
        }
        // Other part headers (Content-Transfer-Encoding is deprecated by
        // RFC 7578 4.7) are ignored.
    }
    if (ext_filename) part.filename = std::move(ext_filename);
    return disposition;
}

std::optional<std::vector<form_part>> parse(std::string_view body, std::string_view boundary) {
    const std::string dash_boundary = "--" + std::string(boundary);
    const std::string delimiter = "\r\n" + dash_boundary;

    // The first boundary may start the body or follow a preamble (RFC 2046 5.1.1).
    std::size_t pos;
    if (body.substr(0, dash_boundary.size()) == dash_boundary) {
        pos = dash_boundary.size();
    } else {
        const auto found = body.find(delimiter);
        if (found == std::string_view::npos) return std::nullopt;
        pos = found + delimiter.size();
    }

    std::vector<form_part> parts;
    for (;;) {
        // After a delimiter: "--" closes; otherwise optional whitespace and CRLF.
        if (body.substr(pos, 2) == "--") return parts;
        while (pos < body.size() && (body[pos] == ' ' || body[pos] == '\t')) ++pos;
        if (body.substr(pos, 2) != "\r\n") return std::nullopt;
        pos += 2;
        if (parts.size() == max_form_parts) return std::nullopt;

        // Headers end at the first empty line (form-data parts always have
        // at least Content-Disposition).
        const auto header_end = body.find("\r\n\r\n", pos);
        if (header_end == std::string_view::npos || header_end - pos > max_part_header_bytes)
            return std::nullopt;
        form_part part;
        if (!parse_part_headers(body.substr(pos, header_end - pos), part)) return std::nullopt;
        pos = header_end + 4;

        const auto next = body.find(delimiter, pos);
        if (next == std::string_view::npos) return std::nullopt;
        part.data = body.substr(pos, next - pos);
        parts.push_back(std::move(part));
        pos = next + delimiter.size();
    }
}

}  // namespace

std::optional<std::string> form_data_boundary(std::string_view content_type) noexcept {
    try {
        std::string_view type;
        std::optional<std::string> boundary;
        const bool ok =
            parse_parameters(content_type, type, [&](std::string_view k, std::string v) {
                if (iequals(k, "boundary")) boundary = std::move(v);
            });
        if (!ok || !iequals(type, "multipart/form-data") || !boundary) return std::nullopt;
        if (boundary->empty() || boundary->size() > 70) return std::nullopt;
        // bchars of RFC 2046 5.1.1; a CR or LF would let a boundary span lines.
        for (char c : *boundary)
            if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e)
                return std::nullopt;
        return boundary;
    } catch (...) {
        return std::nullopt;
    }
}

std::optional<std::vector<form_part>> parse_form_data(std::string_view body,
                                                      std::string_view boundary) noexcept {
    if (boundary.empty()) return std::nullopt;
    try {
        return parse(body, boundary);
    } catch (...) {
        return std::nullopt;
    }
}

}  // namespace driftway::text::messages
