#pragma once
// The storage backend the config asks for: SQLite in the data directory, or
// PostgreSQL at storage.postgres_url.
#include "driftway/core/config.hpp"
#include "driftway/store/backend.hpp"

#include <memory>

namespace driftway::app {

// Opens and migrates; throws std::runtime_error when it cannot. threads is
// SQLite's reader count; PostgreSQL uses storage.postgres_pool_size.
std::unique_ptr<store::backend> open_storage(const config& c, unsigned threads);

}  // namespace driftway::app
