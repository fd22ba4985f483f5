// RTCP per leg (RFC 3550 section 6): the SFU terminates RTCP. Each interval a
// peer gets a sender report for every leg it receives from us (so it can
// sync and measure RTT) with one report block about its own uplink, and an
// SDES CNAME. The receiver reports it sends about our legs give loss, jitter
// and round-trip time; its sender reports give the LSR we echo.
#include "sfu/engine.hpp"

#include "driftway/rtc/rtcp.hpp"

#include <chrono>
#include <cstdlib>

namespace driftway::voice {

namespace {

constexpr std::uint32_t opus_clock = 48000;

// Wall-clock NTP time (RFC 5905: seconds since 1900, 32.32 fixed point).
std::uint64_t ntp_now() {
    const auto since_epoch = std::chrono::system_clock::now().time_since_epoch();
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(since_epoch).count();
    const std::uint64_t seconds = static_cast<std::uint64_t>(us / 1000000) + 2208988800ULL;
    const std::uint64_t fraction = (static_cast<std::uint64_t>(us % 1000000) << 32) / 1000000;
    return seconds << 32 | fraction;
}

// A report block about what we received from `s` (RFC 3550 appendix A.3).
rtc::rtcp::report_block uplink_block(detail::peer_session& s, std::uint64_t now) {
    auto& u = s.up;
    rtc::rtcp::report_block b;
    b.ssrc = u.ssrc;
    const std::int64_t expected = u.max_seq - u.base_seq + 1;
    const std::int64_t lost = expected - static_cast<std::int64_t>(u.received);
    const std::int64_t expected_interval = expected - static_cast<std::int64_t>(u.expected_prior);
    const std::int64_t received_interval =
        static_cast<std::int64_t>(u.received) - static_cast<std::int64_t>(u.received_prior);
    const std::int64_t lost_interval = expected_interval - received_interval;
    u.expected_prior = static_cast<std::uint64_t>(expected);
    u.received_prior = u.received;
    u.fraction_lost = expected_interval <= 0 || lost_interval <= 0
                          ? 0
                          : static_cast<std::uint8_t>((lost_interval << 8) / expected_interval);
    b.fraction_lost = u.fraction_lost;
    b.cumulative_lost =
        static_cast<std::int32_t>(std::clamp<std::int64_t>(lost, -0x800000, 0x7FFFFF));
    b.highest_sequence = static_cast<std::uint32_t>(u.max_seq);
    b.jitter = static_cast<std::uint32_t>(u.jitter);
    b.last_sr = u.last_sr_middle;
    b.delay_since_last_sr =
        u.last_sr_middle == 0
            ? 0
            : static_cast<std::uint32_t>((since(now, u.last_sr_arrival_ms)) * 65536 / 1000);
    return b;
}

// What receivers report about the legs they receive, for /metrics: the
// distribution over every report of this node (per-participant figures are
// in `stats`; a label per participant would not scale).
struct leg_quality_metrics {
    metrics::histogram& loss;
    metrics::histogram& jitter;
    metrics::histogram& rtt;
    static leg_quality_metrics& get() {
        auto& reg = metrics::global();
        static leg_quality_metrics m{
            reg.get_histogram("voice_leg_loss_ratio",
                              "Fraction lost per receiver report of a forwarded stream",
                              {0.001, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5}),
            reg.get_histogram("voice_leg_jitter_seconds",
                              "Interarrival jitter per receiver report of a forwarded stream",
                              {0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1}),
            reg.get_histogram("voice_leg_rtt_seconds", "Round-trip time from receiver reports",
                              {0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1})};
        return m;
    }
};

void read_block(detail::peer_session& s, const rtc::rtcp::report_block& b) {
    auto& quality = leg_quality_metrics::get();
    for (auto& l : s.legs) {
        if (l.source == nullptr || l.ssrc != b.ssrc) continue;
        l.fraction_lost = b.fraction_lost;
        l.cumulative_lost = b.cumulative_lost;
        l.jitter = b.jitter;
        quality.loss.observe(b.fraction_lost / 256.0);
        quality.jitter.observe(b.jitter / 48000.0);  // Opus timestamps: 48 kHz
        if (b.last_sr != 0) {
            // RFC 3550 6.4.1: RTT = now - LSR - DLSR, in 1/65536 s.
            const std::uint32_t rtt =
                rtc::rtcp::ntp_middle(ntp_now()) - b.last_sr - b.delay_since_last_sr;
            if (rtt < 65536U * 60) {
                l.rtt_ms = rtt * 1000.0 / 65536.0;
                quality.rtt.observe(l.rtt_ms / 1000.0);
            }
        }
    }
}

void update_bitrates(detail::peer_session& s, std::uint64_t now) {
    const std::uint64_t elapsed = since(now, s.window_start_ms);
    if (elapsed < 200) return;
    s.bitrate_in = static_cast<double>(s.bytes_in_window) * 8000.0 / static_cast<double>(elapsed);
    s.bitrate_out = static_cast<double>(s.bytes_out_window) * 8000.0 / static_cast<double>(elapsed);
    s.bytes_in_window = 0;
    s.bytes_out_window = 0;
    s.window_start_ms = now;
}

}  // namespace

void sfu::impl::note_uplink(detail::peer_session& s, const rtc::rtp_header& h, std::size_t size,
                            std::uint64_t now) {
    auto& u = s.up;
    if (!u.started || h.ssrc != u.ssrc) {
        // A new source (or a restarted one): statistics start over.
        const std::uint32_t lsr = u.last_sr_middle;
        const std::uint64_t lsr_at = u.last_sr_arrival_ms;
        u = detail::uplink{};
        u.started = true;
        u.ssrc = h.ssrc;
        u.base_seq = u.max_seq = u.unwrapper.unwrap(h.sequence);
        u.last_sr_middle = lsr;
        u.last_sr_arrival_ms = lsr_at;
    } else {
        u.max_seq = std::max(u.max_seq, u.unwrapper.unwrap(h.sequence));
    }
    ++u.received;
    u.octets += h.payload_size;
    s.bytes_in_window += size;
    // RFC 3550 A.8: interarrival jitter in timestamp units.
    const std::uint32_t arrival = static_cast<std::uint32_t>(now * (opus_clock / 1000));
    const auto transit = static_cast<std::int32_t>(arrival - h.timestamp);
    if (u.have_transit) {
        const double d =
            std::abs(static_cast<double>(static_cast<std::int32_t>(transit - u.last_transit)));
        u.jitter += (d - u.jitter) / 16.0;
    }
    u.have_transit = true;
    u.last_transit = transit;
}

void sfu::impl::on_rtcp(detail::peer_session& s, std::uint8_t* data, std::size_t len,
                        std::uint64_t now) {
    if (!s.connected) return;
    if (!s.srtp_in->unprotect_rtcp(data, len)) return;
    auto c = rtc::rtcp::parse({data, len});
    if (!c) return;
    for (const auto& sr : c->sender_reports) {
        if (s.up.started && sr.ssrc != s.up.ssrc) continue;
        s.up.last_sr_middle = rtc::rtcp::ntp_middle(sr.ntp_time);
        s.up.last_sr_arrival_ms = now;
        for (const auto& b : sr.reports) read_block(s, b);
    }
    for (const auto& rr : c->receiver_reports)
        for (const auto& b : rr.reports) read_block(s, b);
}

void sfu::impl::send_reports(detail::peer_session& s, std::uint64_t now) {
    update_bitrates(s, now);
    if (!s.remote || !s.srtp_out) return;
    static thread_local std::vector<std::uint8_t> buf;
    buf.clear();
    const std::uint64_t ntp = ntp_now();
    std::vector<rtc::rtcp::report_block> blocks;
    if (s.up.started) blocks.push_back(uplink_block(s, now));

    std::uint32_t first_ssrc = 0;
    for (auto& l : s.legs) {
        if (l.source == nullptr || !l.negotiated) continue;
        rtc::rtcp::sender_report sr;
        sr.ssrc = l.ssrc;
        sr.ntp_time = ntp;
        // The RTP time that corresponds to `ntp` on this leg's clock.
        sr.rtp_time = l.last_timestamp +
                      static_cast<std::uint32_t>((l.packets == 0 ? 0 : since(now, l.last_sent_ms)) *
                                                 (opus_clock / 1000));
        sr.packet_count = l.packets;
        sr.octet_count = l.octets;
        if (first_ssrc == 0) {
            sr.reports = std::move(blocks);
            blocks.clear();
            first_ssrc = l.ssrc;
        }
        l.last_sr_ntp = ntp;
        rtc::rtcp::write_sender_report(sr, buf);
    }
    if (first_ssrc == 0) {
        // Nothing sent to this peer yet: a receiver report from our own SSRC.
        first_ssrc = s.rtcp_ssrc;
        rtc::rtcp::write_receiver_report({s.rtcp_ssrc, std::move(blocks)}, buf);
    }
    rtc::rtcp::write_sdes_cname({first_ssrc, s.cname}, buf);
    std::size_t len = buf.size();
    buf.resize(len + rtc::srtp_max_overhead);
    if (!s.srtp_out->protect_rtcp(buf.data(), len, buf.size())) return;
    send_to(s, {buf.data(), len});
}

void sfu::impl::send_stats(detail::peer_session& s, std::uint64_t now) {
    json::array participants;
    if (auto* room = members(s.channel_id)) {
        for (auto* m : *room) {
            if (since(now, m->window_start_ms) >= 1000) update_bitrates(*m, now);
            double rtt_sum = 0;
            int rtt_n = 0;
            for (const auto& l : m->legs)
                if (l.source != nullptr && l.rtt_ms >= 0) {
                    rtt_sum += l.rtt_ms;
                    ++rtt_n;
                }
            participants.push_back(json::object{
                {"user_id", json::id_string(m->user_id)},
                {"packets_in", m->up.received},
                {"packets_out", m->packets_out},
                {"bitrate_in", m->bitrate_in},
                {"bitrate_out", m->bitrate_out},
                {"loss", m->up.fraction_lost / 256.0},
                {"jitter_ms", m->up.jitter * 1000.0 / opus_clock},
                {"rtt_ms", rtt_n == 0 ? 0.0 : rtt_sum / rtt_n},
            });
        }
    }
    s.send("stats", {{"participants", std::move(participants)}});
}

}  // namespace driftway::voice
