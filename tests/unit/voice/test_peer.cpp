#include "test_peer.hpp"

#include "driftway/rtc/demux.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/rand.h>

#include <stdexcept>

namespace driftway::voice::testing {

namespace {

std::string random_string(std::size_t n) {
    static constexpr char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    std::vector<unsigned char> b(n);
    RAND_bytes(b.data(), static_cast<int>(n));
    std::string s(n, 'a');
    for (std::size_t i = 0; i < n; ++i) s[i] = alphabet[b[i] % 36];
    return s;
}

}  // namespace

test_peer::test_peer(sfu& server, std::uint64_t channel_id, std::uint64_t uid)
    : test_peer(server, channel_id, uid, options{}) {}

test_peer::test_peer(sfu& server, std::uint64_t channel_id, std::uint64_t uid, options o)
    : user_id(uid), opt_(o), cert_(rtc::certificate::generate()) {
    RAND_bytes(reinterpret_cast<unsigned char*>(&ssrc), sizeof ssrc);
    ufrag_ = random_string(8);
    pwd_ = random_string(24);
    fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0)
        throw std::runtime_error("test_peer: bind");
    a.sin_port = htons(server.port());
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0)
        throw std::runtime_error("test_peer: connect");

    peer_events ev;
    std::weak_ptr<inbox> box = inbox_;
    ev.send = [box](std::string op, json::object d) {
        if (auto b = box.lock()) {
            std::lock_guard lock(b->mutex);
            b->signals.push_back({std::move(op), std::move(d)});
        }
    };
    ev.ended = [box](end_reason why) {
        if (auto b = box.lock()) {
            std::lock_guard lock(b->mutex);
            b->ended = why;
        }
    };
    join_request req{channel_id, uid, o.state};
    handle = server.join(req, std::move(ev), [box](std::vector<participant_info> p) {
        if (auto b = box.lock()) {
            std::lock_guard lock(b->mutex);
            b->ready = std::move(p);
        }
    });
}

test_peer::~test_peer() {
    if (handle) handle->leave();
    if (fd_ >= 0) ::close(fd_);
}

void test_peer::drain_inbox() {
    std::deque<signal> got;
    {
        std::lock_guard lock(inbox_->mutex);
        got.swap(inbox_->signals);
        if (inbox_->ended) ended = inbox_->ended;
        if (inbox_->ready) {
            ready = true;
            ready_participants = std::move(*inbox_->ready);
            inbox_->ready.reset();
        }
    }
    for (auto& s : got) {
        if (s.op == "offer") {
            auto parsed = rtc::sdp::parse(s.d.at("sdp").as_string());
            if (parsed.description) {
                offers.push_back(*parsed.description);
                if (opt_.auto_answer) answer(offers.back());
            }
        }
        if (s.op == "answer") {
            auto parsed = rtc::sdp::parse(s.d.at("sdp").as_string());
            if (parsed.description && !parsed.description->media.empty()) {
                answers.push_back(*parsed.description);
                const auto& d = answers.back();
                sfu_ufrag_ = rtc::sdp::ice_ufrag_of(d, d.media.front()).value_or("");
                sfu_pwd_ = rtc::sdp::ice_pwd_of(d, d.media.front()).value_or("");
            }
        }
        signals.push_back(std::move(s));
    }
}

rtc::sdp::media_section test_peer::local_section(const rtc::sdp::media_section& m,
                                                 const std::string& fp) const {
    rtc::sdp::media_section s;
    s.port = 9;
    s.formats = {"111"};
    s.mid = m.mid;
    if (m.dir == rtc::sdp::direction::recvonly) {
        s.dir = rtc::sdp::direction::sendonly;
        s.ssrcs.push_back({ssrc, "cname", "test-" + ufrag_});
    } else {
        s.dir = rtc::sdp::reverse(m.dir);
    }
    s.ice_ufrag = ufrag_;
    s.ice_pwd = pwd_;
    s.fp = rtc::sdp::fingerprint{"sha-256", fp};
    s.setup = opt_.setup_active ? "active" : "passive";
    s.rtcp_mux = true;
    s.rtcp_rsize = true;
    s.rtpmaps = {{111, "opus", 48000, 2}};
    s.extmaps = {{1, std::string(rtc::sdp::audio_level_uri)}};
    return s;
}

void test_peer::send_offer(bool ice_restart) {
    if (offers.empty()) return;
    if (ice_restart) {
        ufrag_ = random_string(8);
        pwd_ = random_string(24);
    }
    rtc::sdp::session_description o;
    o.session_id = 4242;
    o.session_version = offers.size() + answers.size() + 1;
    std::vector<std::string> bundle{"BUNDLE"};
    for (const auto& m : offers.back().media) {
        auto s = local_section(m, cert_->fingerprint_sha256());
        s.setup = "actpass";  // JSEP 5.2.1: an offerer lets the answerer choose
        if (m.mid) bundle.push_back(*m.mid);
        o.media.push_back(std::move(s));
    }
    o.groups.push_back(std::move(bundle));
    handle->on_offer(rtc::sdp::serialize(o));
}

void test_peer::send_receiver_report(std::vector<rtc::rtcp::report_block> blocks) {
    if (!srtp_out_) return;
    std::vector<std::uint8_t> buf;
    rtc::rtcp::write_receiver_report({ssrc, std::move(blocks)}, buf);
    std::size_t len = buf.size();
    buf.resize(len + rtc::srtp_max_overhead);
    if (!srtp_out_->protect_rtcp(buf.data(), len, buf.size())) return;
    send_raw({buf.data(), len});
}

void test_peer::answer(const rtc::sdp::session_description& offer) {
    rtc::sdp::session_description a;
    a.session_id = 4242;
    a.session_version = offers.size();
    std::vector<std::string> bundle{"BUNDLE"};
    std::string fp = opt_.lie_about_fingerprint ? rtc::certificate::generate()->fingerprint_sha256()
                                                : cert_->fingerprint_sha256();
    for (const auto& m : offer.media) {
        if (m.mid) bundle.push_back(*m.mid);
        a.media.push_back(local_section(m, fp));
    }
    a.groups.push_back(std::move(bundle));
    if (!offer.media.empty()) {
        const auto& m0 = offer.media.front();
        sfu_ufrag_ = rtc::sdp::ice_ufrag_of(offer, m0).value_or("");
        sfu_pwd_ = rtc::sdp::ice_pwd_of(offer, m0).value_or("");
        auto f = rtc::sdp::fingerprint_of(offer, m0);
        sfu_fingerprint_ = f ? f->value : "";
    }
    handle->on_answer(rtc::sdp::serialize(a));
    if (!answered_) {
        answered_ = true;
        // The DTLS server waits for the ClientHello; the client starts once ICE works.
        if (!opt_.setup_active) {
            dtls_ = std::make_unique<rtc::dtls_transport>(
                cert_, rtc::dtls_role::server, sfu_fingerprint_,
                [this](rtc::bytes_view d) { send_raw(d); });
        }
        send_check();
    }
}

rtc::stun::transaction_id test_peer::send_check(std::string_view key, bool use_candidate) {
    rtc::stun::transaction_id tid{};
    RAND_bytes(tid.data(), static_cast<int>(tid.size()));
    rtc::stun::builder b(rtc::stun::message_class::request, rtc::stun::method_binding, tid);
    b.username(sfu_ufrag_ + ":" + ufrag_).priority(1845501695).ice_controlling(0x1234567890ULL);
    if (use_candidate) b.use_candidate();
    auto msg = b.finish(key.empty() ? std::string_view(sfu_pwd_) : key, true);
    send_raw(msg);
    next_check_ = std::chrono::steady_clock::now() + std::chrono::milliseconds(100);
    return tid;
}

void test_peer::send_raw(rtc::bytes_view d) {
    [[maybe_unused]] auto n = ::send(fd_, d.data(), d.size(), 0);
}

void test_peer::send_audio(std::uint16_t seq, std::uint32_t ts,
                           std::optional<rtc::audio_level> level, std::uint8_t fill) {
    if (!srtp_out_) return;
    rtc::rtp_build b;
    b.sequence = seq;
    b.timestamp = ts;
    b.ssrc = ssrc;
    if (level) {
        b.audio_level_id = 1;
        b.level = *level;
    }
    std::vector<std::uint8_t> payload(40, fill);
    payload[0] = static_cast<std::uint8_t>(seq);
    std::vector<std::uint8_t> buf(1500);
    std::size_t len = rtc::build_rtp(b, payload, buf);
    if (len == 0 || !srtp_out_->protect_rtp(buf.data(), len, buf.size())) return;
    send_raw({buf.data(), len});
}

void test_peer::on_datagram(std::uint8_t* data, std::size_t len) {
    const rtc::bytes_view bytes{data, len};
    switch (rtc::classify(bytes)) {
        case rtc::packet_kind::stun: {
            auto m = rtc::stun::parse(bytes);
            if (!m) return;
            if (m->cls == rtc::stun::message_class::success) {
                if (!rtc::stun::check_integrity(bytes, *m, sfu_pwd_)) return;
                stun_success.push_back(m->tid);
                if (!dtls_ && opt_.setup_active) {
                    dtls_ = std::make_unique<rtc::dtls_transport>(
                        cert_, rtc::dtls_role::client, sfu_fingerprint_,
                        [this](rtc::bytes_view d) { send_raw(d); });
                    dtls_->start();
                }
            } else if (m->cls == rtc::stun::message_class::error) {
                stun_error.push_back(m->tid);
            }
            return;
        }
        case rtc::packet_kind::dtls:
            if (!dtls_) return;
            dtls_->on_datagram(bytes);
            if (dtls_->current_state() == rtc::dtls_transport::state::connected && !srtp_out_) {
                const auto& k = *dtls_->keys();
                srtp_in_ = rtc::srtp_session::create(
                    k.profile, rtc::srtp_session::direction::inbound, k.remote_key_salt);
                srtp_out_ = rtc::srtp_session::create(
                    k.profile, rtc::srtp_session::direction::outbound, k.local_key_salt);
            }
            return;
        case rtc::packet_kind::rtp: {
            if (!srtp_in_ || !srtp_in_->unprotect_rtp(data, len)) return;
            const rtc::bytes_view plain{data, len};
            auto h = rtc::parse_rtp(plain);
            if (!h) return;
            media.push_back(
                {h->ssrc, h->sequence, h->timestamp,
                 std::vector<std::uint8_t>(data + h->payload_offset,
                                           data + h->payload_offset + h->payload_size)});
            return;
        }
        case rtc::packet_kind::rtcp: {
            if (!srtp_in_ || !srtp_in_->unprotect_rtcp(data, len)) return;
            if (auto c = rtc::rtcp::parse({data, len})) {
                for (const auto& sr : c->sender_reports)
                    sr_arrivals.emplace_back(sr.ntp_time, std::chrono::steady_clock::now());
                rtcp.push_back(std::move(*c));
            }
            return;
        }
        default:
            return;
    }
}

void test_peer::pump_once(int poll_ms) {
    drain_inbox();
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, poll_ms) > 0) {
        std::uint8_t buf[2048];
        for (;;) {
            const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
            if (n <= 0) break;
            on_datagram(buf, static_cast<std::size_t>(n));
        }
    }
    if (dtls_) {
        if (auto t = dtls_->next_timeout(); t && t->count() == 0) dtls_->on_timeout();
    }
    if (answered_ && !ended && std::chrono::steady_clock::now() >= next_check_ &&
        (opt_.keep_consent || stun_success.empty()))
        send_check();
    drain_inbox();
}

bool test_peer::wait_all(const std::vector<test_peer*>& peers, const std::function<bool()>& pred,
                         std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        for (auto* p : peers) p->pump_once(peers.size() > 1 ? 1 : 5);
        if (pred()) return true;
        if (std::chrono::steady_clock::now() >= deadline) return false;
    }
}

bool test_peer::wait_for(const std::function<bool()>& pred, std::chrono::milliseconds timeout) {
    return wait_all({this}, pred, timeout);
}

std::size_t test_peer::count(std::string_view op) const {
    std::size_t n = 0;
    for (const auto& s : signals) n += s.op == op;
    return n;
}

const signal* test_peer::last(std::string_view op) const {
    for (auto it = signals.rbegin(); it != signals.rend(); ++it)
        if (it->op == op) return &*it;
    return nullptr;
}

std::vector<received_rtp> test_peer::media_from(std::uint32_t from_ssrc) const {
    std::vector<received_rtp> out;
    for (const auto& m : media)
        if (m.ssrc == from_ssrc) out.push_back(m);
    return out;
}

}  // namespace driftway::voice::testing
