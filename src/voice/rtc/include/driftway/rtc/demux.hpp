#pragma once
// RFC 7983 section 7: what a datagram on a bundled port is, from its first
// byte. STUN 0–3, DTLS 20–63, RTP/RTCP 128–191 (told apart by payload type,
// RFC 5761 section 4: 192–223 in the second byte is RTCP).
#include "driftway/rtc/bytes.hpp"

namespace driftway::rtc {

enum class packet_kind { stun, dtls, rtp, rtcp, unknown };

packet_kind classify(bytes_view datagram) noexcept;

}  // namespace driftway::rtc
