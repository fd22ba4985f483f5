#pragma once
// RTCP (RFC 3550 section 6) compound packets: sender and receiver reports
// with their report blocks, SDES CNAME, BYE, and the feedback messages of
// RFC 4585 (kept as type + sender/media SSRC). The SFU terminates RTCP per
// leg: it reads the receiver reports its clients send about the streams it
// forwards, and writes its own SR/RR. Parsers never throw on untrusted bytes.
#include "driftway/rtc/bytes.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace driftway::rtc::rtcp {

namespace type {
inline constexpr std::uint8_t sr = 200;
inline constexpr std::uint8_t rr = 201;
inline constexpr std::uint8_t sdes = 202;
inline constexpr std::uint8_t bye = 203;
inline constexpr std::uint8_t app = 204;
inline constexpr std::uint8_t rtpfb = 205;
inline constexpr std::uint8_t psfb = 206;
inline constexpr std::uint8_t xr = 207;
}  // namespace type

struct report_block {
    std::uint32_t ssrc = 0;                 // the source reported on
    std::uint8_t fraction_lost = 0;         // /256 since the last report
    std::int32_t cumulative_lost = 0;       // 24-bit signed
    std::uint32_t highest_sequence = 0;     // extended
    std::uint32_t jitter = 0;               // in timestamp units
    std::uint32_t last_sr = 0;              // middle 32 bits of the last SR's NTP time
    std::uint32_t delay_since_last_sr = 0;  // 1/65536 s
    friend bool operator==(const report_block&, const report_block&) = default;
};

struct sender_report {
    std::uint32_t ssrc = 0;
    std::uint64_t ntp_time = 0;  // 32.32 fixed point
    std::uint32_t rtp_time = 0;
    std::uint32_t packet_count = 0;
    std::uint32_t octet_count = 0;
    std::vector<report_block> reports;
    friend bool operator==(const sender_report&, const sender_report&) = default;
};

struct receiver_report {
    std::uint32_t ssrc = 0;
    std::vector<report_block> reports;
    friend bool operator==(const receiver_report&, const receiver_report&) = default;
};

struct sdes_cname {
    std::uint32_t ssrc = 0;
    std::string cname;
    friend bool operator==(const sdes_cname&, const sdes_cname&) = default;
};

struct bye {
    std::vector<std::uint32_t> ssrcs;
    friend bool operator==(const bye&, const bye&) = default;
};

// Transport/payload-specific feedback (NACK, PLI, REMB, …), not interpreted.
struct feedback {
    std::uint8_t packet_type = 0;  // rtpfb or psfb
    std::uint8_t format = 0;       // FMT
    std::uint32_t sender_ssrc = 0;
    std::uint32_t media_ssrc = 0;
    friend bool operator==(const feedback&, const feedback&) = default;
};

struct compound {
    std::vector<sender_report> sender_reports;
    std::vector<receiver_report> receiver_reports;
    std::vector<sdes_cname> cnames;
    std::vector<bye> byes;
    std::vector<feedback> feedbacks;
    std::size_t unknown_packets = 0;  // APP, XR, … skipped
};

// nullopt when any packet's header or length is malformed.
std::optional<compound> parse(bytes_view packet) noexcept;

// Serializers append to out.
void write_sender_report(const sender_report& sr, std::vector<std::uint8_t>& out);
void write_receiver_report(const receiver_report& rr, std::vector<std::uint8_t>& out);
void write_sdes_cname(const sdes_cname& s, std::vector<std::uint8_t>& out);
void write_bye(const bye& b, std::vector<std::uint8_t>& out);

// The middle 32 bits of a 64-bit NTP time, as LSR carries it.
inline std::uint32_t ntp_middle(std::uint64_t ntp) {
    return static_cast<std::uint32_t>(ntp >> 16);
}

}  // namespace driftway::rtc::rtcp
