#pragma once
// One participant of a voice channel as the SFU thread sees it: its ICE-lite
// credentials and nominated address, its DTLS transport and SRTP sessions,
// the m-lines of its offers (one leg per other participant), its uplink
// statistics and its speaking state. Owned by the engine (shared with the
// signaling's handle); every field is touched only on the SFU thread except
// the callback gate.
#include "driftway/rtc/bytes.hpp"
#include "driftway/rtc/dtls.hpp"
#include "driftway/rtc/rewriter.hpp"
#include "driftway/rtc/rtp.hpp"
#include "driftway/rtc/srtp.hpp"
#include "driftway/voice/sfu.hpp"
#include "sfu/gcm_sender.hpp"

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace driftway::voice::detail {

struct peer_session;

// One sendonly m-line of a receiver's offer: the stream of one other member
// (`source`), or inactive (source null) waiting to be reused.
struct leg {
    std::string mid;
    peer_session* source = nullptr;
    std::uint64_t source_user = 0;
    std::uint32_t ssrc = 0;
    std::string cname;
    std::uint64_t offered_in = 0;  // offer version that first carried this source
    bool negotiated = false;       // an answer covering it arrived
    rtc::rtp_rewriter rewriter{0, 0};
    rollover roc;  // of what we send on this leg (the GCM sender's IV)

    // Sender side of this leg (for our SR).
    std::uint32_t packets = 0;
    std::uint32_t octets = 0;
    std::uint32_t last_timestamp = 0;
    std::uint64_t last_sent_ms = 0;
    std::uint64_t last_sr_ntp = 0;  // 0: no SR sent yet
    // From the receiver's reports about this leg (RFC 3550 section 6.4.1).
    std::uint8_t fraction_lost = 0;
    std::int32_t cumulative_lost = 0;
    std::uint32_t jitter = 0;
    double rtt_ms = -1;
};

// What we receive from the participant's microphone (RFC 3550 appendix A).
struct uplink {
    bool started = false;
    std::uint32_t ssrc = 0;
    rtc::sequence_unwrapper unwrapper;
    std::int64_t base_seq = 0;
    std::int64_t max_seq = 0;
    std::uint64_t received = 0;
    std::uint64_t octets = 0;
    std::uint64_t expected_prior = 0;
    std::uint64_t received_prior = 0;
    std::uint8_t fraction_lost = 0;
    double jitter = 0;  // timestamp units
    bool have_transit = false;
    std::int64_t last_transit = 0;
    std::uint32_t last_sr_middle = 0;  // LSR of the participant's last SR
    std::uint64_t last_sr_arrival_ms = 0;
};

// One receiver of a participant's stream: the receiver and the index of its
// leg carrying it. An index, not a pointer: a receiver's legs vector grows.
struct fanout_target {
    peer_session* receiver = nullptr;
    std::size_t leg = 0;
};

struct peer_session {
    std::uint64_t user_id = 0;
    std::uint64_t channel_id = 0;
    mute_state state;
    peer_events events;

    // ICE-lite (RFC 8445 section 2.5).
    std::string local_ufrag, local_pwd;
    std::string remote_ufrag, remote_pwd;
    std::optional<rtc::socket_address> remote;  // nominated address
    std::uint64_t last_consent_ms = 0;
    std::uint64_t joined_ms = 0;
    std::uint64_t transport_started_ms = 0;  // the current DTLS association began

    // DTLS-SRTP.
    std::string remote_fingerprint;
    std::string remote_setup;
    std::unique_ptr<rtc::dtls_transport> dtls;
    std::vector<std::vector<std::uint8_t>> early_dtls;  // before the answer
    std::unique_ptr<rtc::srtp_session> srtp_in, srtp_out;
    // Forwarded RTP when the profile is AEAD_AES_128_GCM (srtp_out then
    // protects only RTCP); null with the other profile.
    std::unique_ptr<gcm_sender> gcm_out;
    bool dtls_started = false;  // client role: ClientHello once the address is known
    bool connected = false;

    // Negotiation: the SFU is always the offerer.
    std::uint64_t session_id = 0;
    std::uint64_t offer_version = 0;  // of the last offer sent
    bool offer_outstanding = false;
    bool offer_pending = false;  // changes to fold into the next offer
    bool answered_once = false;
    std::size_t offered_sections = 0;
    int audio_level_id = 0;  // from the answer; 0: none
    std::vector<leg> legs;
    // The per-room index the forwarding path walks: every leg (of another
    // member) whose source is this participant. Kept by room.cpp as legs
    // are given and taken, so a packet costs O(receivers), not a search of
    // every member's legs (O(room²)).
    std::vector<fanout_target> fanout;

    // RTCP and stats.
    std::uint32_t rtcp_ssrc = 0;  // ours, as receiver of the uplink
    std::string cname;
    uplink up;
    std::uint64_t next_rtcp_ms = 0;
    std::uint64_t packets_out = 0;
    std::uint64_t bytes_in_window = 0, bytes_out_window = 0, octets_out = 0;
    std::uint64_t window_start_ms = 0;
    double bitrate_in = 0, bitrate_out = 0;

    // Speaking (RFC 6464 levels with hysteresis).
    bool speaking = false;
    bool uses_vad = false;
    std::uint64_t last_voiced_ms = 0;
    std::uint8_t level = 127;

    bool ended = false;

    bool deafened() const noexcept { return state.self_deaf || state.server_deaf; }
    bool may_send() const noexcept {
        return !state.self_mute && !state.server_mute && state.can_speak;
    }
    leg* leg_for(const peer_session* source) noexcept {
        for (auto& l : legs)
            if (l.source == source) return &l;
        return nullptr;
    }

    // Callbacks into the signaling go through this gate: after leave() no
    // new callback starts. Recursive: a callback may call leave().
    void send(std::string op, json::object d);
    void notify_ended(end_reason why);
    void notify_state();
    void close_gate();

private:
    std::recursive_mutex gate_;
    bool gate_closed_ = false;
};

// Random ICE credentials and SSRCs (RFC 8445 section 5.3: ufrag ≥ 24 bits,
// pwd ≥ 128 bits of randomness).
std::string random_token(std::size_t length);
std::uint32_t random_u32();

}  // namespace driftway::voice::detail
