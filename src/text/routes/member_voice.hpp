#pragma once
// The voice side of PATCH /spaces/{id}/members/{user_id} (docs/voice.md,
// Moderation): server mute and deafen, stored on the member, and moving or
// disconnecting a member in a voice channel. The voice node that holds the
// member hears of each through bus::voice_commands.
#include "driftway/core/json.hpp"
#include "routes/common.hpp"

#include <optional>

namespace driftway::text::routes {

struct voice_patch {
    std::optional<bool> mute;
    std::optional<bool> deaf;
    bool move = false;         // "channel_id" was given
    id_t target_channel = 0;   // with move: 0 = disconnect (null)
    id_t current_channel = 0;  // the member's voice channel in this space (0: none)
};

// Reads "mute", "deaf" and "channel_id" (a channel id or null); bad values
// are recorded on `in` as field errors.
voice_patch read_voice_patch(json::object_reader& in);

// Permission and target checks before anything is stored; throws the API
// error (403 missing_permission, 400 validation_failed on channel_id).
task<void> check_voice_patch(text_services& s, const space_context& ctx, id_t target_id,
                             voice_patch& p);

// After the member row is stored: the commands to the voice node, and the
// audit entries of the change. before: the member as it was.
task<void> apply_voice_patch(text_services& s, const space_context& ctx, id_t actor_id,
                             const store::member& before, const voice_patch& p,
                             const std::string& reason);

// A member left the space (leave, kick, ban): out of its voice channel too.
void disconnect_from_space_voice(text_services& s, id_t space_id, id_t user_id);

}  // namespace driftway::text::routes
