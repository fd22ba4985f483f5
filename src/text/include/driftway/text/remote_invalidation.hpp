#pragma once
// Keeping the directory cache true across nodes. The node that changes
// access (roles, overwrites, members, channels, spaces) writes storage, calls
// directory::forget_*() and publishes an event; other nodes only see the
// event. forget_for_event() makes them forget the same entries, judged from
// the event's type and ids, before the event reaches their sessions, so the
// sessions' recomputed access and the next REST check read fresh rows.
#include "driftway/bus/event.hpp"
#include "driftway/text/directory.hpp"

#include <string_view>

namespace driftway::text {

// An event that carries no dispatch of its own, only "forget this user's
// profile" to the other nodes (PATCH /users/@me has no realtime event yet).
inline constexpr std::string_view forget_user_event = "_FORGET_USER";
bus::event_ptr make_forget_user_event(id_t user_id);

// Forgets what `e`, published by another node, says changed. Cheap for the
// hot event types (messages, typing, presence): they change nothing cached.
// Never throws; a body it cannot read makes it forget the whole space.
void forget_for_event(directory& dir, const bus::event& e) noexcept;

}  // namespace driftway::text
