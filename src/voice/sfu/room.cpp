// Channel membership and the forwarding path. A room is the list of peers in
// one voice channel; each member's offer has one leg per other member. Each
// RTP packet a member sends is unprotected once, then copied, rewritten and
// protected once per receiver straight into the port's send batch: nothing is
// decoded and nothing is allocated per packet.
#include "sfu/engine.hpp"

#include "driftway/rtc/rtp.hpp"

#include <algorithm>
#include <cstring>

namespace driftway::voice {

namespace {

json::object state_message(const detail::peer_session& s) {
    return {{"user_id", json::id_string(s.user_id)},
            {"self_mute", s.state.self_mute},
            {"self_deaf", s.state.self_deaf},
            {"server_mute", s.state.server_mute},
            {"server_deaf", s.state.server_deaf}};
}

std::uint32_t fresh_ssrc(const detail::peer_session& receiver) {
    for (;;) {
        const std::uint32_t v = detail::random_u32();
        const bool taken = v == receiver.rtcp_ssrc ||
                           std::any_of(receiver.legs.begin(), receiver.legs.end(),
                                       [v](const detail::leg& l) { return l.ssrc == v; });
        if (!taken) return v;
    }
}

// Gives `receiver` a leg for `source`: an inactive m-line is reused (with a
// new SSRC, so the client sees a new stream), else one is appended.
detail::leg& add_leg(detail::peer_session& receiver, detail::peer_session& source) {
    detail::leg* l = nullptr;
    for (auto& candidate : receiver.legs)
        if (candidate.source == nullptr) {
            l = &candidate;
            break;
        }
    if (l == nullptr) {
        receiver.legs.emplace_back();
        l = &receiver.legs.back();
        l->mid = std::to_string(receiver.legs.size());
    }
    std::string mid = std::move(l->mid);
    *l = detail::leg{};
    l->mid = std::move(mid);
    l->source = &source;
    l->source_user = source.user_id;
    l->ssrc = fresh_ssrc(receiver);
    l->cname = detail::random_token(16);
    l->rewriter =
        rtc::rtp_rewriter(static_cast<std::uint16_t>(detail::random_u32()), detail::random_u32());
    source.fanout.push_back({&receiver, static_cast<std::size_t>(l - receiver.legs.data())});
    return *l;
}

}  // namespace

std::vector<detail::peer_session*>* sfu::impl::members(std::uint64_t channel_id) {
    auto it = rooms.find(channel_id);
    return it == rooms.end() ? nullptr : &it->second;
}

void sfu::impl::broadcast(std::uint64_t channel_id, const std::string& op, const json::object& d) {
    if (auto* room = members(channel_id))
        for (auto* m : *room) m->send(op, d);
}

void sfu::impl::join(const session_ptr& s, std::function<void(std::vector<participant_info>)> ready,
                     std::uint64_t now) {
    if (auto old = by_user.find(s->user_id); old != by_user.end())
        end_peer(*old->second, end_reason::replaced, true);
    s->joined_ms = now;
    s->last_consent_ms = now;

    auto& room = rooms[s->channel_id];
    std::vector<participant_info> infos;
    // `room` may hold many members: reserve so leg references stay valid.
    s->legs.reserve(room.size() + 1);
    for (auto* m : room) {
        const detail::leg& mine = add_leg(*s, *m);
        infos.push_back({m->user_id, mine.ssrc, m->state, m->speaking});
        const detail::leg& theirs = add_leg(*m, *s);
        json::object joined = state_message(*s);
        joined["ssrc"] = theirs.ssrc;
        m->send("participant_joined", std::move(joined));
        request_offer(*m);
    }
    room.push_back(s.get());
    by_user[s->user_id] = s;
    by_ufrag[s->local_ufrag] = s.get();
    ++peers_count;
    m_voice_connections->inc();
    m_voice_peers->add(1);
    if (ready) ready(std::move(infos));
    send_offer(*s);
}

void sfu::impl::end_peer(detail::peer_session& s, end_reason why, bool notify) {
    if (s.ended) return;
    s.ended = true;
    session_ptr keep;  // the maps may hold the last reference
    if (auto it = by_user.find(s.user_id); it != by_user.end() && it->second.get() == &s) {
        keep = it->second;
        by_user.erase(it);
    }
    if (s.dtls) s.dtls->close();  // close_notify while the address is known
    by_ufrag.erase(s.local_ufrag);
    if (s.remote) {
        auto it = by_address.find(*s.remote);
        if (it != by_address.end() && it->second == &s) by_address.erase(it);
    }
    // The leaver's stream: each receiver's section goes inactive and waits
    // for the next newcomer.
    for (const auto& t : s.fanout) {
        auto& l = t.receiver->legs[t.leg];
        l.source = nullptr;
        l.source_user = 0;
        l.negotiated = false;
    }
    s.fanout.clear();
    if (auto* room = members(s.channel_id)) {
        std::erase(*room, &s);
        for (auto* m : *room) {
            // The leaver no longer receives anyone's stream.
            std::erase_if(m->fanout,
                          [&s](const detail::fanout_target& t) { return t.receiver == &s; });
            m->send("participant_left", {{"user_id", json::id_string(s.user_id)}});
            if (s.speaking)
                m->send(
                    "speaking",
                    {{"user_id", json::id_string(s.user_id)}, {"speaking", false}, {"level", 127}});
            request_offer(*m);
        }
        if (room->empty()) rooms.erase(s.channel_id);
    }
    --peers_count;
    m_voice_peers->add(-1);
    if (s.connected) --connected_count;
    if (notify) s.notify_ended(why);
    s.close_gate();
}

void sfu::impl::set_speaking(detail::peer_session& s, bool speaking) {
    s.speaking = speaking;
    broadcast(s.channel_id, "speaking",
              {{"user_id", json::id_string(s.user_id)},
               {"speaking", speaking},
               {"level", speaking ? s.level : 127}});
    s.notify_state();
}

void sfu::impl::update_state(detail::peer_session& s, const mute_state& st) {
    const bool changed = st.self_mute != s.state.self_mute || st.self_deaf != s.state.self_deaf ||
                         st.server_mute != s.state.server_mute ||
                         st.server_deaf != s.state.server_deaf || st.can_speak != s.state.can_speak;
    if (!changed) return;
    s.state = st;
    broadcast(s.channel_id, "state", state_message(s));
    s.notify_state();
    if (!s.may_send() && s.speaking) set_speaking(s, false);
}

void sfu::impl::on_rtp(detail::peer_session& s, std::uint8_t* data, std::size_t len,
                       std::uint64_t now) {
    // No media before DTLS completes (RFC 5764 section 4.1): without SRTP
    // keys there is nothing to authenticate it with.
    if (!s.connected) return;
    if (!s.srtp_in->unprotect_rtp(data, len)) return;
    const rtc::bytes_view packet{data, len};
    auto h = rtc::parse_rtp(packet);
    if (!h) return;
    ++received_count;
    m_audio_packets->inc();
    note_uplink(s, *h, len, now);

    // RFC 6464: packets without the extension count as voiced.
    bool voiced = true;
    std::uint8_t level = 0;
    if (s.audio_level_id != 0) {
        if (auto al =
                rtc::read_audio_level(packet, *h, static_cast<std::uint8_t>(s.audio_level_id))) {
            if (al->voice_activity) s.uses_vad = true;
            level = al->level;
            voiced = al->level <= options.speaking_level_threshold &&
                     (!s.uses_vad || al->voice_activity);
        }
    }
    const bool allowed = s.may_send();
    if (allowed && voiced) {
        s.last_voiced_ms = now;
        s.level = level;
        if (!s.speaking) set_speaking(s, true);
    }
    const bool silent =
        s.last_voiced_ms == 0 || since(now, s.last_voiced_ms) >
                                     static_cast<std::uint64_t>(options.speaking_hangover.count());
    if (!allowed || silent) {
        ++dropped_count;
        m_dropped->inc();
        // Receivers must not see the gap as loss (the rewriter closes it).
        for (const auto& t : s.fanout) t.receiver->legs[t.leg].rewriter.drop(h->sequence);
        return;
    }
    // Per receiver: copy into the send batch, rewrite, protect with that
    // leg's SRTP context (RFC 3711: each leg is its own SRTP stream, so the
    // encryption cannot be shared). The counters are shared with other
    // threads: they are added once per packet, not once per copy.
    std::uint64_t forwarded = 0;
    for (const auto& t : s.fanout) {
        detail::peer_session* m = t.receiver;
        detail::leg& l = m->legs[t.leg];
        if (!l.negotiated || !m->connected || !m->remote) continue;
        if (m->deafened()) {
            l.rewriter.drop(h->sequence);
            continue;
        }
        auto out = l.rewriter.forward(h->sequence, h->timestamp, now);
        if (!out) continue;
        std::uint8_t* buf = port.slot();
        std::memcpy(buf, data, len);
        const rtc::bytes_span span{buf, len};
        rtc::set_ssrc(span, l.ssrc);
        rtc::set_sequence(span, out->sequence);
        rtc::set_timestamp(span, out->timestamp);
        std::size_t n = len;
        const bool sealed = m->gcm_out
                                ? m->gcm_out->protect_rtp(buf, n, detail::udp_port::buffer_size,
                                                          l.roc.next(out->sequence))
                                : m->srtp_out->protect_rtp(buf, n, detail::udp_port::buffer_size);
        if (!sealed) continue;
        port.commit(n, *m->remote);
        ++l.packets;
        l.octets += static_cast<std::uint32_t>(h->payload_size);
        l.last_timestamp = out->timestamp;
        l.last_sent_ms = now;
        ++m->packets_out;
        m->bytes_out_window += n;
        ++forwarded;
    }
    if (forwarded != 0) {
        forwarded_count.fetch_add(forwarded, std::memory_order_relaxed);
        m_forwarded->inc(forwarded);
    }
}

}  // namespace driftway::voice
