// One participant's transport on the SFU thread: ICE-lite checks and consent
// (RFC 8445 section 2.5, RFC 7675), DTLS-SRTP (RFC 5764) and the offer /
// answer exchange in which the SFU is always the offerer.
#include "sfu/engine.hpp"
#include "sfu/offer_builder.hpp"

#include "driftway/core/log.hpp"
#include "driftway/rtc/stun.hpp"

#include <openssl/rand.h>

#include <algorithm>
#include <cctype>

namespace driftway::voice {

namespace detail {

std::string random_token(std::size_t length) {
    static constexpr char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out(length, 'A');
    std::vector<unsigned char> bytes(length);
    RAND_bytes(bytes.data(), static_cast<int>(bytes.size()));
    for (std::size_t i = 0; i < length; ++i) out[i] = alphabet[bytes[i] & 63];
    return out;
}

std::uint32_t random_u32() {
    std::uint32_t v = 0;
    while (v == 0) RAND_bytes(reinterpret_cast<unsigned char*>(&v), sizeof v);
    return v;
}

void peer_session::send(std::string op, json::object d) {
    std::lock_guard lock(gate_);
    if (!gate_closed_ && events.send) events.send(std::move(op), std::move(d));
}

void peer_session::notify_ended(end_reason why) {
    std::lock_guard lock(gate_);
    if (!gate_closed_ && events.ended) events.ended(why);
}

void peer_session::notify_state() {
    std::lock_guard lock(gate_);
    if (!gate_closed_ && events.state_changed) events.state_changed(state);
}

void peer_session::close_gate() {
    std::lock_guard lock(gate_);
    gate_closed_ = true;
}

}  // namespace detail

namespace {

json::object error_message(std::string_view code, std::string_view message) {
    return {{"code", code}, {"message", message}};
}

}  // namespace

void sfu::impl::send_to(detail::peer_session& s, rtc::bytes_view data) {
    if (s.remote) port.send(data, *s.remote);
}

void sfu::impl::on_stun(detail::udp_port::datagram d, std::uint64_t now) {
    const rtc::bytes_view bytes{d.data, d.size};
    auto m = rtc::stun::parse(bytes);
    if (!m || m->method != rtc::stun::method_binding) return;
    // Indications (keepalives) and responses need no answer from a lite agent.
    if (m->cls != rtc::stun::message_class::request) return;

    auto reject = [&](std::uint16_t code, std::string_view reason) {
        // Error responses carry no MESSAGE-INTEGRITY: the request was not
        // authenticated (RFC 5389 section 10.1.2).
        auto resp =
            rtc::stun::builder(rtc::stun::message_class::error, rtc::stun::method_binding, m->tid)
                .error_code(code, reason)
                .finish({}, true);
        port.send(resp, d.from);
    };
    if (!m->username) return reject(400, "Bad Request");
    auto u = rtc::stun::split_username(*m->username);
    if (!u) return reject(400, "Bad Request");
    auto it = by_ufrag.find(std::string(u->local));
    if (it == by_ufrag.end()) return reject(401, "Unauthorized");
    detail::peer_session& s = *it->second;
    if (!rtc::stun::check_integrity(bytes, *m, s.local_pwd)) return reject(401, "Unauthorized");
    if (!rtc::stun::check_fingerprint(bytes, *m)) return reject(400, "Bad Request");
    if (!s.remote_ufrag.empty() && u->remote != s.remote_ufrag) return reject(401, "Unauthorized");

    auto resp =
        rtc::stun::builder(rtc::stun::message_class::success, rtc::stun::method_binding, m->tid)
            .xor_mapped_address(d.from)
            .finish(s.local_pwd, true);
    port.send(resp, d.from);

    // RFC 7675: each authenticated check renews consent.
    s.last_consent_ms = now;
    // The controlling agent nominates with USE-CANDIDATE; the first valid
    // check's address is used until then so DTLS can start.
    if (!s.remote || (m->use_candidate && *s.remote != d.from)) {
        if (s.remote) by_address.erase(*s.remote);
        s.remote = d.from;
        by_address[d.from] = &s;
    }
    if (s.dtls && !s.dtls_started) {
        s.dtls_started = true;
        s.dtls->start();
    }
}

void sfu::impl::on_dtls(detail::peer_session& s, rtc::bytes_view d, std::uint64_t now) {
    if (!s.dtls) {
        // The client's ClientHello may overtake its answer on signaling.
        if (s.early_dtls.size() < 8) s.early_dtls.emplace_back(d.begin(), d.end());
        return;
    }
    s.dtls->on_datagram(d);
    using st = rtc::dtls_transport::state;
    const auto state = s.dtls->current_state();
    if (state == st::connected && !s.connected) {
        const auto& keys = *s.dtls->keys();
        s.srtp_in = rtc::srtp_session::create(keys.profile, rtc::srtp_session::direction::inbound,
                                              keys.remote_key_salt);
        s.srtp_out = rtc::srtp_session::create(keys.profile, rtc::srtp_session::direction::outbound,
                                               keys.local_key_salt);
        if (!s.srtp_in || !s.srtp_out) return end_peer(s, end_reason::dtls_failed, true);
        if (keys.profile == rtc::srtp_profile::aead_aes_128_gcm)
            s.gcm_out = detail::gcm_sender::create(keys.local_key_salt);
        s.connected = true;
        ++connected_count;
        m_webrtc_connections->inc();
        // RFC 3550 6.3.5: a randomized first report time (0.5–1.5 intervals)
        // spreads the node's reports over the interval instead of sending
        // many in one tick, which would delay the packets waiting behind them.
        const auto interval = static_cast<std::uint64_t>(options.rtcp_interval.count());
        s.next_rtcp_ms = now + interval / 2 + detail::random_u32() % (interval + 1);
        s.window_start_ms = now;
        log::debug("voice: transport connected", {{"user_id", json::id_string(s.user_id)}});
    } else if (state == st::failed) {
        log::info("voice: DTLS failed",
                  {{"user_id", json::id_string(s.user_id)}, {"reason", s.dtls->failure_reason()}});
        end_peer(s, end_reason::dtls_failed, true);
    } else if (state == st::closed && s.connected) {
        // close_notify: the client is gone (RFC 5246 7.2.1).
        end_peer(s, end_reason::left, true);
    }
}

void sfu::impl::drive_dtls_timer(detail::peer_session& s) {
    auto t = s.dtls->next_timeout();
    if (t && t->count() == 0) s.dtls->on_timeout();
}

void sfu::impl::send_offer(detail::peer_session& s) {
    detail::offer_params p;
    p.session_id = s.session_id;
    p.version = ++s.offer_version;
    p.ufrag = s.local_ufrag;
    p.pwd = s.local_pwd;
    p.fingerprint = certificate->fingerprint_sha256();
    p.ips = announced_ips;
    p.port = port.port();
    for (auto& l : s.legs) {
        if (l.source != nullptr && l.offered_in == 0) l.offered_in = s.offer_version;
        p.legs.push_back({l.mid, l.source != nullptr, l.ssrc, l.cname, l.source_user});
    }
    s.offered_sections = 1 + s.legs.size();
    s.offer_outstanding = true;
    s.offer_pending = false;
    s.send("offer", {{"sdp", detail::build_offer(p)}});
}

void sfu::impl::request_offer(detail::peer_session& s) {
    // One offer outstanding at a time (JSEP 4.1.8.1 glare avoidance):
    // changes meanwhile are folded into the next one.
    if (s.offer_outstanding)
        s.offer_pending = true;
    else
        send_offer(s);
}

void sfu::impl::on_answer(detail::peer_session& s, const std::string& sdp) {
    if (!s.offer_outstanding) {
        s.send("error", error_message("unexpected_answer", "no offer is outstanding"));
        return;
    }
    auto checked = detail::check_answer(sdp, s.offered_sections);
    if (checked.info && s.answered_once &&
        (checked.info->ufrag != s.remote_ufrag || checked.info->pwd != s.remote_pwd ||
         checked.info->fingerprint != s.remote_fingerprint ||
         checked.info->setup != s.remote_setup)) {
        checked.info.reset();
        checked.error = "an answer may not change the transport (no ICE restart or new DTLS)";
    }
    if (!checked.info) {
        s.send("error", error_message("bad_answer", checked.error));
        // Without a first usable answer there is no transport to keep.
        if (!s.answered_once) return end_peer(s, end_reason::dtls_failed, true);
        s.offer_outstanding = false;
        return;
    }
    const auto& info = *checked.info;
    s.offer_outstanding = false;
    s.audio_level_id = info.audio_level_id;
    for (std::size_t i = 0; i < s.legs.size(); ++i) {
        auto& l = s.legs[i];
        if (l.source != nullptr && l.offered_in != 0 && l.offered_in <= s.offer_version)
            l.negotiated = info.accepted[i + 1];
    }
    if (!s.answered_once) {
        s.answered_once = true;
        s.remote_ufrag = info.ufrag;
        s.remote_pwd = info.pwd;
        s.remote_fingerprint = info.fingerprint;
        s.remote_setup = info.setup;
        start_dtls(s, now_ms());
        if (s.ended) return;
        auto early = std::move(s.early_dtls);
        for (const auto& d : early) {
            if (s.ended) return;
            on_dtls(s, d, now_ms());
        }
    }
    if (s.offer_pending) send_offer(s);
}

void sfu::impl::start_dtls(detail::peer_session& s, std::uint64_t now) {
    // RFC 5763 section 5: the client's setup:active makes us the DTLS server.
    const auto role = s.remote_setup == "active" ? rtc::dtls_role::server : rtc::dtls_role::client;
    detail::peer_session* sp = &s;
    s.dtls =
        std::make_unique<rtc::dtls_transport>(certificate, role, s.remote_fingerprint,
                                              [this, sp](rtc::bytes_view d) { send_to(*sp, d); });
    s.dtls_started = false;
    s.transport_started_ms = now;
    if (s.dtls->current_state() == rtc::dtls_transport::state::failed)
        return end_peer(s, end_reason::dtls_failed, true);
    // As DTLS client the ClientHello needs the address ICE learns.
    if (s.remote && role == rtc::dtls_role::client) {
        s.dtls_started = true;
        s.dtls->start();
    }
}

void sfu::impl::on_client_offer(detail::peer_session& s, const std::string& sdp) {
    if (s.offer_outstanding || !s.answered_once) {
        // JSEP 4.1.8.1 glare: the server's offer wins; the client answers it
        // and may offer again afterwards.
        s.send("error",
               error_message("glare", "the server's offer is outstanding; answer it first"));
        return;
    }
    std::vector<std::string> mids{"0"};
    for (const auto& l : s.legs) mids.push_back(l.mid);
    auto checked = detail::check_offer(sdp, mids);
    if (!checked.info) {
        s.send("error", error_message("bad_offer", checked.error));
        return;
    }
    const auto& info = *checked.info;
    const std::uint64_t now = now_ms();

    // ICE restart (RFC 8839 section 4.4.1.1.1): new client credentials, and
    // the answerer changes its own too. The nominated address stays in use
    // until a check with the new credentials nominates another, so media
    // keeps flowing meanwhile.
    if (info.ufrag != s.remote_ufrag || info.pwd != s.remote_pwd) {
        by_ufrag.erase(s.local_ufrag);
        s.local_ufrag = detail::random_token(8);
        s.local_pwd = detail::random_token(24);
        by_ufrag[s.local_ufrag] = &s;
        s.remote_ufrag = info.ufrag;
        s.remote_pwd = info.pwd;
    }
    // The answerer keeps its DTLS role unless the offer asks for the other
    // one (RFC 5763 section 5; actpass: either, so the current one). A new
    // certificate or role means a new DTLS association and new SRTP keys
    // (RFC 8842 section 5.5); until it completes this peer gets no media.
    const std::string client_setup = info.setup == "actpass" ? s.remote_setup : info.setup;
    const bool same_certificate =
        info.fingerprint.size() == s.remote_fingerprint.size() &&
        std::equal(info.fingerprint.begin(), info.fingerprint.end(), s.remote_fingerprint.begin(),
                   [](char a, char b) {
                       return std::toupper(static_cast<unsigned char>(a)) ==
                              std::toupper(static_cast<unsigned char>(b));
                   });
    if (!same_certificate || client_setup != s.remote_setup) {
        if (s.connected) {
            s.connected = false;
            --connected_count;
        }
        s.srtp_in.reset();
        s.srtp_out.reset();
        s.gcm_out.reset();
        // New keys, new SRTP contexts at the client: rollover counts restart.
        for (auto& l : s.legs) l.roc = {};
        s.early_dtls.clear();
        s.remote_fingerprint = info.fingerprint;
        s.remote_setup = client_setup;
        start_dtls(s, now);
        if (s.ended) return;
    }

    s.audio_level_id = info.audio_level_id;
    detail::offer_params p;
    p.session_id = s.session_id;
    p.version = ++s.offer_version;  // o= versions count every description we send
    p.ufrag = s.local_ufrag;
    p.pwd = s.local_pwd;
    p.fingerprint = certificate->fingerprint_sha256();
    p.ips = announced_ips;
    p.port = port.port();
    p.setup = s.remote_setup == "active" ? "passive" : "active";
    p.mic_active = info.mic_sends;
    p.audio_level_id = info.audio_level_id;
    for (std::size_t i = 0; i < s.legs.size(); ++i) {
        auto& l = s.legs[i];
        const bool accepted = info.accepted[i + 1];
        if (l.source != nullptr) l.negotiated = accepted;
        p.legs.push_back({l.mid, l.source != nullptr && accepted, l.ssrc, l.cname, l.source_user,
                          info.stopped[i + 1]});
    }
    s.send("answer", {{"sdp", detail::build_answer(p)}});
}

}  // namespace driftway::voice
