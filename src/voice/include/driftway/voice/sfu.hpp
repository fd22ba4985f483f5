#pragma once
// The selective forwarding unit: one UDP port for every participant of every
// voice channel on this node, ICE-lite + DTLS-SRTP + BUNDLE + rtcp-mux per
// participant, and each speaker's Opus RTP forwarded to the other members of
// its channel with SSRC/sequence/timestamp rewritten, never decoded.
//
// Threading: the SFU owns one thread (its io_context). Every public member
// function is thread-safe and returns at once; work is posted to that thread.
// Callbacks in peer_events run on the SFU thread and must only hand off
// (post to the caller's own executor).
#include "driftway/core/json.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace driftway::voice {

struct sfu_options {
    std::string host = "127.0.0.1";  // UDP bind address of the media port
    std::uint16_t port = 0;          // 0: an ephemeral port
    // Addresses announced as host candidates; empty: the bind address
    // (which must then not be a wildcard).
    std::vector<std::string> announced_ips;
    // ICE consent freshness (RFC 7675): a transport with no STUN request from
    // its peer for this long is closed.
    std::chrono::milliseconds consent_timeout{15000};
    // Time allowed from join to DTLS connected.
    std::chrono::milliseconds connect_timeout{20000};
    // Speaking detection from the RFC 6464 level (-dBov, 0 loudest): a packet
    // at or below this level with the V bit (when the sender sets it) counts
    // as voice.
    int speaking_level_threshold = 60;
    // Speaking stops, and forwarding of a silent sender stops, after this long
    // without voice.
    std::chrono::milliseconds speaking_hangover{1000};
    // How often RTCP sender/receiver reports are sent per leg.
    std::chrono::milliseconds rtcp_interval{1000};
};

// A participant's mute state as the SFU enforces it.
struct mute_state {
    bool self_mute = false;
    bool self_deaf = false;
    bool server_mute = false;
    bool server_deaf = false;
    bool can_speak = true;  // the `speak` permission in the channel
};

struct join_request {
    std::uint64_t channel_id = 0;
    std::uint64_t user_id = 0;
    mute_state state;
};

// Why a peer ended (sent to the client as `leave`'s reason and in logs).
enum class end_reason {
    left,
    consent_lost,
    connect_timeout,
    dtls_failed,
    replaced,
    kicked,
    shutdown
};
std::string_view to_string(end_reason r);

// What the SFU tells the participant's signaling connection. Each call is
// one signaling message: op and its d (API.md "Voice signaling"):
// offer {sdp}, participant_joined/participant_left/state {user_id, …},
// speaking {user_id, speaking, level}, stats {participants: […]}.
struct peer_events {
    std::function<void(std::string op, json::object d)> send;
    // The transport is gone (consent lost, DTLS failure, replaced by a newer
    // join of the same user, kicked); the signaling connection should close.
    std::function<void(end_reason)> ended;
    // Mute or speaking state changed (for voice states on the main gateway).
    std::function<void(const mute_state&)> state_changed;
};

// A participant as listed in `ready`.
struct participant_info {
    std::uint64_t user_id = 0;
    std::uint32_t ssrc =
        0;  // the SSRC this participant's audio reaches the caller with (0: none yet)
    mute_state state;
    bool speaking = false;
};

class peer;

class sfu {
public:
    // Binds the UDP port and starts the media thread. Throws on bind failure.
    explicit sfu(sfu_options options);
    ~sfu();  // stops the thread, ends every peer with end_reason::shutdown
    sfu(const sfu&) = delete;
    sfu& operator=(const sfu&) = delete;

    std::uint16_t port() const;

    // Adds a participant to a channel. A previous peer of the same user on
    // this node ends with end_reason::replaced. The peer's first message is
    // an `offer` (the SFU is the offerer; the client answers); the callback
    // `ready` receives the participants already there, before that offer.
    std::shared_ptr<peer> join(join_request request, peer_events events,
                               std::function<void(std::vector<participant_info>)> ready);

    // Moderation from anywhere on the node (main gateway, REST, bus).
    void set_server_state(std::uint64_t user_id, bool server_mute, bool server_deaf);
    void set_can_speak(std::uint64_t user_id, bool can_speak);
    void disconnect(std::uint64_t user_id, end_reason why);

    // Counters for tests and /metrics.
    struct counters {
        std::uint64_t peers = 0;
        std::uint64_t connected = 0;
        std::uint64_t packets_received = 0;
        std::uint64_t packets_forwarded = 0;
        std::uint64_t packets_dropped = 0;
    };
    counters snapshot() const;

    // The engine behind the facade (src/voice/sfu/engine.hpp); opaque here.
    struct impl;

private:
    std::shared_ptr<impl> impl_;
};

// One participant's handle, held by its signaling connection.
class peer {
public:
    virtual ~peer() = default;
    virtual void on_answer(std::string sdp) = 0;
    // A client-initiated offer (ICE restart or its own renegotiation): the
    // SFU answers with `answer {sdp}`, or sends an error when it is in the
    // middle of its own offer (glare: the SFU's offer wins).
    virtual void on_offer(std::string sdp) = 0;
    virtual void on_candidate(std::string candidate) = 0;
    virtual void set_self_state(bool self_mute, bool self_deaf) = 0;
    virtual void request_stats() = 0;
    // Leaves the channel; no callback runs after this returns on the SFU thread.
    virtual void leave() = 0;
};

}  // namespace driftway::voice
