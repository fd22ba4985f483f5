#pragma once
// What the message, reaction, pin, thread and read-state handlers share:
// loading a message or answering 404, the checks for sending, and turning
// stored messages into their JSON with author profiles from the directory.
// Functions that fail throw error_exception (see routes/common.hpp), so call
// them only inside handlers.
#include "driftway/core/json.hpp"
#include "driftway/text/directory.hpp"
#include "driftway/text/services.hpp"

#include <span>

namespace driftway::text::messages {

// The space of a channel for events (0 for direct messages).
inline id_t space_of(const channel_access& a) {
    return a.space ? a.space->space.id : 0;
}

// Messages can be written in text channels, threads and direct messages.
bool holds_messages(const store::channel& c) noexcept;

// The permission that sending needs in this channel (threads have their own).
auth::permission_set send_permission(const store::channel& c) noexcept;

// 403 communication_disabled for a timed-out member.
void require_not_timed_out(const channel_access& a);

// Everything needed to send: a channel that holds messages, not timed out,
// and the send permission.
void require_can_send(const channel_access& a);

// 404 unknown_message when the message is not in the channel.
task<store::message> load_message(text_services& s, id_t channel_id, id_t message_id, id_t viewer);

// message_json with the author's profile (a cached directory read).
task<json::object> message_payload(text_services& s, const store::message& m);
// The same for a page, looking each distinct author up once.
task<json::array> messages_payload(text_services& s, std::span<const store::message> ms);

// The copy of a message that events carry: nobody's reactions are "me".
store::message for_event(store::message m);

}  // namespace driftway::text::messages
