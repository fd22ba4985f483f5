// GET /search?q=&space_id=&channel_id=&author_id=&before=&limit=
//
// Full-text search over the messages the caller may read: the channels are
// worked out here from the directory (view_channel and read_message_history),
// and storage searches only those, so a result can never come from a channel
// the caller cannot open.
#include "driftway/text/json_shapes.hpp"
#include "driftway/text/services.hpp"
#include "messages/message_common.hpp"
#include "routes/common.hpp"

#include <unordered_map>

namespace driftway::text {

namespace {

using namespace routes;
using auth::principal;

constexpr std::size_t max_query_length = 200;
constexpr int default_limit = 25;
constexpr int max_limit = 50;

std::string read_query(const request& req) {
    auto q = req.query_param("q");
    std::string_view text = q ? std::string_view(*q) : std::string_view{};
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
    if (text.empty()) fail(error::validation("q", "is required"));
    if (!json::valid_utf8(text)) fail(error::validation("q", "must be UTF-8 text"));
    if (json::utf8_length(text) > max_query_length)
        fail(error::validation(
            "q", "must be at most " + std::to_string(max_query_length) + " characters"));
    return std::string(text);
}

void add_readable(std::vector<id_t>& out, const std::vector<channel_access>& visible) {
    for (const auto& a : visible)
        if (a.can(auth::perm::read_message_history) && messages::holds_messages(*a.channel))
            out.push_back(a.channel->id);
}

// The channels to search: one channel, one space's, or everything the
// caller belongs to (every space and their direct messages).
task<std::vector<id_t>> searchable_channels(text_services& s, id_t user_id, id_t space_id,
                                            id_t channel_id) {
    std::vector<id_t> out;
    if (channel_id != 0) {
        auto a = co_await s.dir.access(user_id, channel_id);
        if (!a || !a->can(auth::perm::read_message_history) ||
            (space_id != 0 && messages::space_of(*a) != space_id))
            fail(error::not_found("channel"));
        out.push_back(channel_id);
        co_return out;
    }
    if (space_id != 0) {
        if (!(co_await s.dir.member(space_id, user_id))) fail(error::not_found("space"));
        const auto visible = co_await s.dir.visible_channels(user_id, space_id);
        add_readable(out, visible);
        co_return out;
    }
    const auto spaces = co_await s.db.spaces().for_user(user_id);
    for (const auto& sp : spaces) {
        const auto visible = co_await s.dir.visible_channels(user_id, sp.id);
        add_readable(out, visible);
    }
    const auto dms = co_await s.db.channels().private_channels(user_id);
    for (const auto& dm : dms) out.push_back(dm.id);
    co_return out;
}

awaitable_response search(text_services& s, request& req, const principal& who) {
    auto q = read_query(req);
    const auto space_id = query_id(req, "space_id");
    const auto channel_id = query_id(req, "channel_id");
    const auto author_id = query_id(req, "author_id");
    const auto before = query_id(req, "before");
    const auto limit = query_int(req, "limit", 1, max_limit, default_limit);

    auto channels = co_await searchable_channels(s, who.user_id, space_id, channel_id);
    std::vector<store::search_hit> hits;
    if (!channels.empty())
        hits = co_await s.db.messages().search(std::move(q), std::move(channels), author_id, before,
                                               limit, who.user_id);

    std::unordered_map<id_t, std::shared_ptr<const store::user>> authors;
    json::array results;
    results.reserve(hits.size());
    for (const auto& h : hits) {
        auto it = authors.find(h.msg.author_id);
        if (it == authors.end()) {
            auto author = co_await s.dir.user(h.msg.author_id);
            it = authors.emplace(h.msg.author_id, std::move(author)).first;
        }
        json::object r;
        r["message"] = message_json(h.msg, it->second.get());
        r["highlighted"] = h.highlighted;
        results.push_back(std::move(r));
    }
    json::object out;
    out["total_returned"] = results.size();
    out["results"] = std::move(results);
    co_return response::json(200, out);
}

}  // namespace

void add_search_routes(auth::api_router& api, text_services& s) {
    api.get("/api/v1/search",
            [&s](request& req, const principal& who) { return search(s, req, who); });
}

}  // namespace driftway::text
