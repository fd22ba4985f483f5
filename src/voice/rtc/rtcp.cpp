// RTCP compound packets (RFC 3550 section 6.4–6.6, RFC 4585 section 6.1).
// The parser walks the packets by their length fields, checking each against
// what is left; the serializers write one packet each.
#include "driftway/rtc/rtcp.hpp"

#include <algorithm>

namespace driftway::rtc::rtcp {
namespace {

constexpr std::size_t header_size = 4;
constexpr std::size_t block_size = 24;
constexpr std::size_t max_count = 31;  // the 5-bit RC/SC field

report_block read_block(const std::uint8_t* p) noexcept {
    report_block b;
    b.ssrc = read_u32(p);
    b.fraction_lost = p[4];
    // 24-bit two's complement, sign-extended.
    std::uint32_t lost = std::uint32_t{p[5]} << 16 | std::uint32_t{p[6]} << 8 | p[7];
    if (lost & 0x800000) lost |= 0xFF000000u;
    b.cumulative_lost = static_cast<std::int32_t>(lost);
    b.highest_sequence = read_u32(p + 8);
    b.jitter = read_u32(p + 12);
    b.last_sr = read_u32(p + 16);
    b.delay_since_last_sr = read_u32(p + 20);
    return b;
}

bool read_blocks(bytes_view body, std::size_t count, std::vector<report_block>& out) noexcept {
    if (body.size() / block_size < count) return false;
    out.reserve(count);
    for (std::size_t i = 0; i < count; ++i) out.push_back(read_block(body.data() + i * block_size));
    return true;
}

// RFC 3550 section 6.5: chunks of SSRC then items, each chunk ended by a
// null item and padded to a word. Only CNAME (type 1) is kept.
bool read_sdes(bytes_view body, std::size_t count, std::vector<sdes_cname>& out) noexcept {
    std::size_t pos = 0;
    for (std::size_t c = 0; c < count; ++c) {
        if (body.size() - pos < 4) return false;
        const std::uint32_t ssrc = read_u32(body.data() + pos);
        pos += 4;
        for (;;) {
            if (pos >= body.size()) return false;
            const std::uint8_t item = body[pos];
            if (item == 0) {
                // The null item, then zeros up to the next word boundary.
                pos = (pos + 4) & ~std::size_t{3};
                break;
            }
            if (body.size() - pos < 2) return false;
            const std::size_t len = body[pos + 1];
            if (body.size() - pos - 2 < len) return false;
            if (item == 1) {
                out.push_back(
                    {ssrc, std::string(reinterpret_cast<const char*>(body.data() + pos + 2), len)});
            }
            pos += 2 + len;
        }
        if (pos > body.size()) return false;
    }
    return true;
}

void write_header(std::vector<std::uint8_t>& out, std::size_t count, std::uint8_t type,
                  std::size_t body_size) {
    // body_size is a multiple of 4; the length field counts words minus one.
    const std::size_t at = out.size();
    out.resize(at + header_size);
    out[at] = static_cast<std::uint8_t>(0x80 | (count & 0x1F));
    out[at + 1] = type;
    write_u16(out.data() + at + 2, static_cast<std::uint16_t>((header_size + body_size) / 4 - 1));
}

void append_u32(std::vector<std::uint8_t>& out, std::uint32_t v) {
    const std::size_t at = out.size();
    out.resize(at + 4);
    write_u32(out.data() + at, v);
}

void append_blocks(std::vector<std::uint8_t>& out, const std::vector<report_block>& blocks,
                   std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) {
        const report_block& b = blocks[i];
        append_u32(out, b.ssrc);
        const auto lost = static_cast<std::uint32_t>(b.cumulative_lost) & 0xFFFFFF;
        append_u32(out, std::uint32_t{b.fraction_lost} << 24 | lost);
        append_u32(out, b.highest_sequence);
        append_u32(out, b.jitter);
        append_u32(out, b.last_sr);
        append_u32(out, b.delay_since_last_sr);
    }
}

}  // namespace

std::optional<compound> parse(bytes_view packet) noexcept {
    if (packet.size() < header_size) return std::nullopt;
    compound c;
    std::size_t pos = 0;
    while (pos < packet.size()) {
        if (packet.size() - pos < header_size) return std::nullopt;
        const std::uint8_t* h = packet.data() + pos;
        if ((h[0] >> 6) != 2) return std::nullopt;
        const bool padding = (h[0] & 0x20) != 0;
        const std::size_t count = h[0] & 0x1F;
        const std::uint8_t pt = h[1];
        const std::size_t size = (std::size_t{read_u16(h + 2)} + 1) * 4;
        if (packet.size() - pos < size) return std::nullopt;
        bytes_view body = packet.subspan(pos + header_size, size - header_size);
        pos += size;
        if (padding) {
            // Section 6.4.1: the last byte counts the padding, itself included.
            const std::size_t pad = body.empty() ? 0 : body.back();
            if (pad == 0 || pad > body.size()) return std::nullopt;
            body = body.first(body.size() - pad);
        }

        switch (pt) {
            case type::sr: {
                if (body.size() < 24) return std::nullopt;
                sender_report sr;
                sr.ssrc = read_u32(body.data());
                sr.ntp_time =
                    std::uint64_t{read_u32(body.data() + 4)} << 32 | read_u32(body.data() + 8);
                sr.rtp_time = read_u32(body.data() + 12);
                sr.packet_count = read_u32(body.data() + 16);
                sr.octet_count = read_u32(body.data() + 20);
                if (!read_blocks(body.subspan(24), count, sr.reports)) return std::nullopt;
                c.sender_reports.push_back(std::move(sr));
                break;
            }
            case type::rr: {
                if (body.size() < 4) return std::nullopt;
                receiver_report rr;
                rr.ssrc = read_u32(body.data());
                if (!read_blocks(body.subspan(4), count, rr.reports)) return std::nullopt;
                c.receiver_reports.push_back(std::move(rr));
                break;
            }
            case type::sdes:
                if (!read_sdes(body, count, c.cnames)) return std::nullopt;
                break;
            case type::bye: {
                if (body.size() / 4 < count) return std::nullopt;
                bye b;
                for (std::size_t i = 0; i < count; ++i)
                    b.ssrcs.push_back(read_u32(body.data() + i * 4));
                c.byes.push_back(std::move(b));  // the optional reason is ignored
                break;
            }
            case type::rtpfb:
            case type::psfb: {
                // RFC 4585 section 6.1: the FMT sits where the count would.
                if (body.size() < 8) return std::nullopt;
                c.feedbacks.push_back({pt, static_cast<std::uint8_t>(count), read_u32(body.data()),
                                       read_u32(body.data() + 4)});
                break;
            }
            default:
                ++c.unknown_packets;
                break;
        }
    }
    return c;
}

// More than 31 report blocks do not fit one packet (section 6.4): the rest
// are left out; the caller sends them in an RR of their own if it must.
void write_sender_report(const sender_report& sr, std::vector<std::uint8_t>& out) {
    const std::size_t n = std::min(sr.reports.size(), max_count);
    write_header(out, n, type::sr, 24 + n * block_size);
    append_u32(out, sr.ssrc);
    append_u32(out, static_cast<std::uint32_t>(sr.ntp_time >> 32));
    append_u32(out, static_cast<std::uint32_t>(sr.ntp_time));
    append_u32(out, sr.rtp_time);
    append_u32(out, sr.packet_count);
    append_u32(out, sr.octet_count);
    append_blocks(out, sr.reports, n);
}

void write_receiver_report(const receiver_report& rr, std::vector<std::uint8_t>& out) {
    const std::size_t n = std::min(rr.reports.size(), max_count);
    write_header(out, n, type::rr, 4 + n * block_size);
    append_u32(out, rr.ssrc);
    append_blocks(out, rr.reports, n);
}

void write_sdes_cname(const sdes_cname& s, std::vector<std::uint8_t>& out) {
    // One chunk: SSRC, CNAME item (at most 255 bytes), null item, padding.
    const std::size_t len = std::min<std::size_t>(s.cname.size(), 255);
    const std::size_t chunk = (4 + 2 + len + 1 + 3) & ~std::size_t{3};
    write_header(out, 1, type::sdes, chunk);
    const std::size_t at = out.size();
    out.resize(at + chunk, 0);
    write_u32(out.data() + at, s.ssrc);
    out[at + 4] = 1;
    out[at + 5] = static_cast<std::uint8_t>(len);
    std::copy_n(s.cname.begin(), len, out.begin() + static_cast<std::ptrdiff_t>(at + 6));
}

void write_bye(const bye& b, std::vector<std::uint8_t>& out) {
    const std::size_t n = std::min(b.ssrcs.size(), max_count);
    write_header(out, n, type::bye, n * 4);
    for (std::size_t i = 0; i < n; ++i) append_u32(out, b.ssrcs[i]);
}

}  // namespace driftway::rtc::rtcp
