#pragma once
// What hangs off messages (attachments, mentions, reactions), loaded for a
// whole page at once: one query per kind, whatever the number of messages.
#include "driftway/store/text_models.hpp"
#include "postgres/connection.hpp"

#include <span>

namespace driftway::store::postgres {

// Fills in attachments (by id), mentions (by user id) and reactions (by when
// each emoji first appeared, `me` as seen by viewer) of every message.
void load_details(connection& c, std::span<message> messages, id_t viewer);

}  // namespace driftway::store::postgres
