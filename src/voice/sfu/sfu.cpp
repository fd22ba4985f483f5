// The SFU facade and its media thread: one poll(2) loop over the UDP port and
// an eventfd for posted work, with a short periodic tick for timers (DTLS
// retransmission, consent, speaking hangover, RTCP). Handles given to the
// signaling post every call to this thread.
#include "sfu/engine.hpp"

#include "driftway/core/log.hpp"
#include "driftway/rtc/demux.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <system_error>

namespace driftway::voice {

namespace {

// Short enough that the reports due in one tick are few (a node's RTCP is
// spread over the interval), long enough to cost nothing when idle.
constexpr std::uint64_t tick_interval_ms = 5;

// The signaling's handle on one peer: every call is posted to the SFU thread.
class peer_handle final : public peer {
public:
    peer_handle(std::weak_ptr<sfu::impl> engine, std::shared_ptr<detail::peer_session> s)
        : engine_(std::move(engine)), session_(std::move(s)) {}

    void on_answer(std::string sdp) override {
        with(
            [sdp = std::move(sdp)](sfu::impl& e, detail::peer_session& s) { e.on_answer(s, sdp); });
    }
    void on_offer(std::string sdp) override {
        with([sdp = std::move(sdp)](sfu::impl& e, detail::peer_session& s) {
            e.on_client_offer(s, sdp);
        });
    }
    // ICE-lite learns the client's address from its checks (RFC 8445 2.5).
    void on_candidate(std::string) override {}
    void set_self_state(bool self_mute, bool self_deaf) override {
        with([self_mute, self_deaf](sfu::impl& e, detail::peer_session& s) {
            mute_state st = s.state;
            st.self_mute = self_mute;
            st.self_deaf = self_deaf;
            e.update_state(s, st);
        });
    }
    void request_stats() override {
        with([](sfu::impl& e, detail::peer_session& s) { e.send_stats(s, now_ms()); });
    }
    void leave() override {
        session_->close_gate();
        with([](sfu::impl& e, detail::peer_session& s) { e.end_peer(s, end_reason::left, false); });
    }

private:
    template <typename F>
    void with(F f) {
        auto engine = engine_.lock();
        if (!engine) return;
        engine->post([weak = engine_, s = session_, f = std::move(f)]() mutable {
            auto e = weak.lock();
            if (e && !s->ended) f(*e, *s);
        });
    }
    std::weak_ptr<sfu::impl> engine_;
    std::shared_ptr<detail::peer_session> session_;
};

}  // namespace

std::uint64_t now_ms() noexcept {
    return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                          std::chrono::steady_clock::now().time_since_epoch())
                                          .count());
}

std::string_view to_string(end_reason r) {
    switch (r) {
        case end_reason::left:
            return "left";
        case end_reason::consent_lost:
            return "consent_lost";
        case end_reason::connect_timeout:
            return "connect_timeout";
        case end_reason::dtls_failed:
            return "dtls_failed";
        case end_reason::replaced:
            return "replaced";
        case end_reason::kicked:
            return "kicked";
        case end_reason::shutdown:
            return "shutdown";
    }
    return "unknown";
}

sfu::impl::impl(sfu_options o)
    : options(std::move(o)),
      certificate(rtc::certificate::generate()),
      port(options.host, options.port) {
    if (!certificate) throw std::runtime_error("voice: could not generate the DTLS certificate");
    rtc::init_srtp();
    announced_ips = options.announced_ips;
    if (announced_ips.empty()) announced_ips.push_back(options.host);
    wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (wake_fd_ < 0) throw std::system_error(errno, std::generic_category(), "voice: eventfd");
    auto& reg = metrics::global();
    m_voice_connections = &reg.get_counter("voice_connections_total", "Voice peers that joined");
    m_voice_peers = &reg.get_gauge("voice_peers", "Voice peers on this node");
    m_webrtc_connections =
        &reg.get_counter("webrtc_connections_total", "Voice transports that completed DTLS");
    m_audio_packets = &reg.get_counter("audio_packets_processed_total", "RTP packets received");
    m_forwarded = &reg.get_counter("voice_packets_forwarded_total", "RTP packets forwarded");
    m_dropped = &reg.get_counter("voice_packets_dropped_total", "RTP packets not forwarded");
}

sfu::impl::~impl() {
    if (wake_fd_ >= 0) ::close(wake_fd_);
}

void sfu::impl::post(std::function<void()> fn) {
    {
        std::lock_guard lock(tasks_mutex_);
        tasks_.push_back(std::move(fn));
    }
    const std::uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(wake_fd_, &one, sizeof one);
}

void sfu::impl::start() {
    thread_ = std::thread([self = shared_from_this()] { self->run(); });
}

void sfu::impl::stop() {
    post([this] {
        std::vector<session_ptr> all;
        for (auto& [user, s] : by_user) all.push_back(s);
        for (auto& s : all) end_peer(*s, end_reason::shutdown, true);
        port.flush();
        stopping_ = true;
    });
    if (thread_.joinable()) {
        if (thread_.get_id() == std::this_thread::get_id())
            thread_.detach();
        else
            thread_.join();
    }
}

void sfu::impl::run_tasks() {
    {
        std::lock_guard lock(tasks_mutex_);
        running_.swap(tasks_);
    }
    for (auto& t : running_) t();
    running_.clear();
}

void sfu::impl::run() {
    pollfd fds[2] = {{port.fd(), POLLIN, 0}, {wake_fd_, POLLIN, 0}};
    next_tick_ms = now_ms() + tick_interval_ms;
    while (!stopping_) {
        std::uint64_t now = now_ms();
        const int timeout = next_tick_ms > now ? static_cast<int>(next_tick_ms - now) : 0;
        const int r = ::poll(fds, 2, timeout);
        if (r < 0 && errno != EINTR) {
            log::error("voice: poll failed", {{"errno", errno}});
            break;
        }
        now = now_ms();
        if (r > 0 && (fds[1].revents & POLLIN) != 0) {
            std::uint64_t v = 0;
            [[maybe_unused]] auto n = ::read(wake_fd_, &v, sizeof v);
            run_tasks();
        }
        if (r > 0 && (fds[0].revents & POLLIN) != 0) receive_all(now);
        if (now >= next_tick_ms) {
            tick(now);
            next_tick_ms = now + tick_interval_ms;
        }
        port.flush();
    }
    run_tasks();  // closures that hold the engine alive are released here
}

void sfu::impl::receive_all(std::uint64_t now) {
    // Bounded: a flood cannot starve the timers and the posted work.
    for (int round = 0; round < 16; ++round) {
        const std::size_t n = port.receive();
        for (std::size_t i = 0; i < n; ++i) on_datagram(port.received(i), now);
        port.flush();
        if (n < detail::udp_port::batch) break;
    }
}

void sfu::impl::on_datagram(detail::udp_port::datagram d, std::uint64_t now) {
    if (d.size == 0) return;
    const rtc::bytes_view bytes{d.data, d.size};
    const auto kind = rtc::classify(bytes);
    if (kind == rtc::packet_kind::stun) return on_stun(d, now);
    // RFC 7983: everything else is routed by the address ICE nominated.
    auto it = by_address.find(d.from);
    if (it == by_address.end()) return;
    detail::peer_session& s = *it->second;
    switch (kind) {
        case rtc::packet_kind::dtls:
            on_dtls(s, bytes, now);
            break;
        case rtc::packet_kind::rtp:
            on_rtp(s, d.data, d.size, now);
            break;
        case rtc::packet_kind::rtcp:
            on_rtcp(s, d.data, d.size, now);
            break;
        default:
            break;
    }
}

void sfu::impl::tick(std::uint64_t now) {
    std::vector<std::pair<detail::peer_session*, end_reason>> to_end;
    for (auto& [user, sp] : by_user) {
        detail::peer_session& s = *sp;
        // Consent (RFC 7675) is kept on a working address; before ICE found
        // one the connect timeout is what bounds the peer (a join can wait
        // long for its first answer while a big channel renegotiates).
        if (s.remote && since(now, s.last_consent_ms) >
                            static_cast<std::uint64_t>(options.consent_timeout.count())) {
            to_end.emplace_back(&s, end_reason::consent_lost);
            continue;
        }
        if (!s.connected && since(now, std::max(s.joined_ms, s.transport_started_ms)) >
                                static_cast<std::uint64_t>(options.connect_timeout.count())) {
            to_end.emplace_back(&s, end_reason::connect_timeout);
            continue;
        }
        if (s.dtls && s.dtls->current_state() == rtc::dtls_transport::state::handshaking)
            drive_dtls_timer(s);
        if (s.dtls && s.dtls->current_state() == rtc::dtls_transport::state::failed) {
            to_end.emplace_back(&s, end_reason::dtls_failed);
            continue;
        }
        if (s.speaking && since(now, s.last_voiced_ms) >
                              static_cast<std::uint64_t>(options.speaking_hangover.count()))
            set_speaking(s, false);
        if (s.connected && now >= s.next_rtcp_ms) {
            send_reports(s, now);
            s.next_rtcp_ms = now + static_cast<std::uint64_t>(options.rtcp_interval.count());
        }
    }
    for (auto& [s, why] : to_end) end_peer(*s, why, true);
}

// ---- facade ----

sfu::sfu(sfu_options options) : impl_(std::make_shared<impl>(std::move(options))) {
    impl_->start();
}

sfu::~sfu() {
    impl_->stop();
}

std::uint16_t sfu::port() const {
    return impl_->port.port();
}

std::shared_ptr<peer> sfu::join(join_request request, peer_events events,
                                std::function<void(std::vector<participant_info>)> ready) {
    auto s = std::make_shared<detail::peer_session>();
    s->user_id = request.user_id;
    s->channel_id = request.channel_id;
    s->state = request.state;
    s->events = std::move(events);
    s->local_ufrag = detail::random_token(8);
    s->local_pwd = detail::random_token(24);
    s->rtcp_ssrc = detail::random_u32();
    s->cname = detail::random_token(16);
    s->session_id = (std::uint64_t{detail::random_u32()} << 31) | detail::random_u32();
    impl_->post([weak = std::weak_ptr<impl>(impl_), s, ready = std::move(ready)]() mutable {
        if (auto e = weak.lock()) e->join(s, std::move(ready), now_ms());
    });
    return std::make_shared<peer_handle>(impl_, s);
}

void sfu::set_server_state(std::uint64_t user_id, bool server_mute, bool server_deaf) {
    impl_->post([e = impl_.get(), user_id, server_mute, server_deaf] {
        auto it = e->by_user.find(user_id);
        if (it == e->by_user.end()) return;
        mute_state st = it->second->state;
        st.server_mute = server_mute;
        st.server_deaf = server_deaf;
        e->update_state(*it->second, st);
    });
}

void sfu::set_can_speak(std::uint64_t user_id, bool can_speak) {
    impl_->post([e = impl_.get(), user_id, can_speak] {
        auto it = e->by_user.find(user_id);
        if (it == e->by_user.end()) return;
        mute_state st = it->second->state;
        st.can_speak = can_speak;
        e->update_state(*it->second, st);
    });
}

void sfu::disconnect(std::uint64_t user_id, end_reason why) {
    impl_->post([e = impl_.get(), user_id, why] {
        auto it = e->by_user.find(user_id);
        if (it != e->by_user.end()) e->end_peer(*it->second, why, true);
    });
}

sfu::counters sfu::snapshot() const {
    counters c;
    c.peers = impl_->peers_count.load();
    c.connected = impl_->connected_count.load();
    c.packets_received = impl_->received_count.load();
    c.packets_forwarded = impl_->forwarded_count.load();
    c.packets_dropped = impl_->dropped_count.load();
    return c;
}

}  // namespace driftway::voice
