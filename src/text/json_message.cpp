// JSON shapes of messages and attachments (json_shapes.hpp).
#include "driftway/core/clock.hpp"
#include "driftway/text/json_shapes.hpp"
#include "messages/names.hpp"

namespace driftway::text {

namespace {

json::value id_or_null(store::id_t id) {
    return id ? json::value(json::id_string(id)) : json::value(nullptr);
}

json::value time_or_null(std::int64_t unix_ms) {
    return unix_ms ? json::value(clock::iso8601(unix_ms)) : json::value(nullptr);
}

json::object author_json(store::id_t author_id, const store::user* u) {
    json::object o;
    o["id"] = json::id_string(author_id);
    if (u) {
        o["username"] = u->username;
        o["display_name"] = u->display_name.empty() ? u->username : u->display_name;
        o["avatar"] = u->avatar ? json::value(json::id_string(*u->avatar)) : json::value(nullptr);
    } else {
        // The account is gone; its messages stay, attributed to nobody.
        o["username"] = "deleted-user";
        o["display_name"] = "Deleted User";
        o["avatar"] = nullptr;
        o["deleted"] = true;
    }
    return o;
}

}  // namespace

json::object attachment_json(const store::attachment& a) {
    json::object o;
    o["id"] = json::id_string(a.id);
    o["filename"] = a.filename;
    o["content_type"] = a.content_type;
    o["size"] = a.size;
    o["url"] = "/api/v1/attachments/" + json::id_string(a.id) + "/" +
               messages::percent_encode_segment(a.filename);
    return o;
}

json::object message_json(const store::message& m, const store::user* author) {
    json::object o;
    o.reserve(16);
    o["id"] = json::id_string(m.id);
    o["channel_id"] = json::id_string(m.channel_id);
    o["author"] = author_json(m.author_id, author);
    o["content"] = m.content;
    o["created_at"] = clock::iso8601(m.created_at);
    o["edited_at"] = time_or_null(m.edited_at);
    o["reply_to"] = id_or_null(m.reply_to);
    json::array attachments;
    attachments.reserve(m.attachments.size());
    for (const auto& a : m.attachments) attachments.push_back(attachment_json(a));
    o["attachments"] = std::move(attachments);
    json::array reactions;
    reactions.reserve(m.reactions.size());
    for (const auto& r : m.reactions) {
        json::object ro;
        ro["emoji"] = r.emoji;
        ro["count"] = r.count;
        ro["me"] = r.me;
        reactions.push_back(std::move(ro));
    }
    o["reactions"] = std::move(reactions);
    o["pinned"] = m.pinned;
    json::array mentions;
    mentions.reserve(m.mentions.size());
    for (auto id : m.mentions) mentions.push_back(json::value(json::id_string(id)));
    o["mentions"] = std::move(mentions);
    o["mention_everyone"] = m.mention_everyone;
    o["thread_id"] = id_or_null(m.thread_id);
    if (!m.nonce.empty()) o["nonce"] = m.nonce;
    return o;
}

}  // namespace driftway::text
