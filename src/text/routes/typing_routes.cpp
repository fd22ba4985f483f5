// POST /channels/{channel_id}/typing, and start_typing() which the gateway's
// typing op shares.
#include "driftway/core/clock.hpp"
#include "driftway/text/services.hpp"
#include "messages/message_common.hpp"
#include "messages/message_route_groups.hpp"
#include "routes/common.hpp"

namespace driftway::text {

task<result<void>> start_typing(text_services& s, id_t user_id, id_t channel_id) {
    auto a = co_await s.dir.access(user_id, channel_id);
    if (!a) co_return error::not_found("channel");
    if (!messages::holds_messages(*a->channel))
        co_return error::bad_request(
            "invalid_channel_type", "typing happens in text channels, threads and direct messages");
    if (a->timed_out)
        co_return error::forbidden("communication_disabled",
                                   "you are timed out in this space and cannot do this yet");
    const auto need = messages::send_permission(*a->channel);
    if (!a->can(need)) co_return routes::missing_permission(need);

    json::object d;
    d["channel_id"] = json::id_string(channel_id);
    d["user_id"] = json::id_string(user_id);
    d["timestamp"] = clock::iso8601(clock::unix_ms());
    s.events.to_channel(messages::space_of(*a), channel_id, "TYPING_START", d);
    co_return result<void>{};
}

namespace messages {

namespace {

using namespace routes;
using auth::principal;

awaitable_response typing(text_services& s, request& req, const principal& who) {
    const auto channel_id = path_id(req, "channel_id", "channel");
    (co_await start_typing(s, who.user_id, channel_id)).value();
    co_return response::no_content();
}

}  // namespace

void add_typing_routes(auth::api_router& api, text_services& s) {
    api.post("/api/v1/channels/{channel_id}/typing",
             [&s](request& req, const principal& who) { return typing(s, req, who); });
}

}  // namespace messages

}  // namespace driftway::text
