#pragma once
// RTP (RFC 3550) header parsing in place, the header extensions of RFC 8285
// (one- and two-byte forms) and the client-to-mixer audio level of RFC 6464.
// The SFU rewrites SSRC, sequence number and timestamp in place and never
// touches the payload. Parsers never throw on untrusted bytes.
#include "driftway/rtc/bytes.hpp"

#include <cstdint>
#include <optional>

namespace driftway::rtc {

struct rtp_header {
    std::uint8_t payload_type = 0;
    bool marker = false;
    bool padding = false;
    std::uint16_t sequence = 0;
    std::uint32_t timestamp = 0;
    std::uint32_t ssrc = 0;
    std::uint8_t csrc_count = 0;
    // Header extension block (RFC 8285): profile 0xBEDE (one-byte) or
    // 0x100x (two-byte); offset/size of the extension elements (after the
    // 4-byte extension header), 0 when absent.
    std::uint16_t extension_profile = 0;
    std::size_t extension_offset = 0;
    std::size_t extension_size = 0;
    std::size_t payload_offset = 0;  // first byte after the header
    std::size_t payload_size = 0;    // without padding
};

// nullopt for anything that is not a well-formed RTP version 2 packet
// (including RTCP payload types 192–223).
std::optional<rtp_header> parse_rtp(bytes_view packet) noexcept;

// The value of header extension `id` (1–14 one-byte, 1–255 two-byte), empty
// when absent.
bytes_view find_extension(bytes_view packet, const rtp_header& h, std::uint8_t id) noexcept;

// RFC 6464: V bit and level in -dBov (0 loudest … 127 silence).
struct audio_level {
    bool voice_activity = false;
    std::uint8_t level = 127;
};
std::optional<audio_level> read_audio_level(bytes_view packet, const rtp_header& h,
                                            std::uint8_t extension_id) noexcept;

// In-place rewrites of the fixed header (the packet must be at least 12 bytes).
void set_sequence(bytes_span packet, std::uint16_t seq) noexcept;
void set_timestamp(bytes_span packet, std::uint32_t ts) noexcept;
void set_ssrc(bytes_span packet, std::uint32_t ssrc) noexcept;
void set_payload_type(bytes_span packet, std::uint8_t pt) noexcept;

// Builds a minimal RTP packet (no CSRC), optionally with a one-byte audio
// level extension; for tests and the load client.
struct rtp_build {
    std::uint8_t payload_type = 111;
    bool marker = false;
    std::uint16_t sequence = 0;
    std::uint32_t timestamp = 0;
    std::uint32_t ssrc = 0;
    std::optional<std::uint8_t> audio_level_id;  // extension id, when present
    audio_level level;
};
// Writes header + payload into out; returns the size, 0 when out is too small.
std::size_t build_rtp(const rtp_build& b, bytes_view payload, bytes_span out) noexcept;

// Extends 16-bit sequence numbers to 64 bits across wrap-around (RFC 3550
// appendix A.1 style): a packet more than 2^15 behind is taken as wrapped.
class sequence_unwrapper {
public:
    std::int64_t unwrap(std::uint16_t seq) noexcept;

private:
    bool started_ = false;
    std::int64_t last_ = 0;
};

}  // namespace driftway::rtc
