#pragma once
// The signaling socket's frames, `{"op": …, "d": {…}}` (docs/voice.md):
// inbound ones parsed into typed ops, outbound ones serialized.
#include "driftway/core/json.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

namespace driftway::voice::signaling {

namespace close_code {
inline constexpr std::uint16_t unknown_op = 4001;
inline constexpr std::uint16_t decode_error = 4002;
inline constexpr std::uint16_t not_joined = 4003;
inline constexpr std::uint16_t authentication_failed = 4004;
inline constexpr std::uint16_t already_joined = 4005;
inline constexpr std::uint16_t replaced = 4006;
inline constexpr std::uint16_t disconnected = 4011;
inline constexpr std::uint16_t transport_lost = 4012;
inline constexpr std::uint16_t moved = 4013;
}  // namespace close_code

struct join_op {
    std::string token;
};
struct answer_op {
    std::string sdp;
};
struct offer_op {
    std::string sdp;
};
struct candidate_op {
    std::string candidate;
};
struct mute_op {
    bool self_mute = false;
    bool self_deaf = false;
};
struct stats_op {};
struct leave_op {};

using inbound =
    std::variant<join_op, answer_op, offer_op, candidate_op, mute_op, stats_op, leave_op>;

struct frame_error {
    std::uint16_t code;
    std::string reason;
};

// Parses one client frame; never throws.
std::variant<inbound, frame_error> parse_inbound(std::string_view text);

std::string frame(std::string_view op, json::object d);

}  // namespace driftway::voice::signaling
