#include "frame.hpp"

#include "utf8.hpp"

#include <cstring>

namespace driftway::net::ws::detail {

namespace {

constexpr std::uint16_t protocol_error = 1002;

header_result invalid(std::uint16_t code) noexcept {
    header_result r;
    r.state = header_result::status::invalid;
    r.close_code = code;
    return r;
}

header_result incomplete(std::size_t needed) noexcept {
    header_result r;
    r.state = header_result::status::incomplete;
    r.needed = needed;
    return r;
}

bool known_opcode(std::uint8_t op) noexcept {
    return op <= 0x2 || (op >= 0x8 && op <= 0xA);
}

}  // namespace

header_result parse_client_header(std::span<const std::uint8_t> bytes) noexcept {
    if (bytes.size() < 2) return incomplete(2);
    const std::uint8_t b0 = bytes[0];
    const std::uint8_t b1 = bytes[1];
    if ((b0 & 0x70) != 0) return invalid(protocol_error);
    const std::uint8_t op = b0 & 0x0F;
    if (!known_opcode(op)) return invalid(protocol_error);
    const bool fin = (b0 & 0x80) != 0;
    const bool control = (op & 0x8) != 0;
    if (control && !fin) return invalid(protocol_error);
    if ((b1 & 0x80) == 0) return invalid(protocol_error);
    const std::uint8_t len7 = b1 & 0x7F;
    if (control && len7 > max_control_payload) return invalid(protocol_error);

    const std::size_t extended = len7 == 126 ? 2 : len7 == 127 ? 8 : 0;
    const std::size_t header_length = 2 + extended + 4;
    if (bytes.size() < header_length) return incomplete(header_length);

    std::uint64_t length = len7;
    if (len7 == 126) {
        length = (std::uint64_t{bytes[2]} << 8) | bytes[3];
        if (length < 126) return invalid(protocol_error);
    } else if (len7 == 127) {
        length = 0;
        for (std::size_t i = 0; i < 8; ++i) length = (length << 8) | bytes[2 + i];
        if ((length >> 63) != 0 || length <= 0xFFFF) return invalid(protocol_error);
    }

    header_result r;
    r.state = header_result::status::complete;
    r.header.fin = fin;
    r.header.op = static_cast<opcode>(op);
    r.header.payload_length = length;
    r.header.header_length = header_length;
    std::memcpy(r.header.mask.data(), bytes.data() + 2 + extended, 4);
    return r;
}

void apply_mask(std::span<std::uint8_t> data, mask_key key) noexcept {
    std::array<std::uint8_t, 8> key8;
    for (std::size_t i = 0; i < key8.size(); ++i) key8[i] = key[i & 3];
    std::uint64_t wide;
    std::memcpy(&wide, key8.data(), sizeof wide);

    std::uint8_t* p = data.data();
    const std::size_t n = data.size();
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        std::uint64_t v;
        std::memcpy(&v, p + i, sizeof v);
        v ^= wide;
        std::memcpy(p + i, &v, sizeof v);
    }
    for (; i < n; ++i) p[i] ^= key8[i & 7];
}

std::size_t encode_header(std::span<std::uint8_t, max_server_header_bytes> out, opcode op, bool fin,
                          std::uint64_t length) noexcept {
    out[0] = static_cast<std::uint8_t>((fin ? 0x80 : 0x00) | static_cast<std::uint8_t>(op));
    if (length < 126) {
        out[1] = static_cast<std::uint8_t>(length);
        return 2;
    }
    if (length <= 0xFFFF) {
        out[1] = 126;
        out[2] = static_cast<std::uint8_t>(length >> 8);
        out[3] = static_cast<std::uint8_t>(length);
        return 4;
    }
    out[1] = 127;
    for (std::size_t i = 0; i < 8; ++i) {
        out[2 + i] = static_cast<std::uint8_t>(length >> (56 - 8 * i));
    }
    return 10;
}

bool valid_close_code(std::uint16_t code) noexcept {
    if (code >= 3000 && code <= 4999) return true;  // registered (3xxx) and private (4xxx)
    switch (code) {
        case 1000:
        case 1001:
        case 1002:
        case 1003:
        case 1007:
        case 1008:
        case 1009:
        case 1010:
        case 1011:
        case 1012:
        case 1013:
        case 1014:
            return true;
        default:
            return false;
    }
}

std::size_t encode_close_payload(std::span<std::uint8_t, max_control_payload> out,
                                 std::uint16_t code, std::string_view reason) noexcept {
    if (code == close_no_status) return 0;
    out[0] = static_cast<std::uint8_t>(code >> 8);
    out[1] = static_cast<std::uint8_t>(code);
    const std::string_view fitting = utf8_prefix(reason, max_control_payload - 2);
    if (!fitting.empty()) std::memcpy(out.data() + 2, fitting.data(), fitting.size());
    return 2 + fitting.size();
}

}  // namespace driftway::net::ws::detail
