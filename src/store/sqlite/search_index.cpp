#include "sqlite/search_index.hpp"

namespace driftway::store::sqlite {

void index_pending_messages(connection& c) {
    // Most transactions create no message; they stay clear of the index.
    if (!c.prepare("SELECT 1 FROM messages_fts_pending LIMIT 1").step()) return;
    c.prepare(
         "INSERT INTO messages_fts (rowid, content)"
         " SELECT m.id, m.content FROM messages_fts_pending p JOIN messages m ON m.id = p.id")
        .run();
    c.prepare("DELETE FROM messages_fts_pending").run();
}

}  // namespace driftway::store::sqlite
