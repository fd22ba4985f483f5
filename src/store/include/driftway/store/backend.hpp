#pragma once
// A storage backend: the repositories plus lifecycle. make_sqlite() opens
// (creating if needed) data_dir/driftway.db, applies migrations and starts the
// backend's threads.
#include "driftway/store/job_repository.hpp"
#include "driftway/store/repositories.hpp"
#include "driftway/store/text_repositories.hpp"

#include <memory>
#include <string>

namespace driftway::store {

struct health {
    bool ok = false;
    std::string detail;
    double latency_ms = 0;
};

class backend {
public:
    virtual ~backend() = default;

    virtual user_repository& users() = 0;
    virtual refresh_token_repository& refresh_tokens() = 0;
    virtual api_key_repository& api_keys() = 0;
    virtual instance_repository& instance() = 0;

    virtual space_repository& spaces() = 0;
    virtual member_repository& members() = 0;
    virtual role_repository& roles() = 0;
    virtual ban_repository& bans() = 0;
    virtual invite_repository& invites() = 0;
    virtual channel_repository& channels() = 0;
    virtual message_repository& messages() = 0;
    virtual read_state_repository& read_states() = 0;
    virtual attachment_repository& attachments() = 0;
    virtual audit_repository& audit() = 0;
    // The outbox of asynchronous work and its dead letters.
    virtual job_repository& jobs() = 0;

    // A cheap round trip to the database, for /health.
    virtual task<health> ping() = 0;
    // Current schema version and the newest this build knows.
    virtual int schema_version() = 0;
    virtual int latest_schema_version() const = 0;
    // Finishes queued writes and closes; called once on shutdown.
    virtual void close() = 0;
};

struct sqlite_options {
    std::string path;  // file path, or ":memory:" for tests
    unsigned read_threads = 2;
    bool migrate = true;  // apply pending migrations on open
};

// Throws std::runtime_error when the database cannot be opened or migrated.
std::unique_ptr<backend> make_sqlite(const sqlite_options& options);

struct postgres_options {
    std::string conninfo;    // libpq conninfo ("host=… dbname=…") or postgres:// URL
    unsigned pool_size = 4;  // connections: one writer, the rest readers
    bool migrate = true;     // apply pending migrations on open
};

// Connects the pool and migrates (see postgres/backend.cpp). Throws
// std::runtime_error when the server cannot be reached or migrated. A
// connection lost later is reopened with backoff; calls meanwhile fail with
// 503 database_unavailable.
std::unique_ptr<backend> make_postgres(const postgres_options& options);

}  // namespace driftway::store
