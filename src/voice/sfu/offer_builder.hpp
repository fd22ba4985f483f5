#pragma once
// The SFU's SDP: offers it writes (JSEP, RFC 8829, as an ICE-lite BUNDLE
// offerer) and the checks it applies to the answers that come back.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace driftway::voice::detail {

inline constexpr int opus_payload_type = 111;
inline constexpr int audio_level_extension_id = 1;

struct offer_leg {
    std::string mid;
    bool active = false;  // false: a=inactive, no ssrc (a leaver's section)
    std::uint32_t ssrc = 0;
    std::string cname;
    std::uint64_t user_id = 0;
    bool rejected = false;  // answers only: port 0, the client stopped the section
};

struct offer_params {
    std::uint64_t session_id = 0;
    std::uint64_t version = 0;
    std::string ufrag, pwd, fingerprint;  // fingerprint: sha-256, SDP form
    std::vector<std::string> ips;         // host candidates
    std::uint16_t port = 0;
    std::vector<offer_leg> legs;  // after mid 0 (the client's microphone)
    // Answers to a client's offer only: our DTLS role (RFC 5763 section 5,
    // "active" or "passive"; offers say "actpass"), whether mid 0 receives
    // (inactive when the client offers no microphone) and the RFC 6464
    // extension id the client chose.
    std::string setup = "actpass";
    bool mic_active = true;
    int audio_level_id = audio_level_extension_id;
};

std::string build_offer(const offer_params& p);
// The answer to a client's offer: the server's own sections (same mids,
// SSRCs and streams as its last offer), with the given directions and role.
std::string build_answer(const offer_params& p);

// The transport parameters of an acceptable answer.
struct answer_info {
    std::string ufrag, pwd, fingerprint, setup;  // setup: active | passive
    int audio_level_id = 0;                      // 0: the client does not send levels
    std::vector<bool> accepted;                  // per m-line: port != 0
};
struct answer_check {
    std::optional<answer_info> info;
    std::string error;  // when info is empty
};
answer_check check_answer(std::string_view sdp, std::size_t expected_sections);

// A client's offer (JSEP 5.2.2, a subsequent offer): it must keep the
// session's sections, in order, with their mids (`mids`, mid 0 first); it may
// bring new ICE credentials (an ICE restart, RFC 8839 section 4.4.1.1.1) or a
// new certificate. `setup` is then actpass, active or passive.
struct offer_info {
    std::string ufrag, pwd, fingerprint, setup;
    int audio_level_id = 0;
    bool mic_sends = false;      // mid 0: the client sends (sendonly / sendrecv)
    std::vector<bool> accepted;  // per m-line: port != 0 and the client receives it
    std::vector<bool> stopped;   // per m-line: port 0
};
struct offer_check {
    std::optional<offer_info> info;
    std::string error;
};
offer_check check_offer(std::string_view sdp, const std::vector<std::string>& mids);

}  // namespace driftway::voice::detail
