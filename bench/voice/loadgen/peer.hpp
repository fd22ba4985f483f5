#pragma once
// One WebRTC peer of the load client: a UDP socket on 127.0.0.1, ICE as the
// controlling agent against an ICE-lite server (RFC 8445 section 2.5: the
// server never checks, so we nominate with USE-CANDIDATE on the first check
// and keep checking every 2 s for consent, RFC 7675), a DTLS client
// (DTLS-SRTP, RFC 5764) and SRTP. Publishers send replayed Opus frames that
// end with a benchmark trailer; subscribers decrypt and timestamp only.
// Owned and driven by the fleet's one thread.
#include "local_sdp.hpp"
#include "opus_frames.hpp"

#include <driftway/rtc/dtls.hpp>
#include <driftway/rtc/sdp.hpp>
#include <driftway/rtc/srtp.hpp>
#include <driftway/rtc/stun.hpp>

#include <sys/socket.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace driftway::bench {

// The trailer publishers append to each Opus payload (20 bytes, big-endian):
// magic, publisher id, counter, send time (CLOCK_REALTIME ns). It lets a
// subscriber match a packet to its send time whatever SSRC or sequence the
// server rewrote.
inline constexpr std::uint32_t trailer_magic = 0x44574231;  // "DWB1"
inline constexpr std::size_t trailer_size = 20;

// Where a subscriber reports what it received.
class media_sink {
public:
    virtual ~media_sink() = default;
    virtual void on_media(int subscriber, std::uint32_t publisher, std::uint32_t counter,
                          std::int64_t send_ns, std::int64_t recv_ns) = 0;
};

class peer {
public:
    enum class state { idle, checking, handshaking, connected, failed };

    peer(int id, bool publisher, std::shared_ptr<const rtc::certificate> cert, media_sink& sink);
    ~peer();
    peer(const peer&) = delete;
    peer& operator=(const peer&) = delete;

    // Binds the socket; false (and a reason) on failure.
    bool open(std::string& error);
    int fd() const noexcept { return fd_; }
    int id() const noexcept { return id_; }
    bool publisher() const noexcept { return local_.publisher; }

    std::string create_offer();
    // Sets the remote offer and returns our answer; nullopt (and a reason) when
    // the offer is unusable. A later offer (renegotiation) keeps the transport.
    std::optional<std::string> answer(const std::string& offer_text, std::string& error);
    bool set_answer(const std::string& answer_text, std::string& error);

    // Reads every datagram waiting on the socket.
    void on_readable();
    // ICE retransmissions and consent, DTLS timers; now in monotonic ms.
    void tick(std::int64_t now_ms);
    // Publisher: sends the next frame when connected. True when sent.
    bool send_frame(const opus_frame& f, std::uint32_t counter);

    state current_state() const noexcept { return state_; }
    const std::string& failure() const noexcept { return failure_; }
    std::uint64_t decrypt_failures() const noexcept { return decrypt_failures_; }

private:
    bool apply_remote(const rtc::sdp::session_description& d, std::string& error);
    void send_check(std::int64_t now_ms);
    void on_stun(rtc::bytes_view data, const sockaddr_storage& from, socklen_t from_len);
    void on_rtp(std::uint8_t* data, std::size_t len, std::int64_t recv_ns);
    void on_dtls_progress();
    void fail(std::string why);
    void send_raw(rtc::bytes_view data);

    int id_;
    int fd_ = -1;
    local_params local_;
    negotiated neg_;
    std::shared_ptr<const rtc::certificate> cert_;
    media_sink& sink_;
    state state_ = state::idle;
    std::string failure_;

    std::string remote_ufrag_, remote_pwd_, remote_fp_;
    bool remote_active_ = false;  // the remote wants to be the DTLS client
    std::uint64_t tie_breaker_ = 0;
    rtc::stun::transaction_id check_tid_{};
    std::int64_t next_check_ms_ = 0;
    std::int64_t last_response_ms_ = 0;
    std::int64_t started_ms_ = 0;

    std::unique_ptr<rtc::dtls_transport> dtls_;
    std::int64_t dtls_due_ms_ = -1;
    std::unique_ptr<rtc::srtp_session> srtp_out_, srtp_in_;

    std::uint16_t seq_ = 0;
    std::uint32_t ts_ = 0;
    std::uint64_t decrypt_failures_ = 0;
};

}  // namespace driftway::bench
