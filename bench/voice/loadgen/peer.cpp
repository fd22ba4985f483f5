#include "peer.hpp"

#include "clock.hpp"

#include <driftway/rtc/demux.hpp>
#include <driftway/rtc/rtp.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>
#include <sstream>
#include <vector>

namespace driftway::bench {
namespace sdp = rtc::sdp;
namespace stun = rtc::stun;
namespace {

std::mt19937_64& rng() {
    static std::mt19937_64 r{std::random_device{}()};
    return r;
}

std::string random_token(std::size_t n) {
    static constexpr char chars[] =
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    std::string s(n, 'a');
    for (auto& c : s) c = chars[rng()() % (sizeof chars - 1)];
    return s;
}

// "foundation component transport priority ip port typ type ...": the first
// UDP IPv4 candidate of component 1.
bool parse_candidate(const std::string& c, sockaddr_in& out) {
    std::istringstream in(c);
    std::string foundation, component, transport, priority, ip, port, typ;
    if (!(in >> foundation >> component >> transport >> priority >> ip >> port >> typ))
        return false;
    if (component != "1" || (transport != "udp" && transport != "UDP")) return false;
    out = {};
    out.sin_family = AF_INET;
    if (inet_pton(AF_INET, ip.c_str(), &out.sin_addr) != 1) return false;
    const long p = std::strtol(port.c_str(), nullptr, 10);
    if (p <= 0 || p > 65535) return false;
    out.sin_port = htons(static_cast<std::uint16_t>(p));
    return true;
}

constexpr std::int64_t check_retransmit_ms = 100;
constexpr std::int64_t consent_interval_ms = 2000;
constexpr std::int64_t consent_timeout_ms = 30000;  // RFC 7675 section 5.1
constexpr std::int64_t connect_timeout_ms = 20000;

}  // namespace

peer::peer(int id, bool publisher, std::shared_ptr<const rtc::certificate> cert, media_sink& sink)
    : id_(id), cert_(std::move(cert)), sink_(sink) {
    local_.publisher = publisher;
    local_.ufrag = random_token(8);
    local_.pwd = random_token(24);
    local_.fingerprint = cert_->fingerprint_sha256();
    local_.ssrc = static_cast<std::uint32_t>(rng()()) | 1;
    tie_breaker_ = rng()();
    seq_ = static_cast<std::uint16_t>(rng()());
    ts_ = static_cast<std::uint32_t>(rng()());
}

peer::~peer() {
    if (fd_ >= 0) ::close(fd_);
}

bool peer::open(std::string& error) {
    fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd_ < 0) {
        error = std::string("socket: ") + std::strerror(errno);
        return false;
    }
    // Kernel receive timestamps: the latency excludes our own queueing.
    const int on = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on);
    const int buf = 1 << 20;
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &buf, sizeof buf);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
        error = std::string("bind: ") + std::strerror(errno);
        return false;
    }
    local_.port = ntohs(a.sin_port);
    return true;
}

std::string peer::create_offer() {
    return sdp::serialize(make_offer(local_));
}

std::optional<std::string> peer::answer(const std::string& offer_text, std::string& error) {
    auto parsed = sdp::parse(offer_text);
    if (!parsed.description) {
        error = "offer: line " + std::to_string(parsed.error.line) + ": " + parsed.error.reason;
        return std::nullopt;
    }
    auto ans = make_answer(*parsed.description, local_, neg_);
    if (!apply_remote(*parsed.description, error)) return std::nullopt;
    return sdp::serialize(ans);
}

bool peer::set_answer(const std::string& answer_text, std::string& error) {
    auto parsed = sdp::parse(answer_text);
    if (!parsed.description) {
        error = "answer: line " + std::to_string(parsed.error.line) + ": " + parsed.error.reason;
        return false;
    }
    neg_ = read_answer(*parsed.description);
    if (local_.publisher && !neg_.sending) {
        error = "the answer accepts no audio from us";
        return false;
    }
    return apply_remote(*parsed.description, error);
}

// Takes the transport from the first usable section (BUNDLE: all share it).
// On renegotiation the transport is already up and stays as it is.
bool peer::apply_remote(const sdp::session_description& d, std::string& error) {
    if (state_ != state::idle) return true;
    for (const auto& m : d.media) {
        if (m.port == 0) continue;
        auto ufrag = sdp::ice_ufrag_of(d, m);
        auto pwd = sdp::ice_pwd_of(d, m);
        auto fp = sdp::fingerprint_of(d, m);
        if (!ufrag || !pwd || !fp) continue;
        sockaddr_in remote{};
        bool found = false;
        for (const auto& c : m.candidates)
            if ((found = parse_candidate(c, remote))) break;
        if (!found) continue;
        remote_ufrag_ = *ufrag;
        remote_pwd_ = *pwd;
        remote_fp_ = fp->value;
        remote_active_ = sdp::setup_of(d, m).value_or("") == "active";
        if (::connect(fd_, reinterpret_cast<sockaddr*>(&remote), sizeof remote) != 0) {
            error = std::string("connect: ") + std::strerror(errno);
            return false;
        }
        state_ = state::checking;
        started_ms_ = monotonic_ms();
        next_check_ms_ = 0;
        return true;
    }
    error = "no section with ICE credentials, a fingerprint and a UDP candidate";
    return false;
}

void peer::send_raw(rtc::bytes_view data) {
    (void)::send(fd_, data.data(), data.size(), 0);
}

void peer::fail(std::string why) {
    if (state_ == state::failed) return;
    state_ = state::failed;
    failure_ = std::move(why);
}

void peer::send_check(std::int64_t now_ms) {
    for (auto& b : check_tid_) b = static_cast<std::uint8_t>(rng()());
    // RFC 8445 section 7.1.1: USERNAME "remote:local", our priority as a
    // peer-reflexive candidate, aggressive nomination towards a lite agent.
    auto msg = stun::builder(stun::message_class::request, stun::method_binding, check_tid_)
                   .username(remote_ufrag_ + ":" + local_.ufrag)
                   .priority(1853817087)
                   .ice_controlling(tie_breaker_)
                   .use_candidate()
                   .finish(remote_pwd_, true);
    send_raw(msg);
    next_check_ms_ =
        now_ms + (state_ == state::checking ? check_retransmit_ms : consent_interval_ms);
}

void peer::tick(std::int64_t now_ms) {
    if (state_ == state::idle || state_ == state::failed) return;
    if (state_ != state::connected && now_ms - started_ms_ > connect_timeout_ms) {
        fail(state_ == state::checking ? "ICE: no answer to our checks"
                                       : "DTLS: handshake timed out");
        return;
    }
    if (state_ != state::checking && now_ms - last_response_ms_ > consent_timeout_ms) {
        fail("ICE: consent expired");
        return;
    }
    if (now_ms >= next_check_ms_) send_check(now_ms);
    if (dtls_ && dtls_due_ms_ >= 0 && now_ms >= dtls_due_ms_) {
        dtls_->on_timeout();
        on_dtls_progress();
    }
}

void peer::on_stun(rtc::bytes_view data, const sockaddr_storage& from, socklen_t) {
    auto m = stun::parse(data);
    if (!m || m->method != stun::method_binding) return;
    if (m->cls == stun::message_class::success) {
        if (m->tid != check_tid_ || !stun::check_integrity(data, *m, remote_pwd_)) return;
        last_response_ms_ = monotonic_ms();
        if (state_ == state::checking) {
            state_ = state::handshaking;
            next_check_ms_ = last_response_ms_ + consent_interval_ms;
            dtls_ = std::make_unique<rtc::dtls_transport>(
                cert_, remote_active_ ? rtc::dtls_role::server : rtc::dtls_role::client, remote_fp_,
                [this](rtc::bytes_view d) { send_raw(d); });
            dtls_->start();
            on_dtls_progress();
        }
        return;
    }
    if (m->cls == stun::message_class::request) {
        // A full agent (or a consent check) towards us: answer it.
        if (!stun::check_integrity(data, *m, local_.pwd)) return;
        rtc::socket_address a;
        if (from.ss_family == AF_INET) {
            const auto& in = reinterpret_cast<const sockaddr_in&>(from);
            a = rtc::socket_address::v4(ntohl(in.sin_addr.s_addr), ntohs(in.sin_port));
        }
        send_raw(stun::builder(stun::message_class::success, stun::method_binding, m->tid)
                     .xor_mapped_address(a)
                     .finish(local_.pwd, true));
    }
}

void peer::on_dtls_progress() {
    const auto t = dtls_->next_timeout();
    dtls_due_ms_ = t ? monotonic_ms() + t->count() : -1;
    if (state_ != state::handshaking) return;
    if (dtls_->current_state() == rtc::dtls_transport::state::failed) {
        fail("DTLS: " + dtls_->failure_reason());
        return;
    }
    if (dtls_->current_state() != rtc::dtls_transport::state::connected || !dtls_->keys()) return;
    const auto& k = *dtls_->keys();
    srtp_out_ = rtc::srtp_session::create(k.profile, rtc::srtp_session::direction::outbound,
                                          k.local_key_salt);
    srtp_in_ = rtc::srtp_session::create(k.profile, rtc::srtp_session::direction::inbound,
                                         k.remote_key_salt);
    if (!srtp_out_ || !srtp_in_) {
        fail("SRTP: sessions not created");
        return;
    }
    state_ = state::connected;
}

void peer::on_rtp(std::uint8_t* data, std::size_t len, std::int64_t recv_ns) {
    if (!srtp_in_) return;
    if (!srtp_in_->unprotect_rtp(data, len)) {
        ++decrypt_failures_;
        return;
    }
    auto h = rtc::parse_rtp({data, len});
    if (!h || h->payload_size < trailer_size) return;
    const std::uint8_t* t = data + h->payload_offset + h->payload_size - trailer_size;
    if (rtc::read_u32(t) != trailer_magic) return;
    const std::int64_t send_ns = static_cast<std::int64_t>(
        std::uint64_t{rtc::read_u32(t + 12)} << 32 | rtc::read_u32(t + 16));
    sink_.on_media(id_, rtc::read_u32(t + 4), rtc::read_u32(t + 8), send_ns, recv_ns);
}

void peer::on_readable() {
    std::uint8_t buf[2048];
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(timespec))];
    for (;;) {
        sockaddr_storage from{};
        iovec iov{buf, sizeof buf};
        msghdr msg{};
        msg.msg_name = &from;
        msg.msg_namelen = sizeof from;
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        msg.msg_control = control;
        msg.msg_controllen = sizeof control;
        const ssize_t n = ::recvmsg(fd_, &msg, 0);
        if (n <= 0) return;  // EAGAIN, or an ICMP error on a connected socket
        std::int64_t recv_ns = 0;
        for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
            if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
                timespec ts{};
                std::memcpy(&ts, CMSG_DATA(c), sizeof ts);
                recv_ns = std::int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
            }
        }
        if (recv_ns == 0) recv_ns = realtime_ns();
        const rtc::bytes_view view{buf, static_cast<std::size_t>(n)};
        switch (rtc::classify(view)) {
            case rtc::packet_kind::stun:
                on_stun(view, from, msg.msg_namelen);
                break;
            case rtc::packet_kind::dtls:
                if (dtls_) {
                    dtls_->on_datagram(view);
                    on_dtls_progress();
                }
                break;
            case rtc::packet_kind::rtp:
                on_rtp(buf, static_cast<std::size_t>(n), recv_ns);
                break;
            default:
                break;  // RTCP from the server: not needed for the numbers
        }
    }
}

bool peer::send_frame(const opus_frame& f, std::uint32_t counter) {
    if (state_ != state::connected || !neg_.sending) return false;
    std::uint8_t payload[1500];
    if (f.bytes.size() + trailer_size > 1200) return false;
    std::memcpy(payload, f.bytes.data(), f.bytes.size());
    std::uint8_t* t = payload + f.bytes.size();
    const auto now = static_cast<std::uint64_t>(realtime_ns());
    rtc::write_u32(t, trailer_magic);
    rtc::write_u32(t + 4, static_cast<std::uint32_t>(id_));
    rtc::write_u32(t + 8, counter);
    rtc::write_u32(t + 12, static_cast<std::uint32_t>(now >> 32));
    rtc::write_u32(t + 16, static_cast<std::uint32_t>(now));
    rtc::rtp_build b;
    b.payload_type = static_cast<std::uint8_t>(neg_.payload_type);
    b.sequence = seq_++;
    b.timestamp = ts_;
    ts_ += 960;
    b.ssrc = local_.ssrc;
    b.audio_level_id = neg_.audio_level_id;
    b.level = {f.level < 127, f.level};
    std::uint8_t packet[1600];
    std::size_t len =
        rtc::build_rtp(b, {payload, f.bytes.size() + trailer_size}, {packet, sizeof packet - 64});
    if (len == 0 || !srtp_out_->protect_rtp(packet, len, sizeof packet)) return false;
    send_raw({packet, len});
    return true;
}

}  // namespace driftway::bench
