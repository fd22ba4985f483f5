#include "postgres/message_details.hpp"
#include "postgres/text_repositories.hpp"
#include "postgres/text_rows.hpp"

#include <algorithm>
#include <utility>

namespace driftway::store::postgres {

namespace {

// API.md: the same nonce from the same author within 10 minutes returns the
// first message.
constexpr std::int64_t nonce_window_ms = 10 * 60 * 1000;

std::optional<message> find_by_nonce(connection& c, const message& m) {
    if (m.nonce.empty()) return std::nullopt;
    static const std::string sql = sql_text(
        "SELECT ", message_columns,
        " FROM messages WHERE author_id = $1 AND nonce = $2 AND nonce <> '' AND created_at >= $3"
        " ORDER BY id LIMIT 1");
    auto st = c.prepare(sql);
    if (!st.bind(m.author_id, m.nonce, m.created_at - nonce_window_ms).step()) return std::nullopt;
    return read_message(st);
}

// Runs on the writer inside the group transaction, once per message: only
// statements that the message needs, and no reads back of what it wrote.
message insert_message(connection& c, message m, const std::vector<id_t>& attachment_ids,
                       const std::vector<id_t>& mention_counts_for) {
    c.prepare(
         "INSERT INTO messages (id, channel_id, author_id, content, created_at, edited_at,"
         " reply_to, pinned, nonce, mention_everyone, thread_id)"
         " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)")
        .bind(m.id, m.channel_id, m.author_id, m.content, m.created_at, m.edited_at, m.reply_to,
              m.pinned, m.nonce, m.mention_everyone, m.thread_id)
        .run();

    std::sort(m.mentions.begin(), m.mentions.end());
    m.mentions.erase(std::unique(m.mentions.begin(), m.mentions.end()), m.mentions.end());
    for (const auto user_id : m.mentions) {
        c.prepare("INSERT INTO message_mentions (message_id, user_id) VALUES ($1, $2)")
            .bind(m.id, user_id)
            .run();
    }

    // The domain validated the ids; this still claims only the author's own
    // unclaimed uploads, so a stale or foreign id is skipped, never stolen.
    m.attachments.clear();
    if (!attachment_ids.empty()) {
        static const std::string claim_sql = sql_text(
            "UPDATE attachments SET message_id = $1, channel_id = $2"
            " WHERE id IN (SELECT unnest($3::bigint[])) AND uploader_id = $4"
            " AND message_id IS NULL RETURNING ",
            attachment_columns);
        auto st = c.prepare(claim_sql);
        st.bind(m.id, m.channel_id, id_list(attachment_ids), m.author_id);
        while (st.step()) m.attachments.push_back(read_attachment(st));
        std::sort(m.attachments.begin(), m.attachments.end(),
                  [](const attachment& a, const attachment& b) { return a.id < b.id; });
    }

    c.prepare("UPDATE channels SET last_message_id = greatest(last_message_id, $2) WHERE id = $1")
        .bind(m.channel_id, m.id)
        .run();
    for (const auto user_id : mention_counts_for) {
        c.prepare(
             "INSERT INTO read_states (user_id, channel_id, last_read_id, mention_count)"
             " VALUES ($1, $2, 0, 1) ON CONFLICT (user_id, channel_id)"
             " DO UPDATE SET mention_count = read_states.mention_count + 1")
            .bind(user_id, m.channel_id)
            .run();
    }
    m.reactions.clear();
    return m;
}

std::vector<message> select_messages(connection& c, const std::string& sql, id_t channel_id,
                                     id_t bound, int limit) {
    std::vector<message> out;
    if (limit <= 0) return out;
    auto st = c.prepare(sql);
    st.bind(channel_id, bound, limit);
    while (st.step()) out.push_back(read_message(st));
    return out;
}

std::vector<message> newest_before(connection& c, id_t channel_id, id_t before, int limit) {
    static const std::string sql = sql_text("SELECT ", message_columns,
                                            " FROM messages WHERE channel_id = $1 AND id < $2"
                                            " ORDER BY id DESC LIMIT $3");
    return select_messages(c, sql, channel_id, before, limit);
}

std::vector<message> oldest_from(connection& c, id_t channel_id, id_t from, int limit) {
    static const std::string sql = sql_text("SELECT ", message_columns,
                                            " FROM messages WHERE channel_id = $1 AND id >= $2"
                                            " ORDER BY id LIMIT $3");
    return select_messages(c, sql, channel_id, from, limit);
}

std::vector<message> read_page(connection& c, id_t channel_id, const message_page& p) {
    if (p.around != 0) {
        // The message itself and the newer ones after it take the other half.
        const int older = p.limit / 2;
        auto page = newest_before(c, channel_id, p.around, older);
        std::reverse(page.begin(), page.end());
        auto newer = oldest_from(c, channel_id, p.around, p.limit - older);
        page.insert(page.end(), std::make_move_iterator(newer.begin()),
                    std::make_move_iterator(newer.end()));
        return page;
    }
    if (p.after != 0) return oldest_from(c, channel_id, p.after + 1, p.limit);
    if (p.before != 0) return newest_before(c, channel_id, p.before, p.limit);
    return newest_before(c, channel_id, static_cast<id_t>(max_id), p.limit);
}

std::optional<message> select_one(connection& c, id_t channel_id, id_t id, id_t viewer) {
    static const std::string sql =
        sql_text("SELECT ", message_columns, " FROM messages WHERE id = $1 AND channel_id = $2");
    auto st = c.prepare(sql);
    if (!st.bind(id, channel_id).step()) return std::nullopt;
    auto m = read_message(st);
    load_details(c, std::span(&m, 1), viewer);
    return m;
}

}  // namespace

task<message> message_repo::create(message m, std::vector<id_t> attachment_ids,
                                   std::vector<id_t> mention_counts_for, bool* created) {
    auto [stored, inserted] =
        co_await exec_.write_grouped([&](connection& c) -> std::pair<message, bool> {
            // Inside the group transaction, after every create queued before
            // this one: concurrent retries with one nonce insert it once.
            if (auto existing = find_by_nonce(c, m)) {
                load_details(c, std::span(&*existing, 1), m.author_id);
                return {std::move(*existing), false};
            }
            return {insert_message(c, std::move(m), attachment_ids, mention_counts_for), true};
        });
    if (created != nullptr) *created = inserted;
    co_return std::move(stored);
}

task<std::optional<message>> message_repo::get(id_t channel_id, id_t id, id_t viewer) {
    co_return co_await exec_.read(
        [&](connection& c) { return select_one(c, channel_id, id, viewer); });
}

task<std::vector<message>> message_repo::page(id_t channel_id, message_page p, id_t viewer) {
    co_return co_await exec_.read([&](connection& c) {
        auto page = read_page(c, channel_id, p);
        load_details(c, page, viewer);
        return page;
    });
}

task<result<message>> message_repo::edit(id_t channel_id, id_t id, std::string content,
                                         std::int64_t edited_at, id_t viewer) {
    try {
        co_return co_await exec_.write([&](connection& c) -> result<message> {
            c.prepare(
                 "UPDATE messages SET content = $3, edited_at = $4"
                 " WHERE id = $1 AND channel_id = $2")
                .bind(id, channel_id, content, edited_at)
                .run();
            if (c.changes() == 0) return error::not_found("message");
            return *select_one(c, channel_id, id, viewer);
        });
    } catch (const error_exception& e) {
        co_return e.get();
    }
}

task<bool> message_repo::remove(id_t channel_id, id_t id) {
    co_return co_await exec_.write([&](connection& c) {
        c.prepare("DELETE FROM messages WHERE id = $1 AND channel_id = $2")
            .bind(id, channel_id)
            .run();
        return c.changes() > 0;
    });
}

task<std::vector<std::pair<id_t, id_t>>> message_repo::remove_recent_by(id_t space_id,
                                                                        id_t author_id,
                                                                        std::int64_t since_ms) {
    co_return co_await exec_.write([&](connection& c) {
        std::vector<std::pair<id_t, id_t>> removed;
        auto st = c.prepare(
            "DELETE FROM messages WHERE author_id = $2 AND created_at >= $3"
            " AND channel_id IN (SELECT id FROM channels WHERE space_id = $1)"
            " RETURNING channel_id, id");
        st.bind(space_id, author_id, since_ms);
        while (st.step()) removed.emplace_back(st.id(0), st.id(1));
        std::sort(removed.begin(), removed.end());
        return removed;
    });
}

}  // namespace driftway::store::postgres
