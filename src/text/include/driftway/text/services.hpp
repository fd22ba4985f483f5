#pragma once
// Everything the text domain's handlers need, wired once by app/.
#include "driftway/auth/api_router.hpp"
#include "driftway/auth/jwt.hpp"
#include "driftway/bus/voice_commands.hpp"
#include "driftway/bus/voice_states.hpp"
#include "driftway/core/json.hpp"
#include "driftway/core/snowflake.hpp"
#include "driftway/store/backend.hpp"
#include "driftway/store/file_store.hpp"
#include "driftway/text/directory.hpp"
#include "driftway/text/events.hpp"

#include <functional>
#include <optional>

namespace driftway::text {

// What POST /voice/{channel_id}/join hands out (config's [voice], docs/voice.md).
struct voice_settings {
    bool enabled = true;
    std::string endpoint;  // empty: ws[s]://<Host header>/voice
    bool tls = false;      // derived endpoints use wss
    std::int64_t token_ttl_seconds = 60;
    std::vector<std::string> turn_urls;
    std::string turn_secret;  // empty: no TURN credentials
    std::int64_t turn_ttl_seconds = 86400;
    // Cluster: the signaling endpoint of the voice node serving a channel
    // (consistent hashing over the registered nodes); nullopt: none is up.
    // Empty: this node's own voice service, at `endpoint`.
    std::function<boost::asio::awaitable<std::optional<std::string>>(std::uint64_t channel_id)>
        locate;
};

struct text_services {
    store::backend& db;
    directory& dir;
    event_publisher& events;
    snowflake_generator& ids;
    store::file_store& files;
    json::parse_limits limits;
    // Voice: who is in which voice channel (read here, written by the voice
    // service), moderation commands to the voice nodes, and the key that
    // signs voice tokens (the instance key; aud "voice").
    voice_settings voice;
    bus::voice_state_store& voice_states;
    bus::voice_commands& voice_commands;
    const auth::jwt_signer& voice_signer;
};

// REST routes, by area (API.md). Each file registers its own.
void add_space_routes(auth::api_router& api,
                      text_services& s);  // spaces, members, roles, bans, audit
void add_invite_routes(auth::api_router& api, text_services& s);   // invites
void add_channel_routes(auth::api_router& api, text_services& s);  // channels, overwrites, DMs
void add_message_routes(auth::api_router& api,
                        text_services& s);  // messages, reactions, pins, threads, typing, ack
void add_search_routes(auth::api_router& api, text_services& s);
void add_attachment_routes(auth::api_router& api, text_services& s);
void add_voice_routes(auth::api_router& api, text_services& s);  // POST /voice/{id}/join

// Actions shared by REST and the gateway.
// TYPING_START to the channel's viewers; 404 when the user cannot view it,
// 403 when they may not send there.
task<result<void>> start_typing(text_services& s, id_t user_id, id_t channel_id);

// Registration with an invite (instance in invite-only mode): whether the
// code is a live invite, and joining its space once the account exists.
task<bool> invite_is_valid(text_services& s, std::string code);
task<void> join_with_invite(text_services& s, id_t user_id, std::string code);

}  // namespace driftway::text
