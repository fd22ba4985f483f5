#include "postgres/text_repositories.hpp"

namespace driftway::store::postgres {

namespace {

ban read_ban(const statement& st) {
    ban b;
    b.space_id = st.id(0);
    b.user_id = st.id(1);
    b.reason = st.text(2);
    b.banned_by = st.id(3);
    b.created_at = st.int64(4);
    return b;
}

}  // namespace

// Banning again replaces the reason, who banned and when.
task<void> ban_repo::put(ban b) {
    co_await exec_.write([&](connection& c) {
        c.prepare(
             "INSERT INTO bans (space_id, user_id, reason, banned_by, created_at)"
             " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (space_id, user_id) DO UPDATE SET"
             " reason = excluded.reason, banned_by = excluded.banned_by,"
             " created_at = excluded.created_at")
            .bind(b.space_id, b.user_id, b.reason, b.banned_by, b.created_at)
            .run();
    });
}

task<bool> ban_repo::remove(id_t space_id, id_t user_id) {
    co_return co_await exec_.write([&](connection& c) {
        c.prepare("DELETE FROM bans WHERE space_id = $1 AND user_id = $2")
            .bind(space_id, user_id)
            .run();
        return c.changes() > 0;
    });
}

task<std::optional<ban>> ban_repo::get(id_t space_id, id_t user_id) {
    co_return co_await exec_.read([&](connection& c) -> std::optional<ban> {
        auto st = c.prepare(
            "SELECT space_id, user_id, reason, banned_by, created_at FROM bans"
            " WHERE space_id = $1 AND user_id = $2");
        if (!st.bind(space_id, user_id).step()) return std::nullopt;
        return read_ban(st);
    });
}

task<std::vector<ban>> ban_repo::list(id_t space_id) {
    co_return co_await exec_.read([space_id](connection& c) {
        std::vector<ban> out;
        auto st = c.prepare(
            "SELECT space_id, user_id, reason, banned_by, created_at FROM bans"
            " WHERE space_id = $1 ORDER BY user_id");
        st.bind(space_id);
        while (st.step()) out.push_back(read_ban(st));
        return out;
    });
}

}  // namespace driftway::store::postgres
