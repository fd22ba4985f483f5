#include "utf8.hpp"

#include <cstdint>
#include <cstring>

namespace driftway::net::ws::detail {

namespace {

bool continuation(unsigned char c) noexcept {
    return (c & 0xC0) == 0x80;
}

// Length of the well-formed sequence starting at p (RFC 3629 section 4), or 0.
std::size_t sequence_length(const unsigned char* p, std::size_t available) noexcept {
    const unsigned char c = p[0];
    if (c < 0x80) return 1;
    std::size_t n = 0;
    unsigned char lo = 0x80;
    unsigned char hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        if (c == 0xE0) lo = 0xA0;  // overlong
        if (c == 0xED) hi = 0x9F;  // UTF-16 surrogates
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        if (c == 0xF0) lo = 0x90;  // overlong
        if (c == 0xF4) hi = 0x8F;  // past U+10FFFF
    } else {
        return 0;
    }
    if (available < n) return 0;
    if (p[1] < lo || p[1] > hi) return 0;
    for (std::size_t i = 2; i < n; ++i) {
        if (!continuation(p[i])) return 0;
    }
    return n;
}

}  // namespace

bool valid_utf8(std::string_view text) noexcept {
    const auto* p = reinterpret_cast<const unsigned char*>(text.data());
    const auto* const end = p + text.size();
    while (p < end) {
        // Chat text is mostly ASCII: skip it eight bytes at a time.
        if (end - p >= 8) {
            std::uint64_t v;
            std::memcpy(&v, p, sizeof v);
            if ((v & 0x8080808080808080ULL) == 0) {
                p += 8;
                continue;
            }
        }
        const std::size_t n = sequence_length(p, static_cast<std::size_t>(end - p));
        if (n == 0) return false;
        p += n;
    }
    return true;
}

std::string_view utf8_prefix(std::string_view text, std::size_t max_bytes) noexcept {
    if (text.size() <= max_bytes) return text;
    std::size_t n = max_bytes;
    // Back up over continuation bytes to the start of the cut character.
    while (n > 0 && continuation(static_cast<unsigned char>(text[n]))) --n;
    return text.substr(0, n);
}

}  // namespace driftway::net::ws::detail
