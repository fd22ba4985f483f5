#include "postgres/text_repositories.hpp"
#include "postgres/text_rows.hpp"

namespace driftway::store::postgres {

namespace {

// 0 is "not claimed", stored as NULL so that the column can reference messages.
std::optional<id_t> nonzero(id_t id) {
    return id != 0 ? std::optional<id_t>(id) : std::nullopt;
}

}  // namespace

task<void> attachment_repo::create(attachment a) {
    co_await exec_.write([&](connection& c) {
        c.prepare(
             "INSERT INTO attachments (id, uploader_id, message_id, channel_id, filename,"
             " content_type, size, sha256, created_at)"
             " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
            .bind(a.id, a.uploader_id, nonzero(a.message_id), nonzero(a.channel_id), a.filename,
                  a.content_type, a.size, a.sha256, a.created_at)
            .run();
    });
}

task<std::optional<attachment>> attachment_repo::get(id_t id) {
    co_return co_await exec_.read([id](connection& c) -> std::optional<attachment> {
        static const std::string sql =
            sql_text("SELECT ", attachment_columns, " FROM attachments WHERE id = $1");
        auto st = c.prepare(sql);
        if (!st.bind(id).step()) return std::nullopt;
        return read_attachment(st);
    });
}

}  // namespace driftway::store::postgres
