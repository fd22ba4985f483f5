// RTP header parsing (RFC 3550 section 5.1), header extensions (RFC 8285
// section 4) and the audio level of RFC 6464. Every offset is checked
// against the packet's size before it is read.
#include "driftway/rtc/rtp.hpp"

#include <algorithm>

namespace driftway::rtc {
namespace {

constexpr std::size_t fixed_header = 12;

}  // namespace

std::optional<rtp_header> parse_rtp(bytes_view p) noexcept {
    if (p.size() < fixed_header) return std::nullopt;
    if ((p[0] >> 6) != 2) return std::nullopt;
    rtp_header h;
    h.padding = (p[0] & 0x20) != 0;
    const bool extension = (p[0] & 0x10) != 0;
    h.csrc_count = p[0] & 0x0F;
    h.marker = (p[1] & 0x80) != 0;
    h.payload_type = p[1] & 0x7F;
    // RFC 5761 section 4: these are RTCP packet types sharing the port.
    if (h.payload_type >= 64 && h.payload_type <= 95) return std::nullopt;
    h.sequence = read_u16(p.data() + 2);
    h.timestamp = read_u32(p.data() + 4);
    h.ssrc = read_u32(p.data() + 8);

    std::size_t pos = fixed_header + std::size_t{h.csrc_count} * 4;
    if (pos > p.size()) return std::nullopt;
    if (extension) {
        if (p.size() - pos < 4) return std::nullopt;
        h.extension_profile = read_u16(p.data() + pos);
        const std::size_t words = read_u16(p.data() + pos + 2);
        pos += 4;
        if ((p.size() - pos) / 4 < words) return std::nullopt;
        h.extension_offset = pos;
        h.extension_size = words * 4;
        pos += words * 4;
    }
    h.payload_offset = pos;
    std::size_t end = p.size();
    if (h.padding) {
        // Section 5.1: the last byte counts the padding, itself included.
        const std::size_t pad = p[p.size() - 1];
        if (pad == 0 || pad > end - pos) return std::nullopt;
        end -= pad;
    }
    h.payload_size = end - pos;
    return h;
}

bytes_view find_extension(bytes_view p, const rtp_header& h, std::uint8_t id) noexcept {
    if (h.extension_size == 0 || id == 0) return {};
    if (h.extension_offset > p.size() || p.size() - h.extension_offset < h.extension_size)
        return {};
    const bytes_view ext = p.subspan(h.extension_offset, h.extension_size);
    const bool one_byte = h.extension_profile == 0xBEDE;
    // RFC 8285 section 4.3: 0x100 in the top 12 bits, "appbits" below.
    const bool two_byte = (h.extension_profile & 0xFFF0) == 0x1000;
    if (!one_byte && !two_byte) return {};
    if (one_byte && id > 14) return {};

    std::size_t pos = 0;
    while (pos < ext.size()) {
        const std::uint8_t first = ext[pos];
        if (first == 0) {  // padding between elements
            ++pos;
            continue;
        }
        std::uint8_t elem_id = 0;
        std::size_t len = 0;
        if (one_byte) {
            elem_id = first >> 4;
            // Section 4.2: id 15 ends the processing of the block.
            if (elem_id == 15) return {};
            len = static_cast<std::size_t>(first & 0x0F) + 1;
            pos += 1;
        } else {
            if (ext.size() - pos < 2) return {};
            elem_id = first;
            len = ext[pos + 1];
            pos += 2;
        }
        if (ext.size() - pos < len) return {};
        if (elem_id == id) return ext.subspan(pos, len);
        pos += len;
    }
    return {};
}

std::optional<audio_level> read_audio_level(bytes_view p, const rtp_header& h,
                                            std::uint8_t extension_id) noexcept {
    const bytes_view v = find_extension(p, h, extension_id);
    // RFC 6464 section 3: one byte, V then the 7-bit level (a one-byte
    // element may be padded to more by some senders; the first byte counts).
    if (v.empty()) return std::nullopt;
    return audio_level{(v[0] & 0x80) != 0, static_cast<std::uint8_t>(v[0] & 0x7F)};
}

void set_sequence(bytes_span p, std::uint16_t seq) noexcept {
    if (p.size() >= fixed_header) write_u16(p.data() + 2, seq);
}

void set_timestamp(bytes_span p, std::uint32_t ts) noexcept {
    if (p.size() >= fixed_header) write_u32(p.data() + 4, ts);
}

void set_ssrc(bytes_span p, std::uint32_t ssrc) noexcept {
    if (p.size() >= fixed_header) write_u32(p.data() + 8, ssrc);
}

void set_payload_type(bytes_span p, std::uint8_t pt) noexcept {
    if (p.size() >= fixed_header) p[1] = static_cast<std::uint8_t>((p[1] & 0x80) | (pt & 0x7F));
}

std::size_t build_rtp(const rtp_build& b, bytes_view payload, bytes_span out) noexcept {
    // One-byte extension: 4-byte block header, then one element of one byte
    // (id, len-1 = 0) and the level, padded to a word: 8 bytes.
    const bool ext =
        b.audio_level_id.has_value() && *b.audio_level_id >= 1 && *b.audio_level_id <= 14;
    const std::size_t header = fixed_header + (ext ? 8 : 0);
    if (out.size() < header || out.size() - header < payload.size()) return 0;
    out[0] = static_cast<std::uint8_t>(0x80 | (ext ? 0x10 : 0));
    out[1] = static_cast<std::uint8_t>((b.marker ? 0x80 : 0) | (b.payload_type & 0x7F));
    write_u16(out.data() + 2, b.sequence);
    write_u32(out.data() + 4, b.timestamp);
    write_u32(out.data() + 8, b.ssrc);
    if (ext) {
        write_u16(out.data() + 12, 0xBEDE);
        write_u16(out.data() + 14, 1);
        out[16] = static_cast<std::uint8_t>(*b.audio_level_id << 4);
        out[17] =
            static_cast<std::uint8_t>((b.level.voice_activity ? 0x80 : 0) | (b.level.level & 0x7F));
        out[18] = 0;
        out[19] = 0;
    }
    std::copy(payload.begin(), payload.end(), out.begin() + static_cast<std::ptrdiff_t>(header));
    return header + payload.size();
}

std::int64_t sequence_unwrapper::unwrap(std::uint16_t seq) noexcept {
    if (!started_) {
        started_ = true;
        last_ = seq;
        return last_;
    }
    // The signed 16-bit distance from the last value: forward up to 2^15-1,
    // backward (reordered, or wrapped the other way) down to -2^15.
    const auto last16 = static_cast<std::uint16_t>(last_ & 0xFFFF);
    auto delta = static_cast<std::int64_t>(static_cast<std::uint16_t>(seq - last16));
    if (delta >= 0x8000) delta -= 0x10000;
    const std::int64_t value = last_ + delta;
    // Keep the highest seen as the reference so a late packet does not move it back.
    if (value > last_) last_ = value;
    return value;
}

}  // namespace driftway::rtc
