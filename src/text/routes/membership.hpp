#pragma once
// What the space endpoints send about a space and its members, and the events
// of joining and leaving, shared by space creation, invites, kicks, bans and
// leaving so that every path announces the same way.
#include "driftway/core/json.hpp"
#include "driftway/text/services.hpp"

namespace driftway::text::routes {

// A space as its member `user_id` sees it: space_json plus "roles" and the
// "channels" they can view (the d of SPACE_CREATE, and REST's space bodies).
// Empty when the space is gone.
task<json::object> space_payload(text_services& s, id_t user_id, id_t space_id);

// member_json with the member's public profile.
task<json::object> member_payload(text_services& s, const store::member& m);

// After a membership was stored: drops cached views, then MEMBER_ADD to the
// space and SPACE_CREATE to the newcomer.
task<void> announce_join(text_services& s, const store::member& m);

// After a membership was removed (leave, kick, ban): drops cached views, then
// MEMBER_REMOVE to the space and SPACE_DELETE to the user who left.
task<void> announce_leave(text_services& s, id_t space_id, id_t user_id);

}  // namespace driftway::text::routes
