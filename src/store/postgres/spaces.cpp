#include "postgres/text_repositories.hpp"
#include "postgres/text_rows.hpp"

namespace driftway::store::postgres {

task<void> space_repo::create(space s, role everyone, std::vector<channel> channels, member owner) {
    co_await exec_.write([&](connection& c) {
        c.prepare(
             "INSERT INTO spaces (id, name, icon, owner_id, created_at)"
             " VALUES ($1, $2, $3, $4, $5)")
            .bind(s.id, s.name, s.icon, s.owner_id, s.created_at)
            .run();
        // Everything created here belongs to this space; @everyone shares its id.
        everyone.id = s.id;
        everyone.space_id = s.id;
        insert_role(c, everyone);
        for (auto& ch : channels) {
            ch.space_id = s.id;
            insert_channel(c, ch);
        }
        owner.space_id = s.id;
        insert_member(c, owner);
    });
}

task<std::optional<space>> space_repo::get(id_t id) {
    co_return co_await exec_.read([id](connection& c) -> std::optional<space> {
        static const std::string sql =
            sql_text("SELECT ", space_columns, " FROM spaces WHERE id = $1");
        auto st = c.prepare(sql);
        if (!st.bind(id).step()) return std::nullopt;
        return read_space(st);
    });
}

task<void> space_repo::update(space s) {
    co_await exec_.write([&](connection& c) {
        c.prepare("UPDATE spaces SET name = $2, icon = $3, owner_id = $4 WHERE id = $1")
            .bind(s.id, s.name, s.icon, s.owner_id)
            .run();
    });
}

// The foreign keys cascade to roles, members, channels (and so messages),
// invites, bans and the audit log.
task<void> space_repo::remove(id_t id) {
    co_await exec_.write(
        [id](connection& c) { c.prepare("DELETE FROM spaces WHERE id = $1").bind(id).run(); });
}

task<std::vector<space>> space_repo::for_user(id_t user_id) {
    co_return co_await exec_.read([user_id](connection& c) {
        static const std::string sql =
            sql_text("SELECT ", space_columns,
                     " FROM spaces WHERE id IN (SELECT space_id FROM members WHERE user_id = $1)"
                     " ORDER BY id");
        std::vector<space> out;
        auto st = c.prepare(sql);
        st.bind(user_id);
        while (st.step()) out.push_back(read_space(st));
        return out;
    });
}

}  // namespace driftway::store::postgres
