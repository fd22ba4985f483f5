#include "base64.hpp"

#include <array>
#include <cstdint>

namespace driftway::bench {
namespace {
constexpr std::string_view alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
}

std::string base64_encode(std::string_view in) {
    std::string out;
    out.reserve((in.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 2 < in.size(); i += 3) {
        const std::uint32_t v = std::uint32_t{static_cast<std::uint8_t>(in[i])} << 16 |
                                std::uint32_t{static_cast<std::uint8_t>(in[i + 1])} << 8 |
                                static_cast<std::uint8_t>(in[i + 2]);
        out += alphabet[v >> 18 & 63];
        out += alphabet[v >> 12 & 63];
        out += alphabet[v >> 6 & 63];
        out += alphabet[v & 63];
    }
    if (i < in.size()) {
        std::uint32_t v = std::uint32_t{static_cast<std::uint8_t>(in[i])} << 16;
        if (i + 1 < in.size()) v |= std::uint32_t{static_cast<std::uint8_t>(in[i + 1])} << 8;
        out += alphabet[v >> 18 & 63];
        out += alphabet[v >> 12 & 63];
        out += i + 1 < in.size() ? alphabet[v >> 6 & 63] : '=';
        out += '=';
    }
    return out;
}

std::optional<std::string> base64_decode(std::string_view in) {
    std::array<int, 256> rev{};
    rev.fill(-1);
    for (std::size_t k = 0; k < alphabet.size(); ++k)
        rev[static_cast<std::uint8_t>(alphabet[k])] = static_cast<int>(k);
    std::string out;
    std::uint32_t acc = 0;
    int bits = 0;
    for (char c : in) {
        if (c == '=') break;
        const int d = rev[static_cast<std::uint8_t>(c)];
        if (d < 0) return std::nullopt;
        acc = acc << 6 | static_cast<std::uint32_t>(d);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>(acc >> bits & 0xFF);
        }
    }
    return out;
}

}  // namespace driftway::bench
