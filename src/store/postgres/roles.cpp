#include "postgres/text_repositories.hpp"
#include "postgres/text_rows.hpp"

namespace driftway::store::postgres {

task<void> role_repo::create(role r) {
    co_await exec_.write([&](connection& c) { insert_role(c, r); });
}

task<std::vector<role>> role_repo::list(id_t space_id) {
    co_return co_await exec_.read([space_id](connection& c) {
        static const std::string sql = sql_text(
            "SELECT ", role_columns, " FROM roles WHERE space_id = $1 ORDER BY position, id");
        std::vector<role> out;
        auto st = c.prepare(sql);
        st.bind(space_id);
        while (st.step()) out.push_back(read_role(st));
        return out;
    });
}

task<void> role_repo::update(role r) {
    co_await exec_.write([&](connection& c) {
        c.prepare(
             "UPDATE roles SET name = $3, permissions = $4, position = $5, color = $6, hoist = $7,"
             " mentionable = $8 WHERE id = $1 AND space_id = $2")
            .bind(r.id, r.space_id, r.name, r.permissions, r.position, r.color, r.hoist,
                  r.mentionable)
            .run();
    });
}

task<bool> role_repo::remove(id_t space_id, id_t role_id) {
    co_return co_await exec_.write([&](connection& c) {
        // The foreign key would cascade too; saying it keeps the promise
        // visible where it is made.
        c.prepare("DELETE FROM member_roles WHERE space_id = $1 AND role_id = $2")
            .bind(space_id, role_id)
            .run();
        c.prepare("DELETE FROM roles WHERE space_id = $1 AND id = $2")
            .bind(space_id, role_id)
            .run();
        return c.changes() > 0;
    });
}

task<void> role_repo::set_positions(id_t space_id, std::vector<std::pair<id_t, int>> positions) {
    co_await exec_.write([&](connection& c) {
        for (const auto& [role_id, position] : positions) {
            c.prepare("UPDATE roles SET position = $3 WHERE space_id = $1 AND id = $2")
                .bind(space_id, role_id, position)
                .run();
        }
    });
}

}  // namespace driftway::store::postgres
