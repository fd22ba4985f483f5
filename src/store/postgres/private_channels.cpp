// Direct messages and group DMs: channels outside spaces, seen by their
// recipients.
#include "postgres/text_repositories.hpp"
#include "postgres/text_rows.hpp"

namespace driftway::store::postgres {

task<std::optional<channel>> channel_repo::find_dm(id_t a, id_t b) {
    co_return co_await exec_.read([a, b](connection& c) -> std::optional<channel> {
        // Both are recipients and nobody else is (a DM with oneself has one).
        static const std::string sql = sql_text(
            "SELECT ", channel_columns,
            " FROM channels WHERE type = 'dm'"
            " AND id IN (SELECT channel_id FROM channel_recipients WHERE user_id = $1)"
            " AND id IN (SELECT channel_id FROM channel_recipients WHERE user_id = $2)"
            " AND (SELECT count(*) FROM channel_recipients r WHERE r.channel_id = channels.id) = $3"
            " ORDER BY id LIMIT 1");
        auto st = c.prepare(sql);
        if (!st.bind(a, b, a == b ? 1 : 2).step()) return std::nullopt;
        auto ch = read_channel(st);
        load_channel_details(c, std::span(&ch, 1));
        return ch;
    });
}

task<std::vector<channel>> channel_repo::private_channels(id_t user_id) {
    co_return co_await exec_.read([user_id](connection& c) {
        static const std::string sql =
            sql_text("SELECT ", channel_columns,
                     " FROM channels WHERE type IN ('dm', 'group_dm')"
                     " AND id IN (SELECT channel_id FROM channel_recipients WHERE user_id = $1)"
                     " ORDER BY id");
        std::vector<channel> out;
        auto st = c.prepare(sql);
        st.bind(user_id);
        while (st.step()) out.push_back(read_channel(st));
        load_channel_details(c, out);
        return out;
    });
}

}  // namespace driftway::store::postgres
