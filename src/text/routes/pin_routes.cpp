// GET /channels/{channel_id}/pins, PUT|DELETE /channels/{channel_id}/pins/{message_id}
#include "driftway/text/services.hpp"
#include "messages/message_common.hpp"
#include "messages/message_route_groups.hpp"
#include "routes/audit.hpp"
#include "routes/common.hpp"

namespace driftway::text::messages {

namespace {

using namespace routes;
using auth::principal;

// As in Discord: pins are a short list of what matters, not a bookmark store.
constexpr std::size_t max_pins = 50;

awaitable_response list_pins(text_services& s, request& req, const principal& who) {
    const auto channel_id = path_id(req, "channel_id", "channel");
    auto a = co_await load_channel(s, who.user_id, channel_id);
    require(a.permissions, auth::perm::read_message_history);
    const auto pinned = co_await s.db.messages().pins(channel_id, who.user_id);
    auto payload = co_await messages_payload(s, pinned);
    co_return response::json(200, payload);
}

awaitable_response set_pin(text_services& s, request& req, const principal& who, bool pin) {
    const auto channel_id = path_id(req, "channel_id", "channel");
    const auto message_id = path_id(req, "message_id", "message");
    auto a = co_await load_channel(s, who.user_id, channel_id);
    // In a direct message every recipient may pin, as in Discord.
    if (a.space) require(a.permissions, auth::perm::manage_messages);
    const auto m = co_await load_message(s, channel_id, message_id, who.user_id);
    if (m.pinned == pin) co_return response::no_content();
    if (pin && (co_await s.db.messages().pins(channel_id, who.user_id)).size() >= max_pins)
        fail(error::bad_request("max_pins", "a channel holds at most " + std::to_string(max_pins) +
                                                " pinned messages"));

    if (!(co_await s.db.messages().set_pinned(channel_id, message_id, pin)))
        fail(error::not_found("message"));
    if (a.space) {
        json::object changes;
        changes["channel_id"] = json::id_string(channel_id);
        co_await append_audit(s, {.space_id = space_of(a),
                                  .actor_id = who.user_id,
                                  .action = pin ? "message_pin" : "message_unpin",
                                  .target_id = message_id,
                                  .changes = std::move(changes),
                                  .reason = audit_reason(req)});
    }
    json::object d;
    d["channel_id"] = json::id_string(channel_id);
    d["message_id"] = json::id_string(message_id);
    d["pinned"] = pin;
    s.events.to_channel(space_of(a), channel_id, "PIN_UPDATE", d);
    co_return response::no_content();
}

}  // namespace

void add_pin_routes(auth::api_router& api, text_services& s) {
    api.get("/api/v1/channels/{channel_id}/pins",
            [&s](request& req, const principal& who) { return list_pins(s, req, who); });
    api.put("/api/v1/channels/{channel_id}/pins/{message_id}",
            [&s](request& req, const principal& who) { return set_pin(s, req, who, true); });
    api.del("/api/v1/channels/{channel_id}/pins/{message_id}",
            [&s](request& req, const principal& who) { return set_pin(s, req, who, false); });
}

}  // namespace driftway::text::messages
