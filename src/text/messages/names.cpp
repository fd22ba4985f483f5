#include "messages/names.hpp"

#include "driftway/core/json.hpp"

namespace driftway::text::messages {

namespace {

bool is_unreserved(unsigned char c) noexcept {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~';
}

void append_pct(std::string& out, unsigned char c) {
    static constexpr char hex[] = "0123456789ABCDEF";
    out.push_back('%');
    out.push_back(hex[c >> 4]);
    out.push_back(hex[c & 0xf]);
}

// Length in bytes of the UTF-8 sequence starting with lead (valid input assumed).
std::size_t sequence_length(unsigned char lead) noexcept {
    if (lead < 0x80) return 1;
    if (lead < 0xe0) return 2;
    if (lead < 0xf0) return 3;
    return 4;
}

}  // namespace

bool valid_reaction_emoji(std::string_view emoji) noexcept {
    if (emoji.empty() || emoji.size() > 32 || !json::valid_utf8(emoji)) return false;
    for (unsigned char c : emoji) {
        if (c >= 0x80) continue;
        // Punctuation such as '#', '*' (keycap bases) is fine; letters,
        // digits, whitespace, controls and the path characters are not.
        if (c <= 0x20 || c == 0x7f || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
            (c >= 'A' && c <= 'Z') || c == '/' || c == '\\' || c == '%')
            return false;
    }
    // At least one non-ASCII code point: "#" alone is not an emoji.
    for (unsigned char c : emoji)
        if (c >= 0x80) return true;
    return false;
}

std::optional<std::string> sanitize_filename(std::string_view name) noexcept {
    try {
        const auto slash = name.find_last_of("/\\");
        if (slash != std::string_view::npos) name.remove_prefix(slash + 1);
        if (!json::valid_utf8(name)) return std::nullopt;
        std::string out;
        out.reserve(name.size());
        for (std::size_t i = 0; i < name.size();) {
            const auto c = static_cast<unsigned char>(name[i]);
            const auto len = sequence_length(c);
            const bool c0 = c < 0x20 || c == 0x7f;
            // U+0080..U+009F are C1 controls, encoded C2 80..C2 9F.
            const bool c1 =
                c == 0xc2 && i + 1 < name.size() && static_cast<unsigned char>(name[i + 1]) < 0xa0;
            if (!c0 && !c1) {
                if (out.size() + len > max_filename_bytes) break;
                out.append(name.substr(i, len));
            }
            i += len;
        }
        while (!out.empty() && out.front() == ' ') out.erase(out.begin());
        while (!out.empty() && out.back() == ' ') out.pop_back();
        if (out.find_first_not_of('.') == std::string::npos) return std::nullopt;
        return out;
    } catch (...) {
        return std::nullopt;
    }
}

std::string percent_encode_segment(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (unsigned char c : s) {
        if (is_unreserved(c))
            out.push_back(static_cast<char>(c));
        else
            append_pct(out, c);
    }
    return out;
}

std::string content_disposition(bool inline_display, std::string_view filename) {
    std::string out = inline_display ? "inline" : "attachment";
    // The quoted fallback keeps printable ASCII other than '"' and '\\'
    // (RFC 6266 4.3 advises against escapes there; old clients mishandle them).
    out += "; filename=\"";
    for (unsigned char c : filename)
        out.push_back(c >= 0x20 && c < 0x7f && c != '"' && c != '\\' ? static_cast<char>(c) : '_');
    out += "\"; filename*=UTF-8''";
    for (unsigned char c : filename) {
        if (is_unreserved(c))
            out.push_back(static_cast<char>(c));
        else
            append_pct(out, c);
    }
    return out;
}

}  // namespace driftway::text::messages
