#include "routes/member_voice.hpp"

#include "routes/audit.hpp"

namespace driftway::text::routes {

namespace {

namespace perm = auth::perm;

// The member's voice channel when it is in this space.
id_t voice_channel_in(text_services& s, id_t space_id, id_t user_id) {
    auto state = s.voice_states.of_user(user_id);
    return state && state->space_id == space_id ? state->channel_id : 0;
}

}  // namespace

voice_patch read_voice_patch(json::object_reader& in) {
    voice_patch p;
    p.mute = in.optional_bool("mute");
    p.deaf = in.optional_bool("deaf");
    if (const json::value* v = in.optional_raw("channel_id")) {
        p.move = true;
        if (!v->is_null()) {
            auto id = v->is_string() ? json::parse_id(v->get_string()) : std::nullopt;
            if (!id)
                in.fail("channel_id", "must be a channel id or null");
            else
                p.target_channel = *id;
        }
    }
    return p;
}

task<void> check_voice_patch(text_services& s, const space_context& ctx, id_t target_id,
                             voice_patch& p) {
    if (p.mute) ctx.require(perm::mute_members);
    if (p.deaf) ctx.require(perm::deafen_members);
    if (!p.move) co_return;
    ctx.require(perm::move_members);
    p.current_channel = voice_channel_in(s, ctx.id(), target_id);
    if (!p.target_channel) co_return;  // disconnect: nothing more to check
    const store::channel* target = nullptr;
    for (const auto& ch : ctx.space->channels)
        if (ch.id == p.target_channel) target = &ch;
    if (!target) fail(error::validation("channel_id", "is not a channel of this space"));
    if (target->type != store::channel_type::voice)
        fail(error::validation("channel_id", "is not a voice channel"));
    // The member must be able to join where they are sent (timed-out members cannot).
    auto access = co_await s.dir.access(target_id, p.target_channel);
    if (!access || !access->can(perm::view_channel | perm::connect))
        fail(error::validation("channel_id", "the member may not connect to this channel"));
    if (!p.current_channel)
        fail(error::validation("channel_id", "the member is not in a voice channel"));
}

task<void> apply_voice_patch(text_services& s, const space_context& ctx, id_t actor_id,
                             const store::member& before, const voice_patch& p,
                             const std::string& reason) {
    const id_t user = before.user_id;
    const bool mute = p.mute.value_or(before.mute);
    const bool deaf = p.deaf.value_or(before.deaf);
    json::object changes;
    if (mute != before.mute) changes["mute"] = change(before.mute, mute);
    if (deaf != before.deaf) changes["deaf"] = change(before.deaf, deaf);
    if (!changes.empty()) {
        bus::voice_command c;
        c.what = bus::voice_command::kind::server_state;
        c.user_id = user;
        c.channel_id = voice_channel_in(s, ctx.id(), user);  // 0: not in voice, nothing to do
        c.server_mute = mute;
        c.server_deaf = deaf;
        s.voice_commands.send(c);
        co_await append_audit(s, {.space_id = ctx.id(),
                                  .actor_id = actor_id,
                                  .action = "member_update",
                                  .target_id = user,
                                  .changes = std::move(changes),
                                  .reason = reason});
    }
    if (!p.move || !p.current_channel || p.target_channel == p.current_channel) co_return;
    bus::voice_command c;
    c.user_id = user;
    c.channel_id = p.current_channel;
    json::object moved;
    moved["channel_id"] = change(
        json::value(json::id_string(p.current_channel)),
        p.target_channel ? json::value(json::id_string(p.target_channel)) : json::value(nullptr));
    if (p.target_channel) {
        c.what = bus::voice_command::kind::move;
        c.target_channel_id = p.target_channel;
    } else {
        c.what = bus::voice_command::kind::disconnect;
    }
    s.voice_commands.send(c);
    co_await append_audit(s, {.space_id = ctx.id(),
                              .actor_id = actor_id,
                              .action = p.target_channel ? "member_move" : "member_disconnect",
                              .target_id = user,
                              .changes = std::move(moved),
                              .reason = reason});
}

void disconnect_from_space_voice(text_services& s, id_t space_id, id_t user_id) {
    const id_t channel = voice_channel_in(s, space_id, user_id);
    if (!channel) return;
    bus::voice_command c;
    c.what = bus::voice_command::kind::disconnect;
    c.user_id = user_id;
    c.channel_id = channel;
    s.voice_commands.send(c);
}

}  // namespace driftway::text::routes
