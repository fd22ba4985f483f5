#include "postgres/message_details.hpp"

#include "postgres/text_rows.hpp"

#include <unordered_map>
#include <vector>

namespace driftway::store::postgres {

void load_details(connection& c, std::span<message> messages, id_t viewer) {
    if (messages.empty()) return;
    std::unordered_map<id_t, message*> by_id;
    std::vector<id_t> ids;
    by_id.reserve(messages.size());
    ids.reserve(messages.size());
    for (auto& m : messages) {
        by_id.emplace(m.id, &m);
        ids.push_back(m.id);
    }
    const auto list = id_list(ids);
    const auto owner = [&](id_t message_id) -> message* {
        auto it = by_id.find(message_id);
        return it != by_id.end() ? it->second : nullptr;
    };

    static const std::string attachments_sql =
        sql_text("SELECT ", attachment_columns,
                 " FROM attachments WHERE message_id IN (SELECT unnest($1::bigint[]))"
                 " ORDER BY id");
    auto attachments = c.prepare(attachments_sql);
    attachments.bind(list);
    while (attachments.step()) {
        auto a = read_attachment(attachments);
        if (auto* m = owner(a.message_id)) m->attachments.push_back(std::move(a));
    }

    auto mentions = c.prepare(
        "SELECT message_id, user_id FROM message_mentions"
        " WHERE message_id IN (SELECT unnest($1::bigint[])) ORDER BY message_id, user_id");
    mentions.bind(list);
    while (mentions.step()) {
        if (auto* m = owner(mentions.id(0))) m->mentions.push_back(mentions.id(1));
    }

    // min(id) is when the emoji first appeared on the message.
    auto reactions = c.prepare(
        "SELECT message_id, emoji, count(*), bool_or(user_id = $2) FROM reactions"
        " WHERE message_id IN (SELECT unnest($1::bigint[]))"
        " GROUP BY message_id, emoji ORDER BY message_id, min(id)");
    reactions.bind(list, viewer);
    while (reactions.step()) {
        if (auto* m = owner(reactions.id(0))) {
            m->reactions.push_back({.emoji = reactions.text(1),
                                    .count = static_cast<int>(reactions.int64(2)),
                                    .me = reactions.boolean(3)});
        }
    }
}

}  // namespace driftway::store::postgres
