#include "postgres/text_repositories.hpp"
#include "postgres/text_rows.hpp"

namespace driftway::store::postgres {

// An entry without an id gets the next one, as SQLite's rowid would (the
// single writer makes max() + 1 safe).
task<void> audit_repo::append(audit_entry e) {
    co_await exec_.write([&](connection& c) {
        const std::optional<id_t> id = e.id != 0 ? std::optional<id_t>(e.id) : std::nullopt;
        c.prepare(
             "INSERT INTO audit_log (id, space_id, actor_id, action, target_id, changes, reason,"
             " created_at) VALUES (coalesce($1::bigint,"
             " (SELECT coalesce(max(id), 0) + 1 FROM audit_log)), $2, $3, $4, $5, $6, $7, $8)")
            .bind(id, e.space_id, e.actor_id, e.action, e.target_id, e.changes, e.reason,
                  e.created_at)
            .run();
    });
}

task<std::vector<audit_entry>> audit_repo::list(id_t space_id, id_t before, int limit) {
    co_return co_await exec_.read([&](connection& c) {
        std::vector<audit_entry> out;
        auto st = c.prepare(
            "SELECT id, space_id, actor_id, action, target_id, changes, reason, created_at"
            " FROM audit_log WHERE space_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3");
        st.bind(space_id, before != 0 ? static_cast<std::int64_t>(before) : max_id, limit);
        while (st.step()) {
            out.push_back({.id = st.id(0),
                           .space_id = st.id(1),
                           .actor_id = st.id(2),
                           .action = st.text(3),
                           .target_id = st.id(4),
                           .changes = st.text(5),
                           .reason = st.text(6),
                           .created_at = st.int64(7)});
        }
        return out;
    });
}

}  // namespace driftway::store::postgres
