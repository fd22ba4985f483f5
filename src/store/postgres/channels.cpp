#include "postgres/text_repositories.hpp"
#include "postgres/text_rows.hpp"

namespace driftway::store::postgres {

namespace {

std::optional<channel> select_channel(connection& c, id_t id) {
    static const std::string sql =
        sql_text("SELECT ", channel_columns, " FROM channels WHERE id = $1");
    auto st = c.prepare(sql);
    if (!st.bind(id).step()) return std::nullopt;
    auto ch = read_channel(st);
    load_channel_details(c, std::span(&ch, 1));
    return ch;
}

}  // namespace

task<void> channel_repo::create(channel c) {
    co_await exec_.write([&](connection& conn) { insert_channel(conn, c); });
}

task<std::optional<channel>> channel_repo::get(id_t id) {
    co_return co_await exec_.read([id](connection& c) { return select_channel(c, id); });
}

task<std::vector<channel>> channel_repo::list(id_t space_id) {
    co_return co_await exec_.read([space_id](connection& c) {
        static const std::string sql =
            sql_text("SELECT ", channel_columns,
                     " FROM channels WHERE space_id = $1 AND type NOT IN ('dm', 'group_dm')"
                     " ORDER BY position, id");
        std::vector<channel> out;
        auto st = c.prepare(sql);
        st.bind(space_id);
        while (st.step()) out.push_back(read_channel(st));
        load_channel_details(c, out);
        return out;
    });
}

task<result<channel>> channel_repo::update(id_t id, channel_update u) {
    try {
        co_return co_await exec_.write([&](connection& c) -> result<channel> {
            c.prepare(
                 "UPDATE channels SET name = coalesce($2, name), topic = coalesce($3, topic),"
                 " parent_id = coalesce($4, parent_id), position = coalesce($5, position)"
                 " WHERE id = $1")
                .bind(id, u.name, u.topic, u.parent_id, u.position)
                .run();
            if (c.changes() == 0) return error::not_found("channel");
            return *select_channel(c, id);
        });
    } catch (const error_exception& e) {
        co_return e.get();
    }
}

// Threads of the channel go with it; channels of a deleted category stay,
// without a category. Messages, overwrites, recipients and read states
// follow their channel by foreign key cascade.
task<bool> channel_repo::remove(id_t id) {
    co_return co_await exec_.write([id](connection& c) {
        // A thread that goes unlinks the message it was started from.
        c.prepare(
             "UPDATE messages SET thread_id = 0 WHERE thread_id = $1"
             " AND id = (SELECT origin_message_id FROM channels WHERE id = $1)")
            .bind(id)
            .run();
        c.prepare("DELETE FROM channels WHERE parent_id = $1 AND type = 'thread'").bind(id).run();
        c.prepare("UPDATE channels SET parent_id = 0 WHERE parent_id = $1").bind(id).run();
        c.prepare("DELETE FROM channels WHERE id = $1").bind(id).run();
        return c.changes() > 0;
    });
}

task<void> channel_repo::put_overwrite(id_t channel_id, overwrite_row o) {
    co_await exec_.write([&](connection& c) {
        c.prepare(
             "INSERT INTO channel_overwrites (channel_id, target_id, is_member, allow, deny)"
             " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (channel_id, target_id) DO UPDATE SET"
             " is_member = excluded.is_member, allow = excluded.allow, deny = excluded.deny")
            .bind(channel_id, o.id, o.is_member, o.allow, o.deny)
            .run();
    });
}

task<bool> channel_repo::remove_overwrite(id_t channel_id, id_t target_id) {
    co_return co_await exec_.write([&](connection& c) {
        c.prepare("DELETE FROM channel_overwrites WHERE channel_id = $1 AND target_id = $2")
            .bind(channel_id, target_id)
            .run();
        return c.changes() > 0;
    });
}

}  // namespace driftway::store::postgres
