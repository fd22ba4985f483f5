#pragma once
// Byte-level helpers shared by the wire formats of rtc/: big-endian reads and
// writes on spans, and the transport address that STUN and the SFU speak of.
// Nothing here allocates or throws.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace driftway::rtc {

using bytes_view = std::span<const std::uint8_t>;
using bytes_span = std::span<std::uint8_t>;

inline std::uint16_t read_u16(const std::uint8_t* p) {
    return static_cast<std::uint16_t>(p[0] << 8 | p[1]);
}
inline std::uint32_t read_u32(const std::uint8_t* p) {
    return std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 | std::uint32_t{p[2]} << 8 | p[3];
}
inline void write_u16(std::uint8_t* p, std::uint16_t v) {
    p[0] = static_cast<std::uint8_t>(v >> 8);
    p[1] = static_cast<std::uint8_t>(v);
}
inline void write_u32(std::uint8_t* p, std::uint32_t v) {
    p[0] = static_cast<std::uint8_t>(v >> 24);
    p[1] = static_cast<std::uint8_t>(v >> 16);
    p[2] = static_cast<std::uint8_t>(v >> 8);
    p[3] = static_cast<std::uint8_t>(v);
}

// An IPv4 or IPv6 address and port, in network byte order for the address.
struct socket_address {
    std::uint8_t family = 4;            // 4 or 6
    std::array<std::uint8_t, 16> ip{};  // IPv4 uses the first 4 bytes
    std::uint16_t port = 0;

    static socket_address v4(std::uint32_t host_order_ip, std::uint16_t port);
    // "127.0.0.1" / "::1"; family 0 on a malformed string.
    static socket_address parse(const std::string& ip, std::uint16_t port);
    std::string ip_string() const;
    friend bool operator==(const socket_address&, const socket_address&) = default;
};

}  // namespace driftway::rtc
