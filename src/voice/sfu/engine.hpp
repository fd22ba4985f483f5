#pragma once
// The SFU's state and its thread (sfu::impl). Everything below the public
// facade runs on the one media thread: the UDP port, the peers and rooms,
// the periodic tick. Other threads only post() closures.
#include "driftway/core/metrics.hpp"
#include "driftway/voice/sfu.hpp"
#include "sfu/peer_session.hpp"
#include "sfu/udp_port.hpp"

#include <atomic>
#include <functional>
#include <mutex>
#include <thread>
#include <unordered_map>

namespace driftway::voice {

struct sfu::impl : std::enable_shared_from_this<sfu::impl> {
    using session_ptr = std::shared_ptr<detail::peer_session>;

    explicit impl(sfu_options o);
    ~impl();

    // ---- any thread ----
    void post(std::function<void()> fn);
    void start();
    void stop();  // joins the thread; peers end with end_reason::shutdown

    sfu_options options;
    std::shared_ptr<const rtc::certificate> certificate;
    detail::udp_port port;
    std::vector<std::string> announced_ips;

    std::atomic<std::uint64_t> peers_count{0}, connected_count{0}, received_count{0},
        forwarded_count{0}, dropped_count{0};
    metrics::counter* m_voice_connections = nullptr;
    metrics::gauge* m_voice_peers = nullptr;
    metrics::counter* m_webrtc_connections = nullptr;
    metrics::counter* m_audio_packets = nullptr;
    metrics::counter* m_forwarded = nullptr;
    metrics::counter* m_dropped = nullptr;

    // ---- SFU thread ----
    void run();
    void run_tasks();
    void receive_all(std::uint64_t now_ms);
    void on_datagram(detail::udp_port::datagram d, std::uint64_t now_ms);
    void tick(std::uint64_t now_ms);

    // peer_session.cpp: ICE, DTLS, negotiation.
    void on_stun(detail::udp_port::datagram d, std::uint64_t now_ms);
    void on_dtls(detail::peer_session& s, rtc::bytes_view d, std::uint64_t now_ms);
    void on_answer(detail::peer_session& s, const std::string& sdp);
    void on_client_offer(detail::peer_session& s, const std::string& sdp);
    void start_dtls(detail::peer_session& s, std::uint64_t now_ms);
    void send_offer(detail::peer_session& s);
    void request_offer(detail::peer_session& s);
    void drive_dtls_timer(detail::peer_session& s);
    void send_to(detail::peer_session& s, rtc::bytes_view data);

    // room.cpp: membership, forwarding, speaking, moderation.
    void join(const session_ptr& s, std::function<void(std::vector<participant_info>)> ready,
              std::uint64_t now_ms);
    void end_peer(detail::peer_session& s, end_reason why, bool notify);
    void on_rtp(detail::peer_session& s, std::uint8_t* data, std::size_t len, std::uint64_t now_ms);
    void set_speaking(detail::peer_session& s, bool speaking);
    void update_state(detail::peer_session& s, const mute_state& st);
    void broadcast(std::uint64_t channel_id, const std::string& op, const json::object& d);
    std::vector<detail::peer_session*>* members(std::uint64_t channel_id);

    // rtcp_reports.cpp: per-leg reports and stats.
    void on_rtcp(detail::peer_session& s, std::uint8_t* data, std::size_t len,
                 std::uint64_t now_ms);
    void send_reports(detail::peer_session& s, std::uint64_t now_ms);
    void send_stats(detail::peer_session& s, std::uint64_t now_ms);
    void note_uplink(detail::peer_session& s, const rtc::rtp_header& h, std::size_t size,
                     std::uint64_t now_ms);

    std::unordered_map<std::string, detail::peer_session*> by_ufrag;
    std::unordered_map<rtc::socket_address, detail::peer_session*, detail::address_hash> by_address;
    std::unordered_map<std::uint64_t, session_ptr> by_user;
    std::unordered_map<std::uint64_t, std::vector<detail::peer_session*>> rooms;
    std::uint64_t next_tick_ms = 0;

private:
    std::mutex tasks_mutex_;
    std::vector<std::function<void()>> tasks_, running_;
    int wake_fd_ = -1;
    std::atomic<bool> stopping_{false};
    std::thread thread_;
};

std::uint64_t now_ms() noexcept;
// Milliseconds from `then` to `now`, 0 when `then` is later: closures posted
// to the thread read the clock after the loop did.
inline std::uint64_t since(std::uint64_t now, std::uint64_t then) noexcept {
    return now > then ? now - then : 0;
}

}  // namespace driftway::voice
