#pragma once
// The gateway's wire format (docs/gateway.md): every frame is a JSON object
// {"op": string, "d": object, "s"?: int, "t"?: string}. Inbound frames are
// parsed into one struct per op without ever throwing; outbound frames other
// than dispatches are small and built here.
#include "driftway/store/models.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace driftway::text::gw {

using store::id_t;

// Close codes of the gateway protocol (application range 4000-4999 of
// RFC 6455 section 7.4.2).
namespace close_code {
inline constexpr std::uint16_t unknown_error = 4000;
inline constexpr std::uint16_t unknown_op = 4001;
inline constexpr std::uint16_t decode_error = 4002;
inline constexpr std::uint16_t not_authenticated = 4003;
inline constexpr std::uint16_t authentication_failed = 4004;
inline constexpr std::uint16_t already_authenticated = 4005;
inline constexpr std::uint16_t invalid_seq = 4007;
inline constexpr std::uint16_t rate_limited = 4008;
inline constexpr std::uint16_t session_timed_out = 4009;
inline constexpr std::uint16_t slow_consumer = 4010;
}  // namespace close_code

// A chosen presence status; `invisible` is shown to others as offline.
enum class presence_status : std::uint8_t { online, idle, dnd, invisible };
std::optional<presence_status> parse_presence(std::string_view text) noexcept;
std::string_view to_string(presence_status s) noexcept;

struct identify_op {
    std::string token;
};
struct resume_op {
    std::string token;
    std::string session_id;
    std::uint64_t seq = 0;
};
struct heartbeat_op {
    std::optional<std::uint64_t> seq;  // the last s the client received
};
struct typing_op {
    id_t channel_id = 0;
};
struct presence_op {
    presence_status status = presence_status::online;
};
struct request_members_op {
    id_t space_id = 0;
    std::string query;  // prefix of username, display name or nick; empty: all
    int limit = 100;
};
// {channel_id: null, …}: leave voice. Joining goes through REST
// (POST /voice/{id}/join) and the voice endpoint, and self mute/deaf through
// the voice signaling socket, so any other d is accepted and ignored.
struct voice_state_op {
    bool leave = false;
};

using inbound = std::variant<identify_op, resume_op, heartbeat_op, typing_op, presence_op,
                             request_members_op, voice_state_op>;

struct frame_error {
    std::uint16_t code = close_code::decode_error;
    std::string reason;  // short: it goes into the close frame (at most 123 bytes)
};

inline constexpr std::size_t max_token_bytes = 4096;
inline constexpr std::size_t max_query_chars = 100;
inline constexpr int max_member_limit = 1000;

// Parses one inbound text message. Never throws: bad JSON or a bad shape of
// a known op is decode_error, an op nobody knows is unknown_op.
std::variant<inbound, frame_error> parse_inbound(std::string_view text) noexcept;

// Outbound frames that are not dispatches.
std::string hello_frame(std::int64_t heartbeat_interval_ms);
std::string heartbeat_ack_frame();
std::string invalid_session_frame();
std::string reconnect_frame();

// The per-recipient head of a dispatch, `{"op":"dispatch","s":N,`, written
// into buf; followed by the event's shared body it forms the frame.
inline constexpr std::size_t dispatch_head_capacity = 48;
std::string_view dispatch_head(std::uint64_t seq, char (&buf)[dispatch_head_capacity]) noexcept;

}  // namespace driftway::text::gw
