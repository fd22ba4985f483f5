#include "postgres/message_details.hpp"
#include "postgres/text_repositories.hpp"
#include "postgres/text_rows.hpp"

#include <algorithm>
#include <memory>
#include <utility>

namespace driftway::store::postgres {

namespace {

// API.md: the same nonce from the same author within 10 minutes returns the
// first message.
constexpr std::int64_t nonce_window_ms = 10 * 60 * 1000;

// One message create as one statement, so that a pipelined group costs one
// round trip and no answer is needed between a message's writes: the nonce
// lookup, the row, its mentions, the claim of its attachments, the channel's
// last message and the mentioned users' unread counts. Nothing is written
// when a message of the same author with the same nonce exists: the first
// column names it then (sibling statements of a WITH see one snapshot, so
// an earlier create of this group, an earlier statement, is seen). Other
// rows carry the claimed attachments from column 1.
const std::string& create_sql() {
    static const std::string sql = sql_text(
        "WITH existing AS ("
        " SELECT id FROM messages WHERE author_id = $3::bigint AND nonce = $9::text"
        " AND $9::text <> '' AND created_at >= $12::bigint ORDER BY id LIMIT 1),"
        " ins AS (INSERT INTO messages (id, channel_id, author_id, content, created_at,"
        " edited_at, reply_to, pinned, nonce, mention_everyone, thread_id)"
        " SELECT $1::bigint, $2::bigint, $3::bigint, $4::text, $5::bigint, $6::bigint,"
        " $7::bigint, $8::boolean, $9::text, $10::boolean, $11::bigint"
        " WHERE NOT EXISTS (SELECT 1 FROM existing) RETURNING id),"
        " mentions AS (INSERT INTO message_mentions (message_id, user_id)"
        " SELECT ins.id, u FROM ins, unnest($13::bigint[]) AS u),"
        // The domain validated the ids; this still claims only the author's
        // own unclaimed uploads, so a stale or foreign id is skipped.
        " claimed AS (UPDATE attachments SET message_id = ins.id, channel_id = $2::bigint"
        " FROM ins WHERE attachments.id = ANY($14::bigint[]) AND uploader_id = $3::bigint"
        " AND attachments.message_id IS NULL RETURNING ",
        "attachments.id, uploader_id, attachments.message_id, attachments.channel_id, filename,"
        " content_type, size, sha256, created_at",
        "), last_message AS (UPDATE channels SET last_message_id = greatest(last_message_id,"
        " $1::bigint) WHERE id = $2::bigint AND EXISTS (SELECT 1 FROM ins)),"
        // A user listed twice is counted twice; one upsert may touch a row
        // only once, hence the count.
        " unread AS (INSERT INTO read_states (user_id, channel_id, last_read_id, mention_count)"
        " SELECT u, $2::bigint, 0, count(*) FROM ins, unnest($15::bigint[]) AS u GROUP BY u"
        " ON CONFLICT (user_id, channel_id)"
        " DO UPDATE SET mention_count = read_states.mention_count + excluded.mention_count)"
        " SELECT (SELECT id FROM existing), claimed.* FROM (SELECT 1) AS one"
        " LEFT JOIN claimed ON true");
    return sql;
}

// What a create's statement answered; filled when its pipeline is synced.
struct create_outcome {
    message stored;
    std::optional<id_t> existing;  // the earlier message with this nonce
};

// Runs on the writer inside the group transaction, once per message, maybe
// twice (see worker::mode::grouped): it copies what it is given.
std::shared_ptr<create_outcome> send_create(connection& c, const message& m,
                                            const std::vector<id_t>& attachment_ids,
                                            const std::vector<id_t>& mention_counts_for) {
    auto out = std::make_shared<create_outcome>();
    out->stored = m;
    auto& mentions = out->stored.mentions;
    std::sort(mentions.begin(), mentions.end());
    mentions.erase(std::unique(mentions.begin(), mentions.end()), mentions.end());
    out->stored.attachments.clear();
    out->stored.reactions.clear();

    auto st = c.prepare(create_sql());
    st.bind(m.id, m.channel_id, m.author_id, m.content, m.created_at, m.edited_at, m.reply_to,
            m.pinned, m.nonce, m.mention_everyone, m.thread_id, m.created_at - nonce_window_ms,
            id_list(mentions), id_list(attachment_ids), id_list(mention_counts_for));
    auto read = [out](statement& rows) {
        while (rows.step()) {
            if (!rows.is_null(0)) out->existing = rows.id(0);
            if (!rows.is_null(1)) out->stored.attachments.push_back(read_attachment(rows, 1));
        }
        std::sort(out->stored.attachments.begin(), out->stored.attachments.end(),
                  [](const attachment& a, const attachment& b) { return a.id < b.id; });
    };
    if (c.pipelining()) {
        st.send(std::move(read));
    } else {
        read(st);
    }
    return out;
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
    auto out = co_await exec_.write_grouped(
        [&](connection& c) { return send_create(c, m, attachment_ids, mention_counts_for); });
    if (created != nullptr) *created = !out->existing;
    if (!out->existing) co_return std::move(out->stored);
    // A retry: the first message, committed by now, read as its author sees it.
    const id_t existing = *out->existing;
    auto first = co_await exec_.read([&](connection& c) -> std::optional<message> {
        static const std::string sql =
            sql_text("SELECT ", message_columns, " FROM messages WHERE id = $1");
        auto st = c.prepare(sql);
        if (!st.bind(existing).step()) return std::nullopt;
        auto found = read_message(st);
        load_details(c, std::span(&found, 1), m.author_id);
        return found;
    });
    // Deleted since: the retry finds nothing to return.
    if (!first) throw error_exception(error::not_found("message"));
    co_return std::move(*first);
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
