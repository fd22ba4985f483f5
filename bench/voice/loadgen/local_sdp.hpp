#pragma once
// The load client's own session descriptions: an audio offer (publishers
// offering to Janus) and answers to any audio offer (Driftway's SFU, Janus's
// subscriber offers). One BUNDLE transport, our one host candidate, DTLS
// setup:active, Opus, the RFC 6464 audio level extension.
#include <driftway/rtc/sdp.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace driftway::bench {

struct local_params {
    std::string ufrag, pwd;
    std::string fingerprint;  // sha-256, "AB:CD:…"
    std::uint16_t port = 0;   // our socket's port on 127.0.0.1
    std::uint32_t ssrc = 0;   // what we send on, when we publish
    bool publisher = false;
};

// What the description exchange settled, for the media side.
struct negotiated {
    int payload_type = 111;
    std::optional<std::uint8_t> audio_level_id;  // when both sides have it
    bool sending = false;                        // a section we send on exists
};

rtc::sdp::session_description make_offer(const local_params& p);
// Answers every audio section offering Opus; rejects the rest (port 0).
rtc::sdp::session_description make_answer(const rtc::sdp::session_description& offer,
                                          const local_params& p, negotiated& out);
// Reads what the remote answer accepted of our offer.
negotiated read_answer(const rtc::sdp::session_description& answer);

}  // namespace driftway::bench
