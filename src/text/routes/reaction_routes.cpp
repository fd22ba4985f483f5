// PUT|DELETE /channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me
//
// Reactions are unicode emoji, percent-encoded in the path (the router
// decodes each segment). Adding twice or removing what is not there is no
// error and sends no event.
#include "driftway/text/services.hpp"
#include "messages/message_common.hpp"
#include "messages/message_route_groups.hpp"
#include "messages/names.hpp"
#include "routes/common.hpp"

namespace driftway::text::messages {

namespace {

using namespace routes;
using auth::principal;

std::string path_emoji(const request& req) {
    std::string emoji(req.param("emoji"));
    if (!valid_reaction_emoji(emoji))
        fail(error::validation("emoji", "must be a unicode emoji (1 to 32 bytes of UTF-8)"));
    return emoji;
}

json::object reaction_event(id_t channel_id, id_t message_id, id_t user_id,
                            const std::string& emoji) {
    json::object d;
    d["channel_id"] = json::id_string(channel_id);
    d["message_id"] = json::id_string(message_id);
    d["user_id"] = json::id_string(user_id);
    d["emoji"] = emoji;
    return d;
}

awaitable_response react(text_services& s, request& req, const principal& who, bool add) {
    const auto channel_id = path_id(req, "channel_id", "channel");
    const auto message_id = path_id(req, "message_id", "message");
    auto a = co_await load_channel(s, who.user_id, channel_id);
    auto emoji = path_emoji(req);
    if (add) {
        require_not_timed_out(a);
        require(a.permissions, auth::perm::add_reactions | auth::perm::read_message_history);
    }

    auto& repo = s.db.messages();
    bool changed = false;
    if (add)
        changed = co_await repo.add_reaction(channel_id, message_id, who.user_id, emoji);
    else
        changed = co_await repo.remove_reaction(channel_id, message_id, who.user_id, emoji);
    if (!changed) {
        // Nothing changed: already so, or no such message. Only this rarer
        // path pays for telling the two apart.
        co_await load_message(s, channel_id, message_id, who.user_id);
        co_return response::no_content();
    }
    s.events.to_channel(space_of(a), channel_id, add ? "REACTION_ADD" : "REACTION_REMOVE",
                        reaction_event(channel_id, message_id, who.user_id, emoji));
    co_return response::no_content();
}

}  // namespace

void add_reaction_routes(auth::api_router& api, text_services& s) {
    const std::string path =
        "/api/v1/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me";
    api.put(path, [&s](request& req, const principal& who) { return react(s, req, who, true); });
    api.del(path, [&s](request& req, const principal& who) { return react(s, req, who, false); });
}

}  // namespace driftway::text::messages
