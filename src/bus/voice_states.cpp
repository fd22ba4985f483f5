#include "driftway/bus/voice_states.hpp"

#include "driftway/core/json.hpp"

namespace driftway::bus {

void memory_voice_states::put(const voice_state& s) {
    std::lock_guard lock(mutex_);
    by_user_.insert_or_assign(s.user_id, s);
}

void memory_voice_states::remove(std::uint64_t user_id) {
    std::lock_guard lock(mutex_);
    by_user_.erase(user_id);
}

std::optional<voice_state> memory_voice_states::of_user(std::uint64_t user_id) const {
    std::lock_guard lock(mutex_);
    const auto it = by_user_.find(user_id);
    if (it == by_user_.end()) return std::nullopt;
    return it->second;
}

// Linear scans: a node holds at most a few thousand participants, and these
// run at READY and on joins, never per packet.
std::vector<voice_state> memory_voice_states::in_space(std::uint64_t space_id) const {
    std::vector<voice_state> out;
    std::lock_guard lock(mutex_);
    for (const auto& [user, s] : by_user_)
        if (s.space_id == space_id) out.push_back(s);
    return out;
}

std::vector<voice_state> memory_voice_states::in_channel(std::uint64_t channel_id) const {
    std::vector<voice_state> out;
    std::lock_guard lock(mutex_);
    for (const auto& [user, s] : by_user_)
        if (s.channel_id == channel_id) out.push_back(s);
    return out;
}

json::object voice_state_json(const voice_state& s, bool left) {
    json::object d;
    d["user_id"] = json::id_string(s.user_id);
    d["space_id"] = s.space_id ? json::value(json::id_string(s.space_id)) : json::value(nullptr);
    d["channel_id"] = left ? json::value(nullptr) : json::value(json::id_string(s.channel_id));
    d["self_mute"] = s.self_mute;
    d["self_deaf"] = s.self_deaf;
    d["server_mute"] = s.server_mute;
    d["server_deaf"] = s.server_deaf;
    return d;
}

event_ptr make_voice_state_event(const voice_state& s, bool left) {
    auto e = std::make_shared<event>();
    // Everyone in the space sees who is in its voice channels, but only when
    // they can view that channel: the gateway filters on channel_filter.
    e->to = event::audience::space;
    e->target = s.space_id;
    e->space_id = s.space_id;
    e->channel_filter = s.channel_id;
    e->type = "VOICE_STATE_UPDATE";
    e->body = make_event_body(e->type, json::serialize(voice_state_json(s, left)));
    return e;
}

}  // namespace driftway::bus
