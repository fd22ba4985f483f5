#include "sqlite/migrations.hpp"

#include "driftway/core/clock.hpp"
#include "driftway/core/log.hpp"

#include <array>
#include <stdexcept>
#include <string>

namespace driftway::store::sqlite {

namespace {

// Usernames and emails compare with NOCASE (ASCII case folding), so the
// UNIQUE indexes and the lookups by login agree on what "the same" is.
// Foreign keys cascade so that deleting a user removes what only it owned.
constexpr const char* v1_accounts = R"sql(
CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT    NOT NULL COLLATE NOCASE,
    email         TEXT    NOT NULL COLLATE NOCASE,
    password_hash TEXT    NOT NULL,
    display_name  TEXT    NOT NULL,
    avatar        INTEGER NULL,
    preferences   TEXT    NOT NULL DEFAULT '{}',
    status        TEXT    NOT NULL DEFAULT 'online',
    created_at    INTEGER NOT NULL,
    last_active   INTEGER NOT NULL,
    owner         INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX users_username_key ON users (username);
CREATE UNIQUE INDEX users_email_key ON users (email);

CREATE TABLE refresh_tokens (
    token_hash TEXT    PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    family     TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    spent      INTEGER NOT NULL DEFAULT 0,
    revoked    INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE INDEX refresh_tokens_family ON refresh_tokens (family);
CREATE INDEX refresh_tokens_user_id ON refresh_tokens (user_id);

CREATE TABLE api_keys (
    id         INTEGER PRIMARY KEY,
    owner_id   INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name       TEXT    NOT NULL,
    scopes     TEXT    NOT NULL DEFAULT '[]',
    key_hash   TEXT    NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    last_used  INTEGER NOT NULL DEFAULT 0,
    revoked    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX api_keys_owner_id ON api_keys (owner_id);

CREATE TABLE instance (
    id               INTEGER PRIMARY KEY CHECK (id = 1),
    name             TEXT    NOT NULL,
    registration     TEXT    NOT NULL,
    max_upload_bytes INTEGER NOT NULL,
    owner_id         INTEGER NULL REFERENCES users (id) ON DELETE SET NULL
);
INSERT INTO instance (id, name, registration, max_upload_bytes, owner_id)
VALUES (1, 'Driftway', 'open', 26214400, NULL);
)sql";

constexpr std::array<migration, 1> all{{
    {1, "accounts", v1_accounts},
}};

constexpr const char* create_ledger = R"sql(
CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    applied_at INTEGER NOT NULL
)
)sql";

bool has_ledger(connection& c) {
    auto st = c.prepare(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'");
    return st.step();
}

}  // namespace

std::span<const migration> migrations() {
    return all;
}

int latest_schema_version() {
    return all.back().version;
}

int schema_version(connection& c) {
    if (!has_ledger(c)) return 0;
    auto st = c.prepare("SELECT coalesce(max(version), 0) FROM schema_migrations");
    st.step();
    return static_cast<int>(st.int64(0));
}

int migrate(connection& c) {
    try {
        c.exec(create_ledger);
    } catch (const sqlite_error& e) {
        throw std::runtime_error("cannot create schema_migrations: " + e.detail());
    }
    int version = schema_version(c);
    if (version > latest_schema_version()) {
        throw std::runtime_error("the database is at schema version " + std::to_string(version) +
                                 ", newer than this build's " +
                                 std::to_string(latest_schema_version()));
    }
    for (const auto& m : all) {
        if (m.version <= version) continue;
        try {
            transaction tx(c);
            c.exec(m.sql);
            c.prepare("INSERT INTO schema_migrations (version, applied_at) VALUES (?1, ?2)")
                .bind(m.version, clock::unix_ms())
                .run();
            tx.commit();
        } catch (const sqlite_error& e) {
            throw std::runtime_error("migration " + std::to_string(m.version) + " (" +
                                     std::string(m.name) + ") failed: " + e.detail());
        }
        version = m.version;
        log::info("applied migration", {{"version", m.version}, {"name", m.name}});
    }
    return version;
}

}  // namespace driftway::store::sqlite
