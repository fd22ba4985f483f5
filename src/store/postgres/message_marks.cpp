// What members put on messages without changing them: pins, reactions and
// the link to a thread started from a message.
#include "postgres/message_details.hpp"
#include "postgres/text_repositories.hpp"
#include "postgres/text_rows.hpp"

namespace driftway::store::postgres {

// True when the message exists in the channel, pinned already or not, so
// that pinning twice is no error.
task<bool> message_repo::set_pinned(id_t channel_id, id_t id, bool pinned) {
    co_return co_await exec_.write([&](connection& c) {
        c.prepare("UPDATE messages SET pinned = $3 WHERE id = $1 AND channel_id = $2")
            .bind(id, channel_id, pinned)
            .run();
        return c.changes() > 0;
    });
}

// Newest first.
task<std::vector<message>> message_repo::pins(id_t channel_id, id_t viewer) {
    co_return co_await exec_.read([&](connection& c) {
        static const std::string sql =
            sql_text("SELECT ", message_columns,
                     " FROM messages WHERE channel_id = $1 AND pinned ORDER BY id DESC");
        std::vector<message> out;
        auto st = c.prepare(sql);
        st.bind(channel_id);
        while (st.step()) out.push_back(read_message(st));
        load_details(c, out, viewer);
        return out;
    });
}

task<bool> message_repo::add_reaction(id_t channel_id, id_t id, id_t user_id, std::string emoji) {
    co_return co_await exec_.write([&](connection& c) {
        c.prepare(
             "INSERT INTO reactions (message_id, emoji, user_id)"
             " SELECT id, $3::text, $4::bigint FROM messages WHERE id = $1 AND channel_id = $2"
             " ON CONFLICT DO NOTHING")
            .bind(id, channel_id, emoji, user_id)
            .run();
        return c.changes() > 0;
    });
}

task<bool> message_repo::remove_reaction(id_t channel_id, id_t id, id_t user_id,
                                         std::string emoji) {
    co_return co_await exec_.write([&](connection& c) {
        c.prepare(
             "DELETE FROM reactions WHERE message_id = $1 AND emoji = $3 AND user_id = $4"
             " AND EXISTS (SELECT 1 FROM messages WHERE id = $1 AND channel_id = $2)")
            .bind(id, channel_id, emoji, user_id)
            .run();
        return c.changes() > 0;
    });
}

task<void> message_repo::set_thread(id_t channel_id, id_t id, id_t thread_id) {
    co_await exec_.write([&](connection& c) {
        c.prepare("UPDATE messages SET thread_id = $3 WHERE id = $1 AND channel_id = $2")
            .bind(id, channel_id, thread_id)
            .run();
    });
}

}  // namespace driftway::store::postgres
