#pragma once
// WebSocket frames (RFC 6455 section 5): headers of client frames parsed from
// untrusted bytes, headers of server frames encoded, masking, close payloads.
// Nothing here allocates or throws.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace driftway::net::ws::detail {

enum class opcode : std::uint8_t {
    continuation = 0x0,
    text = 0x1,
    binary = 0x2,
    close = 0x8,
    ping = 0x9,
    pong = 0xA,
};

// Reported to the application, never sent (section 7.4.1).
inline constexpr std::uint16_t close_no_status = 1005;
inline constexpr std::uint16_t close_abnormal = 1006;
inline constexpr std::uint16_t close_internal_error = 1011;

// Section 5.5: control frames carry at most 125 payload bytes.
inline constexpr std::size_t max_control_payload = 125;
// 2 bytes, a 64-bit extended length and the masking key.
inline constexpr std::size_t max_client_header_bytes = 14;
// Servers never mask (section 5.1).
inline constexpr std::size_t max_server_header_bytes = 10;

using mask_key = std::array<std::uint8_t, 4>;

constexpr bool is_control(opcode op) noexcept {
    return (static_cast<std::uint8_t>(op) & 0x8) != 0;
}

struct frame_header {
    bool fin = false;
    opcode op = opcode::continuation;
    mask_key mask{};
    std::uint64_t payload_length = 0;
    std::size_t header_length = 0;  // bytes before the payload
};

struct header_result {
    enum class status : std::uint8_t { complete, incomplete, invalid };
    status state = status::incomplete;
    frame_header header;           // when complete
    std::size_t needed = 0;        // when incomplete: header bytes needed (so far known)
    std::uint16_t close_code = 0;  // when invalid: the code to fail the connection with
};

// Parses the header of a frame from a client. Everything a single header can
// violate is checked here, as early as the bytes allow: reserved bits set
// while no extension was negotiated, unknown opcodes (section 5.2), control
// frames fragmented or longer than 125 bytes (section 5.5), an unmasked frame
// (section 5.1), and lengths not in the minimal encoding or with the most
// significant bit set (section 5.2). All of these are 1002.
header_result parse_client_header(std::span<const std::uint8_t> bytes) noexcept;

// XORs data with the masking key (section 5.3), data being a whole payload.
void apply_mask(std::span<std::uint8_t> data, mask_key key) noexcept;

// Writes the unmasked header of a server frame with `length` payload bytes to
// out; returns its size (2, 4 or 10).
std::size_t encode_header(std::span<std::uint8_t, max_server_header_bytes> out, opcode op, bool fin,
                          std::uint64_t length) noexcept;

// Whether a close frame may carry this code (section 7.4.1 and 7.4.2, with
// the codes IANA registered since: 1012-1014).
bool valid_close_code(std::uint16_t code) noexcept;

// Writes the payload of a close frame: the code and as much of reason as fits
// (cut at a character boundary). No payload at all for close_no_status.
// Returns its size.
std::size_t encode_close_payload(std::span<std::uint8_t, max_control_payload> out,
                                 std::uint16_t code, std::string_view reason) noexcept;

}  // namespace driftway::net::ws::detail
