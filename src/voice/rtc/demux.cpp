// RFC 7983 section 7 demultiplexing on the first byte, refined for RTP/RTCP
// by RFC 5761 section 4 (payload types 64–95 with the marker bit, i.e. the
// second byte 192–223, are RTCP packet types 192–223).
#include "driftway/rtc/demux.hpp"

namespace driftway::rtc {

packet_kind classify(bytes_view datagram) noexcept {
    if (datagram.empty()) return packet_kind::unknown;
    const std::uint8_t b = datagram[0];
    if (b <= 3) return packet_kind::stun;
    if (b >= 20 && b <= 63) return packet_kind::dtls;
    if (b >= 128 && b <= 191) {
        // A 2-byte prefix is the least that tells RTP from RTCP.
        if (datagram.size() < 2) return packet_kind::unknown;
        const std::uint8_t pt = datagram[1];
        if (pt >= 192 && pt <= 223) return packet_kind::rtcp;
        return packet_kind::rtp;
    }
    // 16–19 ZRTP, 64–79 TURN channels: nothing Driftway speaks on this port.
    return packet_kind::unknown;
}

}  // namespace driftway::rtc
