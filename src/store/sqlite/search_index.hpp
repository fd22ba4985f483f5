#pragma once
// Keeping the full-text index of messages in step with the writer's commits.
#include "sqlite/connection.hpp"

namespace driftway::store::sqlite {

// Indexes the messages inserted by the current transaction (queued in
// messages_fts_pending by a trigger), all in one statement, and empties the
// queue. The writer calls it just before each COMMIT, so that what commits
// is searchable and a group of messages costs one FTS5 segment, not one each.
void index_pending_messages(connection& c);

}  // namespace driftway::store::sqlite
