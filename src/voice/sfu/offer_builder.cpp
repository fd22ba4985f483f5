// SDP offers for one participant and checks of its answers.
#include "sfu/offer_builder.hpp"

#include "driftway/core/json.hpp"
#include "driftway/rtc/sdp.hpp"

#include <algorithm>
#include <cctype>
#include <initializer_list>
#include <string>

namespace driftway::voice::detail {

namespace {

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

rtc::sdp::media_section audio_section(const offer_params& p, std::string mid,
                                      rtc::sdp::direction dir, bool rejected = false) {
    rtc::sdp::media_section m;
    m.kind = "audio";
    m.port = p.port;
    m.protocol = "UDP/TLS/RTP/SAVPF";
    m.formats = {std::to_string(opus_payload_type)};
    const std::string& first_ip = p.ips.empty() ? std::string("0.0.0.0") : p.ips.front();
    m.connection =
        std::string(first_ip.find(':') != std::string::npos ? "IN IP6 " : "IN IP4 ") + first_ip;
    m.mid = std::move(mid);
    m.dir = dir;
    if (rejected) {
        // RFC 8829 section 5.3.1: a rejected section keeps its mid, port 0.
        m.port = 0;
        m.dir = rtc::sdp::direction::inactive;
        return m;
    }
    m.ice_ufrag = p.ufrag;
    m.ice_pwd = p.pwd;
    m.fp = rtc::sdp::fingerprint{"sha-256", p.fingerprint};
    // JSEP 5.2.1: the offerer lets the answerer choose the DTLS role.
    m.setup = p.setup;
    m.rtcp_mux = true;
    m.rtcp_rsize = true;
    m.rtpmaps = {{opus_payload_type, "opus", 48000, 2}};
    m.fmtps = {{opus_payload_type, "minptime=10;useinbandfec=1;usedtx=1"}};
    if (p.audio_level_id != 0)
        m.extmaps = {{p.audio_level_id, std::string(rtc::sdp::audio_level_uri)}};
    // RFC 8445 5.1.2.1 priority of a host candidate, component 1.
    for (const auto& ip : p.ips)
        m.candidates.push_back("1 1 udp 2130706431 " + ip + " " + std::to_string(p.port) +
                               " typ host");
    m.end_of_candidates = true;
    return m;
}

// The transport one section of a client's description gives (section-level
// attributes, else session-level), checked and folded into info: with
// BUNDLE every section must describe the same one. `what` names the
// description in errors ("answer", "offer"); `setup_rule` is the error when
// its a=setup is not one of `setups`. Returns the error, empty when fine.
template <class Info>
std::string take_transport(const rtc::sdp::session_description& d, const rtc::sdp::media_section& m,
                           std::string_view what, std::initializer_list<std::string_view> setups,
                           std::string_view setup_rule, Info& info) {
    const std::string w(what);
    auto ufrag = rtc::sdp::ice_ufrag_of(d, m);
    auto pwd = rtc::sdp::ice_pwd_of(d, m);
    auto fp = rtc::sdp::fingerprint_of(d, m);
    auto setup = rtc::sdp::setup_of(d, m);
    if (!ufrag || !pwd || ufrag->empty() || pwd->empty()) return w + " lacks ICE credentials";
    if (!fp || !iequals(fp->algorithm, "sha-256") || fp->value.empty())
        return w + " lacks a sha-256 fingerprint";
    if (!setup || std::find(setups.begin(), setups.end(), *setup) == setups.end())
        return w + "'s a=setup must be " + std::string(setup_rule);
    if (info.ufrag.empty()) {
        info.ufrag = *ufrag;
        info.pwd = *pwd;
        info.fingerprint = fp->value;
        info.setup = *setup;
    } else if (*ufrag != info.ufrag || *pwd != info.pwd || !iequals(fp->value, info.fingerprint) ||
               *setup != info.setup) {
        return w + "'s media sections disagree on the transport";
    }
    return {};
}

}  // namespace

namespace {

// Offers and answers differ only in what the parameters say (role,
// directions, rejected sections).
std::string describe(const offer_params& p) {
    rtc::sdp::session_description d;
    d.origin_username = "-";
    d.session_id = p.session_id;
    d.session_version = p.version;
    d.origin_address = "IN IP4 127.0.0.1";
    d.session_name = "-";
    d.ice_lite = true;  // RFC 8445 2.5: the SFU only answers checks
    std::vector<std::string> bundle{"BUNDLE", "0"};
    for (const auto& l : p.legs) bundle.push_back(l.mid);
    d.groups.push_back(std::move(bundle));

    // mid 0: the client's microphone, which the server only receives.
    d.media.push_back(audio_section(
        p, "0", p.mic_active ? rtc::sdp::direction::recvonly : rtc::sdp::direction::inactive));
    for (const auto& l : p.legs) {
        auto m = audio_section(
            p, l.mid, l.active ? rtc::sdp::direction::sendonly : rtc::sdp::direction::inactive,
            l.rejected);
        if (l.active && !l.rejected) {
            const std::string uid = json::id_string(l.user_id);
            m.msid = uid + " " + uid + "-audio";
            m.ssrcs.push_back({l.ssrc, "cname", l.cname});
            m.ssrcs.push_back({l.ssrc, "msid", uid + " " + uid + "-audio"});
        }
        d.media.push_back(std::move(m));
    }
    return rtc::sdp::serialize(d);
}

}  // namespace

std::string build_offer(const offer_params& p) {
    return describe(p);
}

std::string build_answer(const offer_params& p) {
    return describe(p);
}

answer_check check_answer(std::string_view sdp, std::size_t expected_sections) {
    answer_check out;
    auto parsed = rtc::sdp::parse(sdp);
    if (!parsed.description) {
        out.error = "answer is not SDP: " + parsed.error.reason;
        return out;
    }
    const auto& d = *parsed.description;
    // JSEP 5.3.1: an answer has exactly the offer's m-lines, in order.
    if (d.media.size() != expected_sections) {
        out.error = "answer has " + std::to_string(d.media.size()) + " media sections, the offer " +
                    std::to_string(expected_sections);
        return out;
    }
    answer_info info;
    for (std::size_t i = 0; i < d.media.size(); ++i) {
        const auto& m = d.media[i];
        info.accepted.push_back(m.port != 0);
        if (m.port == 0) continue;
        out.error =
            take_transport(d, m, "answer", {"active", "passive"}, "active or passive", info);
        if (!out.error.empty()) return out;
    }
    if (info.ufrag.empty() || !info.accepted.front()) {
        out.error = "answer rejects the bundled transport";
        return out;
    }
    if (const auto* ext = d.media.front().find_extmap(rtc::sdp::audio_level_uri)) {
        if (ext->id >= 1 && ext->id <= 14) info.audio_level_id = ext->id;
    }
    out.info = std::move(info);
    return out;
}

}  // namespace driftway::voice::detail

namespace driftway::voice::detail {

offer_check check_offer(std::string_view sdp, const std::vector<std::string>& mids) {
    offer_check out;
    auto parsed = rtc::sdp::parse(sdp);
    if (!parsed.description) {
        out.error = "offer is not SDP: " + parsed.error.reason;
        return out;
    }
    const auto& d = *parsed.description;
    // JSEP 5.2.2: a subsequent offer keeps every m-line, in order. New ones
    // (the client adding a stream) are not taken: the server decides the
    // streams and sends them in its own offers.
    if (d.media.size() != mids.size()) {
        out.error = "offer has " + std::to_string(d.media.size()) +
                    " media sections, the session " + std::to_string(mids.size());
        return out;
    }
    offer_info info;
    for (std::size_t i = 0; i < d.media.size(); ++i) {
        const auto& m = d.media[i];
        if (m.mid.value_or("") != mids[i]) {
            out.error = "offer's media section " + std::to_string(i) + " is not mid " + mids[i];
            return out;
        }
        info.stopped.push_back(m.port == 0);
        if (m.port == 0) {
            info.accepted.push_back(false);
            continue;
        }
        info.accepted.push_back(m.dir == rtc::sdp::direction::recvonly ||
                                m.dir == rtc::sdp::direction::sendrecv);
        if (m.kind != "audio" || m.find_codec("opus", 48000) == nullptr) {
            out.error = "offer's media section " + mids[i] + " has no Opus";
            return out;
        }
        out.error = take_transport(d, m, "offer", {"actpass", "active", "passive"},
                                   "actpass, active or passive", info);
        if (!out.error.empty()) return out;
    }
    const auto& first = d.media.front();
    if (first.port == 0 || info.ufrag.empty()) {
        out.error = "offer rejects the bundled transport";
        return out;
    }
    info.mic_sends =
        first.dir == rtc::sdp::direction::sendonly || first.dir == rtc::sdp::direction::sendrecv;
    info.accepted.front() = true;
    if (const auto* ext = first.find_extmap(rtc::sdp::audio_level_uri)) {
        if (ext->id >= 1 && ext->id <= 14) info.audio_level_id = ext->id;
    }
    out.info = std::move(info);
    return out;
}

}  // namespace driftway::voice::detail
