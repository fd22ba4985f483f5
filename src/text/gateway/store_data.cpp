#include "gateway/store_data.hpp"

#include "driftway/auth/account_routes.hpp"
#include "driftway/text/json_shapes.hpp"

#include <boost/json/serialize.hpp>

#include <algorithm>

namespace driftway::text::gw {

namespace {
// In place: with C++20 aggregate initialization an id would also convert to
// driftway::error, which makes the plain conversion ambiguous.
result<id_t> user_of(const auth::principal& who) {
    return {boost::system::in_place_value, who.user_id};
}
}  // namespace

task<result<id_t>> store_data::authenticate(std::string token) {
    if (auth::looks_like_api_key(token)) {
        // Keys go through the same path as X-API-Key on REST, so caching,
        // revocation and last-used bookkeeping behave the same.
        net::request req;
        req.headers.set("X-API-Key", std::move(token));
        auto who = co_await authn_.authenticate(req);
        if (!who) co_return who.error();
        if (!who->has(auth::scope::gateway))
            co_return error::forbidden("missing_scope", "the API key lacks the gateway scope");
        co_return user_of(*who);
    }
    auto who = authn_.verify_access_token(token);
    if (!who) co_return who.error();
    co_return user_of(*who);
}

task<std::optional<ready_state>> store_data::ready(id_t user_id, int large_space_threshold) {
    auto& db = services_.db;
    auto& dir = services_.dir;
    const auto user = co_await db.users().by_id(user_id);
    if (!user) co_return std::nullopt;

    ready_state out;
    out.user = auth::private_user_json(*user);
    out.status = user->status;

    for (const auto& row : co_await db.spaces().for_user(user_id)) {
        const auto snapshot = co_await dir.space(row.id);
        if (!snapshot) continue;
        const auto visible = co_await dir.visible_channels(user_id, row.id);

        ready_space sub;
        sub.id = row.id;
        json::object space = space_json(snapshot->space, snapshot->member_count);
        json::array roles;
        for (const auto& r : snapshot->roles) roles.push_back(role_json(r));
        json::array channels;
        for (const auto& a : visible) {
            if (!a.channel) continue;
            channels.push_back(text::channel_json(*a.channel));
            sub.channels.push_back(a.channel->id);
        }
        space["roles"] = std::move(roles);
        space["channels"] = std::move(channels);
        // Who is in the voice channels this user can see.
        json::array voice_states;
        for (const auto& v : services_.voice_states.in_space(row.id))
            if (std::find(sub.channels.begin(), sub.channels.end(), v.channel_id) !=
                sub.channels.end())
                voice_states.push_back(bus::voice_state_json(v));
        space["voice_states"] = std::move(voice_states);

        sub.small = snapshot->member_count <= large_space_threshold;
        if (sub.small) {
            json::array members;
            const auto rows = co_await db.members().list(row.id, 0, large_space_threshold);
            for (const auto& m : rows) {
                const auto u = co_await dir.user(m.user_id);
                members.push_back(member_json(m, u.get()));
                sub.members.push_back(m.user_id);
            }
            space["members"] = std::move(members);
        }
        out.spaces.push_back(std::move(space));
        out.subscriptions.push_back(std::move(sub));
    }

    for (const auto& c : co_await db.channels().private_channels(user_id)) {
        out.private_channels.push_back(text::channel_json(c));
        out.private_channel_ids.push_back(c.id);
    }
    for (const auto& r : co_await db.read_states().for_user(user_id))
        out.read_states.push_back(read_state_json(r));
    co_return out;
}

task<space_access> store_data::access(id_t user_id, id_t space_id) {
    space_access out;
    const auto base = co_await services_.dir.space_permissions(user_id, space_id);
    if (!base) co_return out;
    out.member = true;
    for (const auto& a : co_await services_.dir.visible_channels(user_id, space_id))
        if (a.channel) out.channels.push_back(a.channel->id);
    co_return out;
}

task<std::string> store_data::channel_json(id_t channel_id) {
    const auto c = co_await services_.dir.channel(channel_id);
    if (!c) co_return std::string();
    co_return json::serialize(text::channel_json(*c));
}

task<std::optional<member_page>> store_data::members(id_t user_id, id_t space_id, std::string query,
                                                     int limit) {
    if (!co_await services_.dir.space_permissions(user_id, space_id)) co_return std::nullopt;
    auto& repo = services_.db.members();
    const auto rows = query.empty() ? co_await repo.list(space_id, 0, limit)
                                    : co_await repo.search(space_id, std::move(query), limit);
    member_page page;
    for (const auto& m : rows) {
        const auto u = co_await services_.dir.user(m.user_id);
        page.members.push_back(member_json(m, u.get()));
        page.user_ids.push_back(m.user_id);
    }
    co_return page;
}

task<std::vector<id_t>> store_data::presence_audience(id_t user_id) {
    auto out = co_await services_.db.members().space_peers(user_id);
    for (const auto& c : co_await services_.db.channels().private_channels(user_id))
        out.insert(out.end(), c.recipients.begin(), c.recipients.end());
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    std::erase(out, user_id);
    co_return out;
}

void store_data::leave_voice(id_t user_id) {
    const auto state = services_.voice_states.of_user(user_id);
    if (!state) return;
    bus::voice_command c;
    c.what = bus::voice_command::kind::disconnect;
    c.user_id = user_id;
    c.channel_id = state->channel_id;
    services_.voice_commands.send(c);
}

task<void> store_data::typing(id_t user_id, id_t channel_id) {
    // Refusals (cannot view, may not send) are not the client's business
    // here: REST reports them; the gateway op is fire-and-forget.
    (void)co_await start_typing(services_, user_id, channel_id);
}

}  // namespace driftway::text::gw
