#pragma once
// A realtime event on its way to gateway sessions. The body is serialized
// once, where the event happens, and shared by every recipient on every
// shard: `"t":"MESSAGE_CREATE","d":{…}}` — the tail of a dispatch frame whose
// head (`{"op":"dispatch","s":N,`) each session writes with its own sequence.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace driftway::bus {

struct event {
    enum class audience {
        channel,  // sessions that can view channel `target` (its space's members
                  // with view_channel there, or a DM's recipients)
        space,    // sessions of every member of space `target`
        users,    // sessions of the listed users
    };

    audience to = audience::channel;
    std::uint64_t target = 0;
    std::vector<std::uint64_t> users;  // audience::users
    std::uint64_t space_id = 0;        // the space the event belongs to (0: none)
    // With audience::space: only sessions that can view this channel (after
    // recomputing access) receive it, so private channels stay private.
    // CHANNEL_DELETE uses it too: those that could view it before.
    std::uint64_t channel_filter = 0;
    std::string type;                         // "MESSAGE_CREATE", …
    std::shared_ptr<const std::string> body;  // `"t":"…","d":{…}}`

    // Kinds of events that change who may see what; sessions recompute their
    // subscriptions after them (roles, overwrites, membership).
    bool changes_access = false;
};

using event_ptr = std::shared_ptr<const event>;

// Builds the shared body from a type and the serialized JSON of `d`.
std::shared_ptr<const std::string> make_event_body(std::string_view type,
                                                   std::string_view data_json);

}  // namespace driftway::bus
