// POST /channels/{channel_id}/messages/{message_id}/ack and
// GET /users/@me/read-states (an extension of API.md: the same read states
// READY carries, for clients that only use REST).
#include "driftway/text/json_shapes.hpp"
#include "driftway/text/services.hpp"
#include "messages/message_common.hpp"
#include "messages/message_route_groups.hpp"
#include "routes/common.hpp"

namespace driftway::text::messages {

namespace {

using namespace routes;
using auth::principal;

awaitable_response ack(text_services& s, request& req, const principal& who) {
    const auto channel_id = path_id(req, "channel_id", "channel");
    const auto message_id = path_id(req, "message_id", "message");
    co_await load_channel(s, who.user_id, channel_id);
    // No fields yet; an empty body or {} is fine, anything else is refused.
    auto body = read_body(req, s);
    json::object_reader in(body);
    in.finish().value();
    co_await load_message(s, channel_id, message_id, who.user_id);

    const auto state = co_await s.db.read_states().ack(who.user_id, channel_id, message_id);
    auto payload = read_state_json(state);
    s.events.to_users({who.user_id}, "READ_STATE_UPDATE", payload);
    co_return response::json(200, payload);
}

awaitable_response list_read_states(text_services& s, const principal& who) {
    const auto states = co_await s.db.read_states().for_user(who.user_id);
    json::array out;
    out.reserve(states.size());
    // Rows outlive access (a left space, a now-private channel): show only
    // channels the user can still view.
    for (const auto& r : states)
        if (co_await s.dir.access(who.user_id, r.channel_id)) out.push_back(read_state_json(r));
    co_return response::json(200, out);
}

}  // namespace

void add_read_state_routes(auth::api_router& api, text_services& s) {
    api.post("/api/v1/channels/{channel_id}/messages/{message_id}/ack",
             [&s](request& req, const principal& who) { return ack(s, req, who); });
    api.get("/api/v1/users/@me/read-states",
            [&s](request&, const principal& who) { return list_read_states(s, who); });
}

}  // namespace driftway::text::messages
