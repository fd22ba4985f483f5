#include "postgres/repositories.hpp"

namespace driftway::store::postgres {

task<instance_settings> instance_repo::get() {
    co_return co_await exec_.read([](connection& c) {
        instance_settings s;
        auto st = c.prepare(
            "SELECT name, registration, max_upload_bytes, owner_id FROM instance WHERE id = 1");
        // Migration 1 inserts the row; the defaults stand in should it be gone.
        if (!st.step()) return s;
        s.name = st.text(0);
        s.registration = st.text(1);
        s.max_upload_bytes = st.int64(2);
        s.owner_id = st.optional_id(3);
        return s;
    });
}

task<void> instance_repo::put(instance_settings s) {
    co_await exec_.write([&](connection& c) {
        c.prepare(
             "INSERT INTO instance (id, name, registration, max_upload_bytes, owner_id)"
             " VALUES (1, $1, $2, $3, $4)"
             " ON CONFLICT (id) DO UPDATE SET name = excluded.name,"
             " registration = excluded.registration,"
             " max_upload_bytes = excluded.max_upload_bytes, owner_id = excluded.owner_id")
            .bind(s.name, s.registration, s.max_upload_bytes, s.owner_id)
            .run();
    });
}

}  // namespace driftway::store::postgres
