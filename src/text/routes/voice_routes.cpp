// POST /voice/{channel_id}/join: the ticket to a voice channel (docs/voice.md
// step 1). The caller gets the signaling endpoint, a short-lived voice token
// carrying their permissions in the channel and their server mute/deafen, and
// TURN credentials when the instance has a TURN server.
#include "driftway/auth/voice_token.hpp"
#include "driftway/core/clock.hpp"
#include "driftway/text/services.hpp"
#include "routes/common.hpp"

namespace driftway::text {

namespace {

using namespace routes;
using auth::principal;
namespace perm = auth::perm;

// The Host header, when it is a plain host[:port] we may echo into a URL.
std::optional<std::string> usable_host(const request& req) {
    auto h = req.header("Host");
    if (!h || h->empty() || h->size() > 255) return std::nullopt;
    for (char c : *h) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '.' || c == '-' || c == ':' || c == '[' ||
                        c == ']';
        if (!ok) return std::nullopt;
    }
    return std::string(*h);
}

std::string endpoint_for(const text_services& s, const request& req) {
    if (!s.voice.endpoint.empty()) return s.voice.endpoint;
    const auto host = usable_host(req);
    if (!host)
        fail(
            error::bad_request("bad_host", "the Host header is needed to name the voice endpoint"));
    return (s.voice.tls ? "wss://" : "ws://") + *host + "/voice";
}

awaitable_response join_voice(text_services& s, request& req, const principal& who) {
    // API keys need "gateway" or "write"; user tokens hold every scope.
    if (!who.has(auth::scope::gateway) && !who.has(auth::scope::write))
        fail(error::forbidden("missing_scope", "the API key lacks the scope 'gateway' or 'write'"));
    if (!s.voice.enabled)
        fail(error::unavailable("voice_disabled", "voice is not enabled on this instance"));
    const id_t channel_id = path_id(req, "channel_id", "channel");
    auto a = co_await load_channel(s, who.user_id, channel_id);
    if (a.channel->type != store::channel_type::voice)
        fail(error::bad_request("not_a_voice_channel", "this channel is not a voice channel"));
    // Timed-out members hold only timed_out_allowed (no connect) in a.permissions.
    require(a.permissions, perm::view_channel | perm::connect);

    const id_t space_id = a.space ? a.space->space.id : 0;
    bool mute = false;
    bool deaf = false;
    if (space_id) {
        auto m = co_await s.dir.member(space_id, who.user_id);
        if (m) {
            mute = m->mute;
            deaf = m->deaf;
        }
    }

    const auto now = clock::unix_seconds();
    auth::voice_grant g;
    g.user_id = who.user_id;
    g.channel_id = channel_id;
    g.space_id = space_id;
    g.perms = a.permissions;
    g.expires_at = now + s.voice.token_ttl_seconds;
    g.server_mute = mute;
    g.server_deaf = deaf;

    json::object out;
    if (s.voice.locate) {
        // Cluster: every text node sends the channel to the same voice node.
        auto endpoint = co_await s.voice.locate(channel_id);
        if (!endpoint)
            fail(error::unavailable("voice_unavailable", "no voice node is available right now"));
        out["endpoint"] = std::move(*endpoint);
    } else {
        out["endpoint"] = endpoint_for(s, req);
    }
    out["token"] = auth::sign_voice_token(s.voice_signer, g);
    out["channel_id"] = json::id_string(channel_id);
    out["space_id"] = space_id ? json::value(json::id_string(space_id)) : json::value(nullptr);
    if (!s.voice.turn_secret.empty()) {
        auto t = auth::make_turn_credentials(s.voice.turn_secret, s.voice.turn_urls, who.user_id,
                                             s.voice.turn_ttl_seconds, now);
        json::array urls;
        for (auto& u : t.urls) urls.emplace_back(std::move(u));
        out["turn"] = json::object{{"urls", std::move(urls)},
                                   {"username", std::move(t.username)},
                                   {"credential", std::move(t.credential)},
                                   {"ttl", t.ttl}};
    }
    co_return response::json(200, out);
}

}  // namespace

void add_voice_routes(auth::api_router& api, text_services& s) {
    // Scope read at the router; the handler asks for gateway or write.
    api.add(net::method::post, "/api/v1/voice/{channel_id}/join",
            {auth::access::user_or_key, auth::scope::read, {}, {}},
            [&s](request& req, const principal& who) { return join_voice(s, req, who); });
}

}  // namespace driftway::text
