#pragma once
// Wire format of what the Redis implementations publish. Binary, little
// endian, length-prefixed; every frame starts with a tag and the publishing
// node's id, so a node recognises (and skips) its own frames when Redis
// echoes them back. Decoders read untrusted bytes: they never throw and never
// read past the end; a malformed frame decodes to nullopt.
#include "driftway/bus/event.hpp"
#include "driftway/bus/voice_commands.hpp"
#include "driftway/bus/voice_states.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace driftway::bus::codec {

struct event_frame {
    std::uint64_t node_id = 0;
    std::vector<event_ptr> events;
};
std::string encode_events(std::uint64_t node_id, std::span<const event_ptr> events);
std::optional<event_frame> decode_events(std::string_view bytes) noexcept;

struct command_frame {
    std::uint64_t node_id = 0;
    voice_command command;
};
std::string encode_command(std::uint64_t node_id, const voice_command& c);
std::optional<command_frame> decode_command(std::string_view bytes) noexcept;

// Voice states: puts (with the time they stay valid without a refresh) and removals.
struct states_frame {
    std::uint64_t node_id = 0;
    std::uint32_t ttl_ms = 0;
    std::vector<voice_state> put;
    std::vector<std::uint64_t> removed;
};
std::string encode_states(const states_frame& f);
std::optional<states_frame> decode_states(std::string_view bytes) noexcept;

}  // namespace driftway::bus::codec
