#pragma once
// A WebRTC client written on rtc/, for the SFU tests: it answers the SFU's
// offers, sends ICE checks (controlling, USE-CANDIDATE, with integrity), runs
// DTLS with its own certificate and SRTP, and records everything it gets.
// Single-threaded: the test thread drives it through wait_for(); the SFU's
// callbacks only queue messages for it.
#include "driftway/rtc/dtls.hpp"
#include "driftway/rtc/rtcp.hpp"
#include "driftway/rtc/rtp.hpp"
#include "driftway/rtc/sdp.hpp"
#include "driftway/rtc/srtp.hpp"
#include "driftway/rtc/stun.hpp"
#include "driftway/voice/sfu.hpp"

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace driftway::voice::testing {

struct signal {
    std::string op;
    json::object d;
};

struct received_rtp {
    std::uint32_t ssrc = 0;
    std::uint16_t sequence = 0;
    std::uint32_t timestamp = 0;
    std::vector<std::uint8_t> payload;
};

class test_peer {
public:
    struct options {
        bool setup_active = true;            // answer setup:active (we are the DTLS client)
        bool lie_about_fingerprint = false;  // answer with another certificate's fingerprint
        bool keep_consent = true;            // repeat ICE checks while waiting
        bool auto_answer = true;
        mute_state state;
    };

    test_peer(sfu& server, std::uint64_t channel_id, std::uint64_t user_id);
    test_peer(sfu& server, std::uint64_t channel_id, std::uint64_t user_id, options o);
    ~test_peer();
    test_peer(const test_peer&) = delete;
    test_peer& operator=(const test_peer&) = delete;

    // Drives signaling, ICE, DTLS and media until pred() holds or the
    // deadline passes; returns pred().
    bool wait_for(const std::function<bool()>& pred,
                  std::chrono::milliseconds timeout = std::chrono::seconds(5));
    // Drives every peer in `peers` together (each test peer needs its turn).
    static bool wait_all(const std::vector<test_peer*>& peers, const std::function<bool()>& pred,
                         std::chrono::milliseconds timeout = std::chrono::seconds(5));
    void pump_once(int poll_ms);

    bool connected() const { return srtp_out_ != nullptr; }
    // An Opus-like packet from our microphone, with an RFC 6464 level
    // (nullopt: no extension).
    void send_audio(std::uint16_t seq, std::uint32_t ts, std::optional<rtc::audio_level> level,
                    std::uint8_t fill = 0x5A);
    // A raw datagram to the SFU's port.
    void send_raw(rtc::bytes_view d);
    // An ICE check with the given integrity key (the SFU's pwd when empty).
    rtc::stun::transaction_id send_check(std::string_view key = {}, bool use_candidate = true);

    // A client-initiated offer mirroring the session's sections (mid 0
    // sendonly, every sendonly section of the server's last offer recvonly),
    // setup:actpass; with ice_restart, new ICE credentials of ours. The
    // server's `answer` is applied when it arrives (its ICE credentials).
    void send_offer(bool ice_restart);
    // An RTCP receiver report from us with the given blocks.
    void send_receiver_report(std::vector<rtc::rtcp::report_block> blocks);
    const std::string& ice_ufrag() const { return ufrag_; }
    const std::string& sfu_ufrag() const { return sfu_ufrag_; }

    std::size_t count(std::string_view op) const;
    const signal* last(std::string_view op) const;
    std::vector<received_rtp> media_from(std::uint32_t ssrc) const;

    std::shared_ptr<peer> handle;
    std::uint64_t user_id;
    std::vector<signal> signals;
    bool ready = false;
    std::vector<participant_info> ready_participants;
    std::optional<end_reason> ended;
    std::vector<rtc::sdp::session_description> offers;   // every offer received
    std::vector<rtc::sdp::session_description> answers;  // answers to our offers
    std::vector<received_rtp> media;
    std::vector<rtc::rtcp::compound> rtcp;
    // When each sender report arrived, by the NTP time it carried (for LSR/DLSR).
    std::vector<std::pair<std::uint64_t, std::chrono::steady_clock::time_point>> sr_arrivals;
    std::vector<rtc::stun::transaction_id> stun_success, stun_error;
    std::uint32_t ssrc;

private:
    void drain_inbox();
    void answer(const rtc::sdp::session_description& offer);
    rtc::sdp::media_section local_section(const rtc::sdp::media_section& remote,
                                          const std::string& fingerprint) const;
    void on_datagram(std::uint8_t* data, std::size_t len);

    options opt_;
    int fd_ = -1;
    std::shared_ptr<const rtc::certificate> cert_;
    std::string ufrag_, pwd_;
    std::string sfu_ufrag_, sfu_pwd_, sfu_fingerprint_;
    std::unique_ptr<rtc::dtls_transport> dtls_;
    std::unique_ptr<rtc::srtp_session> srtp_in_, srtp_out_;
    std::chrono::steady_clock::time_point next_check_{};
    bool answered_ = false;

    struct inbox {
        std::mutex mutex;
        std::deque<signal> signals;
        std::optional<end_reason> ended;
        std::optional<std::vector<participant_info>> ready;
    };
    std::shared_ptr<inbox> inbox_ = std::make_shared<inbox>();
};

}  // namespace driftway::voice::testing
