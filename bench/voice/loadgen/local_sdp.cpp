#include "local_sdp.hpp"

#include <random>

namespace driftway::bench {
namespace sdp = rtc::sdp;
namespace {

constexpr int offer_pt = 111;
constexpr int offer_level_id = 1;

// Transport attributes every section of ours carries (BUNDLE: the same on all).
void add_transport(sdp::media_section& m, const local_params& p) {
    m.port = p.port;
    m.connection = "IN IP4 127.0.0.1";
    m.ice_ufrag = p.ufrag;
    m.ice_pwd = p.pwd;
    m.fp = sdp::fingerprint{"sha-256", p.fingerprint};
    m.setup = "active";  // we are always the DTLS client (RFC 5763 section 5)
    m.rtcp_mux = true;
    m.candidates = {"1 1 udp 2130706431 127.0.0.1 " + std::to_string(p.port) + " typ host"};
    m.end_of_candidates = true;
}

void add_sender(sdp::media_section& m, const local_params& p) {
    const std::string id = "bench" + std::to_string(p.ssrc);
    m.msid = id + " " + id + "-audio";
    m.ssrcs = {{p.ssrc, "cname", id}, {p.ssrc, "msid", id + " " + id + "-audio"}};
}

sdp::session_description session_skeleton() {
    static std::mt19937_64 rng{std::random_device{}()};
    sdp::session_description d;
    d.session_id = rng() >> 2;
    d.session_version = 1;
    d.msid_semantics = {"WMS"};
    return d;
}

}  // namespace

sdp::session_description make_offer(const local_params& p) {
    auto d = session_skeleton();
    sdp::media_section m;
    m.formats = {std::to_string(offer_pt)};
    m.mid = "0";
    m.dir = p.publisher ? sdp::direction::sendonly : sdp::direction::recvonly;
    add_transport(m, p);
    m.rtcp_rsize = true;
    m.rtpmaps = {{offer_pt, "opus", 48000, 2}};
    m.fmtps = {{offer_pt, "minptime=10;useinbandfec=1"}};
    m.extmaps = {{offer_level_id, std::string(sdp::audio_level_uri)}};
    if (p.publisher) add_sender(m, p);
    d.media.push_back(std::move(m));
    d.groups = {{"BUNDLE", "0"}};
    return d;
}

sdp::session_description make_answer(const sdp::session_description& offer, const local_params& p,
                                     negotiated& out) {
    auto d = session_skeleton();
    out = negotiated{};
    std::vector<std::string> bundle{"BUNDLE"};
    for (const auto& om : offer.media) {
        sdp::media_section m;
        m.kind = om.kind;
        m.protocol = om.protocol;
        m.mid = om.mid;
        const sdp::rtpmap* opus =
            om.kind == "audio" && om.port != 0 ? om.find_codec("opus", 48000) : nullptr;
        if (opus == nullptr) {
            // Rejected (RFC 8829 section 5.3.1): port 0, the offered formats.
            m.port = 0;
            m.formats = om.formats;
            m.dir = sdp::direction::inactive;
            d.media.push_back(std::move(m));
            continue;
        }
        add_transport(m, p);
        m.formats = {std::to_string(opus->payload_type)};
        m.rtpmaps = {*opus};
        for (const auto& f : om.fmtps)
            if (f.payload_type == opus->payload_type) m.fmtps.push_back(f);
        if (const auto* lvl = om.find_extmap(sdp::audio_level_uri)) m.extmaps = {*lvl};
        m.rtcp_rsize = om.rtcp_rsize;
        // We send on the first section the server receives on; we receive on
        // every section it sends on.
        const bool can_send =
            om.dir == sdp::direction::recvonly || om.dir == sdp::direction::sendrecv;
        const bool can_recv =
            om.dir == sdp::direction::sendonly || om.dir == sdp::direction::sendrecv;
        const bool send = p.publisher && can_send && !out.sending;
        m.dir = send && can_recv ? sdp::direction::sendrecv
                : send           ? sdp::direction::sendonly
                : can_recv       ? sdp::direction::recvonly
                                 : sdp::direction::inactive;
        if (send) {
            out.sending = true;
            out.payload_type = opus->payload_type;
            if (!m.extmaps.empty()) out.audio_level_id = static_cast<std::uint8_t>(m.extmaps[0].id);
            add_sender(m, p);
        }
        if (m.mid) bundle.push_back(*m.mid);
        d.media.push_back(std::move(m));
    }
    if (bundle.size() > 1) d.groups = {bundle};
    return d;
}

negotiated read_answer(const sdp::session_description& answer) {
    negotiated n;
    for (const auto& m : answer.media) {
        if (m.port == 0) continue;
        const sdp::rtpmap* opus = m.find_codec("opus", 48000);
        if (opus == nullptr) continue;
        n.payload_type = opus->payload_type;
        n.sending = m.dir == sdp::direction::recvonly || m.dir == sdp::direction::sendrecv;
        if (const auto* lvl = m.find_extmap(sdp::audio_level_uri))
            n.audio_level_id = static_cast<std::uint8_t>(lvl->id);
        break;
    }
    return n;
}

}  // namespace driftway::bench
