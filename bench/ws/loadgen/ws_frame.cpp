#include "ws_frame.hpp"

#include <array>

namespace loadgen::ws {

namespace {

constexpr std::array<std::uint8_t, 4> mask_key{0x5a, 0x3c, 0x96, 0xe1};

}  // namespace

void append_frame(std::string& out, opcode op, std::string_view payload) {
    std::size_t n = payload.size();
    out.push_back(static_cast<char>(0x80 | op));
    if (n < 126) {
        out.push_back(static_cast<char>(0x80 | n));
    } else if (n <= 0xffff) {
        out.push_back(static_cast<char>(0x80 | 126));
        out.push_back(static_cast<char>(n >> 8));
        out.push_back(static_cast<char>(n & 0xff));
    } else {
        out.push_back(static_cast<char>(0x80 | 127));
        for (int shift = 56; shift >= 0; shift -= 8) {
            out.push_back(static_cast<char>((static_cast<std::uint64_t>(n) >> shift) & 0xff));
        }
    }
    for (std::uint8_t b : mask_key) out.push_back(static_cast<char>(b));
    std::size_t start = out.size();
    out.append(payload);
    for (std::size_t i = 0; i < n; ++i) out[start + i] ^= static_cast<char>(mask_key[i & 3]);
}

parse_status parse_frame(std::string_view data, std::size_t max_payload, frame_view& frame) {
    if (data.size() < 2) return parse_status::incomplete;
    auto b0 = static_cast<std::uint8_t>(data[0]);
    auto b1 = static_cast<std::uint8_t>(data[1]);
    if ((b0 & 0x70) != 0 || (b1 & 0x80) != 0) return parse_status::invalid;
    std::size_t header = 2;
    std::uint64_t length = b1 & 0x7f;
    if (length == 126) {
        if (data.size() < 4) return parse_status::incomplete;
        length = (std::uint64_t{static_cast<std::uint8_t>(data[2])} << 8) |
                 static_cast<std::uint8_t>(data[3]);
        header = 4;
    } else if (length == 127) {
        if (data.size() < 10) return parse_status::incomplete;
        length = 0;
        for (std::size_t i = 2; i < 10; ++i) {
            length = (length << 8) | static_cast<std::uint8_t>(data[i]);
        }
        header = 10;
    }
    if (length > max_payload) return parse_status::invalid;
    if (data.size() - header < length) return parse_status::incomplete;
    frame.fin = (b0 & 0x80) != 0;
    frame.op = b0 & 0x0f;
    frame.payload = data.substr(header, static_cast<std::size_t>(length));
    frame.size = header + static_cast<std::size_t>(length);
    return parse_status::complete;
}

}  // namespace loadgen::ws
