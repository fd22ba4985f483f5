#pragma once
// SDP (RFC 8866) as WebRTC uses it (JSEP, RFC 8829): the session and its
// media sections with the attributes an audio SFU reads or writes. Unknown
// attributes are kept in order so a description survives a round trip.
// parse() never throws; it rejects what is not SDP with a reason.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace driftway::rtc::sdp {

enum class direction { sendrecv, sendonly, recvonly, inactive };
std::string_view to_string(direction d);
direction reverse(direction d);  // sendonly <-> recvonly

struct rtpmap {
    int payload_type = 0;
    std::string encoding;  // "opus"
    int clock_rate = 0;
    int channels = 0;  // 0 when absent
    friend bool operator==(const rtpmap&, const rtpmap&) = default;
};

struct fmtp {
    int payload_type = 0;
    std::string parameters;  // "minptime=10;useinbandfec=1"
    friend bool operator==(const fmtp&, const fmtp&) = default;
};

struct extmap {
    int id = 0;
    std::string uri;
    friend bool operator==(const extmap&, const extmap&) = default;
};

struct ssrc_attribute {
    std::uint32_t ssrc = 0;
    std::string attribute;  // "cname", "msid"
    std::string value;
    friend bool operator==(const ssrc_attribute&, const ssrc_attribute&) = default;
};

struct fingerprint {
    std::string algorithm;  // "sha-256"
    std::string value;      // "AB:CD:…" upper case
    friend bool operator==(const fingerprint&, const fingerprint&) = default;
};

struct media_section {
    std::string kind = "audio";  // m= media
    int port = 9;                // 0: rejected / removed
    std::string protocol = "UDP/TLS/RTP/SAVPF";
    std::vector<std::string> formats;           // payload types as written
    std::string connection = "IN IP4 0.0.0.0";  // c= value
    std::optional<std::string> mid;
    direction dir = direction::sendrecv;
    std::optional<std::string> ice_ufrag, ice_pwd;
    std::vector<std::string> ice_options;
    std::optional<fingerprint> fp;
    std::optional<std::string> setup;  // actpass | active | passive
    bool rtcp_mux = false;
    bool rtcp_rsize = false;
    std::vector<rtpmap> rtpmaps;
    std::vector<fmtp> fmtps;
    std::vector<std::pair<int, std::string>> rtcp_fbs;  // payload type (-1 for "*"), value
    std::vector<extmap> extmaps;
    std::vector<ssrc_attribute> ssrcs;
    std::optional<std::string> msid;
    std::vector<std::string> candidates;  // a=candidate: values (without "candidate:")
    bool end_of_candidates = false;
    std::vector<std::string> other;  // other a= lines, verbatim without "a="

    const rtpmap* find_codec(std::string_view encoding, int clock_rate) const;
    const extmap* find_extmap(std::string_view uri) const;
    friend bool operator==(const media_section&, const media_section&) = default;
};

struct session_description {
    std::string origin_username = "-";
    std::uint64_t session_id = 0;
    std::uint64_t session_version = 0;
    std::string origin_address = "IN IP4 127.0.0.1";
    std::string session_name = "-";
    bool ice_lite = false;
    std::optional<std::string> ice_ufrag, ice_pwd;  // session-level, when given there
    std::optional<fingerprint> fp;                  // session-level
    std::optional<std::string> setup;
    std::vector<std::vector<std::string>> groups;  // a=group: semantics then mids
    std::vector<std::string> msid_semantics;
    std::vector<std::string> other;
    std::vector<media_section> media;

    // The BUNDLE group's mids, empty when none.
    std::vector<std::string> bundle() const;
    friend bool operator==(const session_description&, const session_description&) = default;
};

struct parse_error {
    std::size_t line = 0;
    std::string reason;
};

struct parse_result {
    std::optional<session_description> description;
    parse_error error;  // when description is empty
};

// Accepts CRLF or LF line ends; limits: 64 KiB, 64 media sections.
parse_result parse(std::string_view text) noexcept;
// CRLF line ends, attribute order as JSEP writes them.
std::string serialize(const session_description& d);

// The ICE credentials and fingerprint that apply to a media section
// (section-level, else session-level).
std::optional<std::string> ice_ufrag_of(const session_description& d, const media_section& m);
std::optional<std::string> ice_pwd_of(const session_description& d, const media_section& m);
std::optional<fingerprint> fingerprint_of(const session_description& d, const media_section& m);
std::optional<std::string> setup_of(const session_description& d, const media_section& m);

inline constexpr std::string_view audio_level_uri = "urn:ietf:params:rtp-hdrext:ssrc-audio-level";
inline constexpr std::string_view mid_uri = "urn:ietf:params:rtp-hdrext:sdes:mid";

}  // namespace driftway::rtc::sdp
