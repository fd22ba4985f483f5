#pragma once
// The versioned schema: an ordered list of SQL scripts compiled into the
// binary. Version N is applied in one transaction together with its row in
// schema_migrations, so a crash leaves the database at N-1 or N, never between.
#include "postgres/connection.hpp"

#include <span>
#include <string_view>

namespace driftway::store::postgres {

struct migration {
    int version;
    std::string_view name;
    const char* sql;
};

std::span<const migration> migrations();
int latest_schema_version();

// The newest version applied to the database, 0 when none is.
int schema_version(connection& c);

// Applies every pending migration in order on a read-write connection and
// returns the resulting version. Throws std::runtime_error when a migration
// fails (that migration is rolled back) or when the database was migrated by
// a newer build than this one.
int migrate(connection& c);

}  // namespace driftway::store::postgres
