#pragma once
// Who is in which voice channel, for READY's voice_states and for the voice
// join checks. Written by the voice service as participants join, change
// their mute state and leave; read by the gateway and the REST routes. In one
// process memory_voice_states holds it; in the cluster shape a Redis
// implementation with expiry holds it, so a dead voice node's participants
// disappear.
#include "driftway/bus/event.hpp"
#include "driftway/core/json.hpp"

#include <cstdint>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <vector>

namespace driftway::bus {

struct voice_state {
    std::uint64_t user_id = 0;
    std::uint64_t space_id = 0;  // 0 for a DM call
    std::uint64_t channel_id = 0;
    bool self_mute = false;
    bool self_deaf = false;
    bool server_mute = false;
    bool server_deaf = false;
    bool speaking = false;
    friend bool operator==(const voice_state&, const voice_state&) = default;
};

class voice_state_store {
public:
    virtual ~voice_state_store() = default;
    // Thread-safe. A user is in at most one voice channel: put replaces.
    virtual void put(const voice_state& s) = 0;
    virtual void remove(std::uint64_t user_id) = 0;
    virtual std::optional<voice_state> of_user(std::uint64_t user_id) const = 0;
    virtual std::vector<voice_state> in_space(std::uint64_t space_id) const = 0;
    virtual std::vector<voice_state> in_channel(std::uint64_t channel_id) const = 0;
};

class memory_voice_states final : public voice_state_store {
public:
    void put(const voice_state& s) override;
    void remove(std::uint64_t user_id) override;
    std::optional<voice_state> of_user(std::uint64_t user_id) const override;
    std::vector<voice_state> in_space(std::uint64_t space_id) const override;
    std::vector<voice_state> in_channel(std::uint64_t channel_id) const override;

private:
    mutable std::mutex mutex_;
    std::unordered_map<std::uint64_t, voice_state> by_user_;
};

// The `d` of VOICE_STATE_UPDATE: {user_id, space_id, channel_id (null when
// left), self_mute, self_deaf, server_mute, server_deaf}, ids as strings. The
// same shape is each entry of READY's spaces[].voice_states.
json::object voice_state_json(const voice_state& s, bool left = false);

// VOICE_STATE_UPDATE for the space's sessions that can view the channel
// (audience space, channel_filter the channel). The voice service publishes
// it on the event bus when a participant joins, changes state or leaves.
event_ptr make_voice_state_event(const voice_state& s, bool left);

}  // namespace driftway::bus
