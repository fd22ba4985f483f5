// SDP (RFC 8866) for WebRTC audio: a line-by-line parser that keeps what it
// does not interpret, and a serializer in JSEP's attribute order (RFC 8829
// section 5.2.1). parse() reports the first bad line and never throws.
#include "driftway/rtc/sdp.hpp"

#include <algorithm>
#include <charconv>
#include <new>

namespace driftway::rtc::sdp {
namespace {

constexpr std::size_t max_size = 64 * 1024;
constexpr std::size_t max_media = 64;

template <typename T>
bool to_number(std::string_view s, T& out) noexcept {
    if (s.empty()) return false;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc{} && end == s.data() + s.size();
}

// Splits on runs of spaces (SDP separates fields by one space; tolerate more).
std::vector<std::string_view> split(std::string_view s, std::size_t max_parts = 0) {
    std::vector<std::string_view> out;
    std::size_t pos = 0;
    while (pos < s.size()) {
        while (pos < s.size() && s[pos] == ' ') ++pos;
        if (pos == s.size()) break;
        if (max_parts != 0 && out.size() + 1 == max_parts) {
            out.push_back(s.substr(pos));
            break;
        }
        const std::size_t end = std::min(s.find(' ', pos), s.size());
        out.push_back(s.substr(pos, end - pos));
        pos = end;
    }
    return out;
}

bool iequals(std::string_view a, std::string_view b) noexcept {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; };
               return lower(x) == lower(y);
           });
}

std::string join(const std::vector<std::string>& parts) {
    std::string s;
    for (const auto& p : parts) {
        if (!s.empty()) s += ' ';
        s += p;
    }
    return s;
}

std::optional<direction> direction_of(std::string_view a) noexcept {
    if (a == "sendrecv") return direction::sendrecv;
    if (a == "sendonly") return direction::sendonly;
    if (a == "recvonly") return direction::recvonly;
    if (a == "inactive") return direction::inactive;
    return std::nullopt;
}

// The attributes both levels share. True when `name` was one of them.
// Sets `bad` on a malformed value.
bool shared_attribute(std::string_view name, std::string_view value,
                      std::optional<std::string>& ufrag, std::optional<std::string>& pwd,
                      std::optional<fingerprint>& fp, std::optional<std::string>& setup,
                      bool& bad) {
    if (name == "ice-ufrag") {
        ufrag = std::string(value);
    } else if (name == "ice-pwd") {
        pwd = std::string(value);
    } else if (name == "setup") {
        setup = std::string(value);
    } else if (name == "fingerprint") {
        const auto parts = split(value);
        if (parts.size() != 2) {
            bad = true;
            return true;
        }
        fp = fingerprint{std::string(parts[0]), std::string(parts[1])};
    } else {
        return false;
    }
    return true;
}

// One media-level a= line. Returns an error reason, empty when fine.
std::string_view media_attribute(media_section& m, std::string_view line, std::string_view name,
                                 std::string_view value, bool has_value) {
    bool bad = false;
    if (shared_attribute(name, value, m.ice_ufrag, m.ice_pwd, m.fp, m.setup, bad))
        return bad ? "bad a=fingerprint" : "";
    if (auto d = direction_of(name); d && !has_value) {
        m.dir = *d;
    } else if (name == "mid") {
        m.mid = std::string(value);
    } else if (name == "ice-options") {
        for (auto o : split(value)) m.ice_options.emplace_back(o);
    } else if (name == "rtcp-mux" && !has_value) {
        m.rtcp_mux = true;
    } else if (name == "rtcp-rsize" && !has_value) {
        m.rtcp_rsize = true;
    } else if (name == "rtpmap") {
        // <payload type> <encoding name>/<clock rate>[/<channels>]
        const auto parts = split(value, 2);
        rtpmap r;
        if (parts.size() != 2 || !to_number(parts[0], r.payload_type)) return "bad a=rtpmap";
        const std::string_view enc = parts[1];
        const auto s1 = enc.find('/');
        if (s1 == std::string_view::npos || s1 == 0) return "bad a=rtpmap";
        const auto s2 = enc.find('/', s1 + 1);
        const auto rate = enc.substr(s1 + 1, s2 == std::string_view::npos ? enc.npos : s2 - s1 - 1);
        if (!to_number(rate, r.clock_rate)) return "bad a=rtpmap";
        if (s2 != std::string_view::npos && !to_number(enc.substr(s2 + 1), r.channels))
            return "bad a=rtpmap";
        r.encoding = std::string(enc.substr(0, s1));
        m.rtpmaps.push_back(std::move(r));
    } else if (name == "fmtp") {
        const auto parts = split(value, 2);
        fmtp f;
        if (parts.empty() || !to_number(parts[0], f.payload_type)) return "bad a=fmtp";
        if (parts.size() == 2) f.parameters = std::string(parts[1]);
        m.fmtps.push_back(std::move(f));
    } else if (name == "rtcp-fb") {
        const auto parts = split(value, 2);
        int pt = -1;
        if (parts.size() != 2 || (parts[0] != "*" && !to_number(parts[0], pt)))
            return "bad a=rtcp-fb";
        m.rtcp_fbs.emplace_back(pt, std::string(parts[1]));
    } else if (name == "extmap") {
        // <id>[/<direction>] <uri> [<attributes>]: only the plain form is
        // interpreted; the others are kept verbatim.
        const auto parts = split(value);
        extmap e;
        if (parts.size() < 2) return "bad a=extmap";
        if (parts.size() == 2 && to_number(parts[0], e.id)) {
            if (e.id < 1 || e.id > 255) return "bad a=extmap";
            e.uri = std::string(parts[1]);
            m.extmaps.push_back(std::move(e));
        } else {
            m.other.emplace_back(line);
        }
    } else if (name == "ssrc") {
        // <ssrc> <attribute>[:<value>]
        const auto parts = split(value, 2);
        ssrc_attribute s;
        if (parts.size() != 2 || !to_number(parts[0], s.ssrc)) return "bad a=ssrc";
        const auto colon = parts[1].find(':');
        s.attribute = std::string(parts[1].substr(0, colon));
        if (colon != std::string_view::npos) s.value = std::string(parts[1].substr(colon + 1));
        m.ssrcs.push_back(std::move(s));
    } else if (name == "msid") {
        m.msid = std::string(value);
    } else if (name == "candidate") {
        m.candidates.emplace_back(value);
    } else if (name == "end-of-candidates" && !has_value) {
        m.end_of_candidates = true;
    } else {
        m.other.emplace_back(line);
    }
    return "";
}

std::string_view session_attribute(session_description& d, std::string_view line,
                                   std::string_view name, std::string_view value, bool has_value) {
    bool bad = false;
    if (shared_attribute(name, value, d.ice_ufrag, d.ice_pwd, d.fp, d.setup, bad))
        return bad ? "bad a=fingerprint" : "";
    if (name == "ice-lite" && !has_value) {
        d.ice_lite = true;
    } else if (name == "group") {
        std::vector<std::string> g;
        for (auto p : split(value)) g.emplace_back(p);
        if (g.empty()) return "bad a=group";
        d.groups.push_back(std::move(g));
    } else if (name == "msid-semantic") {
        for (auto p : split(value)) d.msid_semantics.emplace_back(p);
    } else {
        d.other.emplace_back(line);
    }
    return "";
}

parse_result fail(std::size_t line, std::string reason) {
    parse_result r;
    r.error = {line, std::move(reason)};
    return r;
}

parse_result parse_lines(std::string_view text) {
    if (text.size() > max_size) return fail(0, "description larger than 64 KiB");
    session_description d;
    media_section* m = nullptr;
    std::size_t number = 0;
    std::size_t pos = 0;
    bool seen_version = false;
    while (pos < text.size()) {
        const std::size_t nl = std::min(text.find('\n', pos), text.size());
        std::string_view line = text.substr(pos, nl - pos);
        pos = nl + 1;
        ++number;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.empty()) continue;  // tolerated, e.g. after the last CRLF
        if (line.size() < 2 || line[1] != '=' || line[0] < 'a' || line[0] > 'z')
            return fail(number, "not a <type>=<value> line");
        const char type = line[0];
        const std::string_view value = line.substr(2);
        if (!seen_version) {
            if (line != "v=0") return fail(number, "the first line must be v=0");
            seen_version = true;
            continue;
        }
        switch (type) {
            case 'o': {
                // <username> <sess-id> <sess-version> <nettype> <addrtype> <address>
                const auto p = split(value);
                if (p.size() != 6 || !to_number(p[1], d.session_id) ||
                    !to_number(p[2], d.session_version))
                    return fail(number, "bad o= line");
                d.origin_username = std::string(p[0]);
                d.origin_address =
                    std::string(p[3]) + ' ' + std::string(p[4]) + ' ' + std::string(p[5]);
                break;
            }
            case 's':
                d.session_name = std::string(value);
                break;
            case 'm': {
                // <media> <port>[/<count>] <proto> <fmt> ...
                const auto p = split(value);
                if (p.size() < 4) return fail(number, "bad m= line");
                media_section s;
                std::string_view port = p[1].substr(0, p[1].find('/'));
                if (!to_number(port, s.port) || s.port < 0 || s.port > 65535)
                    return fail(number, "bad m= port");
                if (d.media.size() == max_media) return fail(number, "more than 64 media sections");
                s.kind = std::string(p[0]);
                s.protocol = std::string(p[2]);
                s.formats.assign(p.begin() + 3, p.end());
                d.media.push_back(std::move(s));
                m = &d.media.back();
                break;
            }
            case 'c':
                if (m) m->connection = std::string(value);
                break;
            case 'a': {
                const auto colon = value.find(':');
                const std::string_view name = value.substr(0, colon);
                const bool has_value = colon != std::string_view::npos;
                const std::string_view v = has_value ? value.substr(colon + 1) : std::string_view{};
                const std::string_view reason = m ? media_attribute(*m, value, name, v, has_value)
                                                  : session_attribute(d, value, name, v, has_value);
                if (!reason.empty()) return fail(number, std::string(reason));
                break;
            }
            default:
                break;  // t=, b=, i=, …: not needed by WebRTC audio
        }
    }
    if (!seen_version) return fail(number, "no v= line");
    parse_result r;
    r.description = std::move(d);
    return r;
}

}  // namespace

std::string_view to_string(direction d) {
    switch (d) {
        case direction::sendonly:
            return "sendonly";
        case direction::recvonly:
            return "recvonly";
        case direction::inactive:
            return "inactive";
        case direction::sendrecv:
            break;
    }
    return "sendrecv";
}

direction reverse(direction d) {
    if (d == direction::sendonly) return direction::recvonly;
    if (d == direction::recvonly) return direction::sendonly;
    return d;
}

const rtpmap* media_section::find_codec(std::string_view encoding, int clock_rate) const {
    for (const auto& r : rtpmaps)
        if (iequals(r.encoding, encoding) && r.clock_rate == clock_rate) return &r;
    return nullptr;
}

const extmap* media_section::find_extmap(std::string_view uri) const {
    for (const auto& e : extmaps)
        if (e.uri == uri) return &e;
    return nullptr;
}

std::vector<std::string> session_description::bundle() const {
    for (const auto& g : groups)
        if (!g.empty() && g[0] == "BUNDLE") return {g.begin() + 1, g.end()};
    return {};
}

parse_result parse(std::string_view text) noexcept {
    try {
        return parse_lines(text);
    } catch (const std::bad_alloc&) {
        // The only exception the parser can meet; the input is bounded, so
        // this means the process is out of memory, not a hostile input.
        parse_result r;
        r.error = {0, "out of memory"};
        return r;
    }
}

std::string serialize(const session_description& d) {
    std::string s;
    auto line = [&s](std::string_view a, std::string_view b = {}, std::string_view c = {}) {
        s.append(a).append(b).append(c).append("\r\n");
    };
    line("v=0");
    line("o=", d.origin_username + ' ' + std::to_string(d.session_id) + ' ' +
                   std::to_string(d.session_version) + ' ' + d.origin_address);
    line("s=", d.session_name);
    line("t=0 0");
    if (d.ice_lite) line("a=ice-lite");
    if (d.ice_ufrag) line("a=ice-ufrag:", *d.ice_ufrag);
    if (d.ice_pwd) line("a=ice-pwd:", *d.ice_pwd);
    if (d.fp) line("a=fingerprint:", d.fp->algorithm + ' ' + d.fp->value);
    if (d.setup) line("a=setup:", *d.setup);
    for (const auto& g : d.groups) line("a=group:", join(g));
    if (!d.msid_semantics.empty()) line("a=msid-semantic:", join(d.msid_semantics));
    for (const auto& o : d.other) line("a=", o);

    for (const auto& m : d.media) {
        line("m=", m.kind + ' ' + std::to_string(m.port) + ' ' + m.protocol,
             m.formats.empty() ? std::string() : ' ' + join(m.formats));
        line("c=", m.connection);
        if (m.mid) line("a=mid:", *m.mid);
        if (m.ice_ufrag) line("a=ice-ufrag:", *m.ice_ufrag);
        if (m.ice_pwd) line("a=ice-pwd:", *m.ice_pwd);
        if (!m.ice_options.empty()) line("a=ice-options:", join(m.ice_options));
        if (m.fp) line("a=fingerprint:", m.fp->algorithm + ' ' + m.fp->value);
        if (m.setup) line("a=setup:", *m.setup);
        line("a=", to_string(m.dir));
        if (m.rtcp_mux) line("a=rtcp-mux");
        if (m.rtcp_rsize) line("a=rtcp-rsize");
        // Codec by codec: rtpmap, fmtp, rtcp-fb; then those naming a payload
        // type without an rtpmap (static types, "*").
        auto codec_lines = [&](int pt) {
            for (const auto& f : m.fmtps)
                if (f.payload_type == pt)
                    line("a=fmtp:", std::to_string(pt) + (f.parameters.empty() ? "" : " "),
                         f.parameters);
            for (const auto& [fb_pt, fb] : m.rtcp_fbs)
                if (fb_pt == pt) line("a=rtcp-fb:", (pt < 0 ? "*" : std::to_string(pt)) + ' ', fb);
        };
        std::vector<int> done;
        for (const auto& r : m.rtpmaps) {
            line("a=rtpmap:", std::to_string(r.payload_type) + ' ' + r.encoding + '/',
                 std::to_string(r.clock_rate) +
                     (r.channels ? '/' + std::to_string(r.channels) : std::string()));
            if (std::find(done.begin(), done.end(), r.payload_type) != done.end()) continue;
            done.push_back(r.payload_type);
            codec_lines(r.payload_type);
        }
        std::vector<int> rest;
        for (const auto& f : m.fmtps) rest.push_back(f.payload_type);
        for (const auto& fb : m.rtcp_fbs) rest.push_back(fb.first);
        for (int pt : rest) {
            if (std::find(done.begin(), done.end(), pt) != done.end()) continue;
            done.push_back(pt);
            codec_lines(pt);
        }
        for (const auto& e : m.extmaps) line("a=extmap:", std::to_string(e.id) + ' ', e.uri);
        if (m.msid) line("a=msid:", *m.msid);
        for (const auto& a : m.ssrcs)
            line("a=ssrc:", std::to_string(a.ssrc) + ' ' + a.attribute,
                 a.value.empty() ? std::string() : ':' + a.value);
        for (const auto& c : m.candidates) line("a=candidate:", c);
        if (m.end_of_candidates) line("a=end-of-candidates");
        for (const auto& o : m.other) line("a=", o);
    }
    return s;
}

std::optional<std::string> ice_ufrag_of(const session_description& d, const media_section& m) {
    return m.ice_ufrag ? m.ice_ufrag : d.ice_ufrag;
}

std::optional<std::string> ice_pwd_of(const session_description& d, const media_section& m) {
    return m.ice_pwd ? m.ice_pwd : d.ice_pwd;
}

std::optional<fingerprint> fingerprint_of(const session_description& d, const media_section& m) {
    return m.fp ? m.fp : d.fp;
}

std::optional<std::string> setup_of(const session_description& d, const media_section& m) {
    return m.setup ? m.setup : d.setup;
}

}  // namespace driftway::rtc::sdp
