#include "postgres/migrations.hpp"

#include "driftway/core/clock.hpp"
#include "driftway/core/log.hpp"

#include <array>
#include <stdexcept>
#include <string>

namespace driftway::store::postgres {

namespace {

// The same logical schema as the SQLite backend (sqlite/migrations.cpp),
// version for version. Differences come from the engines: ids and Unix-ms
// times are BIGINT (snowflakes fit in int64; permission bit sets are uint64
// stored as the int64 with the same bits), flags are BOOLEAN, usernames and
// emails are unique by lower() (SQLite's NOCASE), and autoincrementing ids use
// identity columns.
constexpr const char* v1_accounts = R"sql(
CREATE TABLE users (
    id            BIGINT  PRIMARY KEY,
    username      TEXT    NOT NULL,
    email         TEXT    NOT NULL,
    password_hash TEXT    NOT NULL,
    display_name  TEXT    NOT NULL,
    avatar        BIGINT  NULL,
    preferences   TEXT    NOT NULL DEFAULT '{}',
    status        TEXT    NOT NULL DEFAULT 'online',
    created_at    BIGINT  NOT NULL,
    last_active   BIGINT  NOT NULL,
    owner         BOOLEAN NOT NULL DEFAULT false
);
CREATE UNIQUE INDEX users_username_key ON users (lower(username));
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

CREATE TABLE refresh_tokens (
    token_hash TEXT    PRIMARY KEY,
    user_id    BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    family     TEXT    NOT NULL,
    created_at BIGINT  NOT NULL,
    expires_at BIGINT  NOT NULL,
    spent      BOOLEAN NOT NULL DEFAULT false,
    revoked    BOOLEAN NOT NULL DEFAULT false
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family);
CREATE INDEX refresh_tokens_user_id ON refresh_tokens (user_id);

CREATE TABLE api_keys (
    id         BIGINT  PRIMARY KEY,
    owner_id   BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name       TEXT    NOT NULL,
    scopes     TEXT    NOT NULL DEFAULT '[]',
    key_hash   TEXT    NOT NULL UNIQUE,
    created_at BIGINT  NOT NULL,
    last_used  BIGINT  NOT NULL DEFAULT 0,
    revoked    BOOLEAN NOT NULL DEFAULT false
);
CREATE INDEX api_keys_owner_id ON api_keys (owner_id);

CREATE TABLE instance (
    id               INTEGER PRIMARY KEY CHECK (id = 1),
    name             TEXT    NOT NULL,
    registration     TEXT    NOT NULL,
    max_upload_bytes BIGINT  NOT NULL,
    owner_id         BIGINT  NULL REFERENCES users (id) ON DELETE SET NULL
);
INSERT INTO instance (id, name, registration, max_upload_bytes, owner_id)
VALUES (1, 'Driftway', 'open', 26214400, NULL);
)sql";

// The text domain; see sqlite/migrations.cpp for what cascades and why.
//
// Search: messages.search is a generated tsvector over the content with a GIN
// index, kept right by PostgreSQL through inserts, edits and deletes. The
// driftway_search configuration is `simple` (no stemming, no stop words, as
// FTS5's unicode61) behind `unaccent`, which folds diacritics. ASCII
// punctuation becomes spaces before parsing so that words split where FTS5
// splits them (the default parser would read "<script>" as one tag token and
// "a.b" as a host name); the replacement keeps every byte offset, which the
// highlighter relies on (message_search.cpp).
constexpr const char* v2_text = R"sql(
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE TEXT SEARCH CONFIGURATION driftway_search (COPY = simple);
ALTER TEXT SEARCH CONFIGURATION driftway_search
    ALTER MAPPING FOR word, hword, hword_part, numword, numhword WITH unaccent, simple;

CREATE TABLE spaces (
    id         BIGINT PRIMARY KEY,
    name       TEXT   NOT NULL,
    icon       BIGINT NULL,
    owner_id   BIGINT NOT NULL REFERENCES users (id),
    created_at BIGINT NOT NULL
);

CREATE TABLE roles (
    id          BIGINT  PRIMARY KEY,
    space_id    BIGINT  NOT NULL REFERENCES spaces (id) ON DELETE CASCADE,
    name        TEXT    NOT NULL,
    permissions BIGINT  NOT NULL DEFAULT 0,
    position    INTEGER NOT NULL DEFAULT 0,
    color       BIGINT  NOT NULL DEFAULT 0,
    hoist       BOOLEAN NOT NULL DEFAULT false,
    mentionable BOOLEAN NOT NULL DEFAULT false
);
CREATE INDEX roles_space_id ON roles (space_id, position);

CREATE TABLE members (
    space_id  BIGINT NOT NULL REFERENCES spaces (id) ON DELETE CASCADE,
    user_id   BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    nick      TEXT   NULL,
    joined_at BIGINT NOT NULL,
    communication_disabled_until BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (space_id, user_id)
);
CREATE INDEX members_user_id ON members (user_id);

CREATE TABLE member_roles (
    space_id BIGINT NOT NULL,
    user_id  BIGINT NOT NULL,
    role_id  BIGINT NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
    PRIMARY KEY (space_id, user_id, role_id),
    FOREIGN KEY (space_id, user_id) REFERENCES members (space_id, user_id) ON DELETE CASCADE
);
CREATE INDEX member_roles_role_id ON member_roles (role_id);

CREATE TABLE bans (
    space_id   BIGINT NOT NULL REFERENCES spaces (id) ON DELETE CASCADE,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    reason     TEXT   NOT NULL DEFAULT '',
    banned_by  BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (space_id, user_id)
);

CREATE TABLE invites (
    code       TEXT    PRIMARY KEY,
    space_id   BIGINT  NOT NULL REFERENCES spaces (id) ON DELETE CASCADE,
    creator_id BIGINT  NOT NULL,
    uses       INTEGER NOT NULL DEFAULT 0,
    max_uses   INTEGER NOT NULL DEFAULT 0,
    expires_at BIGINT  NOT NULL DEFAULT 0,
    created_at BIGINT  NOT NULL
);
CREATE INDEX invites_space_id ON invites (space_id);

CREATE TABLE channels (
    id                BIGINT  PRIMARY KEY,
    space_id          BIGINT  NULL REFERENCES spaces (id) ON DELETE CASCADE,
    name              TEXT    NOT NULL DEFAULT '',
    type              TEXT    NOT NULL
        CHECK (type IN ('text', 'voice', 'category', 'thread', 'dm', 'group_dm')),
    topic             TEXT    NOT NULL DEFAULT '',
    parent_id         BIGINT  NOT NULL DEFAULT 0,
    position          INTEGER NOT NULL DEFAULT 0,
    owner_id          BIGINT  NOT NULL DEFAULT 0,
    origin_message_id BIGINT  NOT NULL DEFAULT 0,
    last_message_id   BIGINT  NOT NULL DEFAULT 0,
    created_at        BIGINT  NOT NULL
);
CREATE INDEX channels_space_id ON channels (space_id, position, id);
CREATE INDEX channels_parent_id ON channels (parent_id);

CREATE TABLE channel_overwrites (
    channel_id BIGINT  NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    target_id  BIGINT  NOT NULL,
    is_member  BOOLEAN NOT NULL,
    allow      BIGINT  NOT NULL DEFAULT 0,
    deny       BIGINT  NOT NULL DEFAULT 0,
    PRIMARY KEY (channel_id, target_id)
);

CREATE TABLE channel_recipients (
    channel_id BIGINT NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (channel_id, user_id)
);
CREATE INDEX channel_recipients_user_id ON channel_recipients (user_id);

CREATE TABLE messages (
    id               BIGINT  PRIMARY KEY,
    channel_id       BIGINT  NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    author_id        BIGINT  NOT NULL REFERENCES users (id),
    content          TEXT    NOT NULL,
    created_at       BIGINT  NOT NULL,
    edited_at        BIGINT  NOT NULL DEFAULT 0,
    reply_to         BIGINT  NOT NULL DEFAULT 0,
    pinned           BOOLEAN NOT NULL DEFAULT false,
    nonce            TEXT    NOT NULL DEFAULT '',
    mention_everyone BOOLEAN NOT NULL DEFAULT false,
    thread_id        BIGINT  NOT NULL DEFAULT 0,
    search           tsvector GENERATED ALWAYS AS (to_tsvector('driftway_search'::regconfig,
        regexp_replace(content, '[\x01-\x2F\x3A-\x40\x5B-\x60\x7B-\x7F]', ' ', 'g'))) STORED
);
CREATE INDEX messages_channel_id ON messages (channel_id, id);
CREATE INDEX messages_author_nonce ON messages (author_id, nonce, created_at)
    WHERE nonce <> '';
CREATE INDEX messages_author_created ON messages (author_id, created_at);
CREATE INDEX messages_pinned ON messages (channel_id, id) WHERE pinned;
CREATE INDEX messages_search ON messages USING GIN (search);

CREATE TABLE message_mentions (
    message_id BIGINT NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    user_id    BIGINT NOT NULL,
    PRIMARY KEY (message_id, user_id)
);

-- The identity orders a message's reactions by when each emoji first appeared.
CREATE TABLE reactions (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    message_id BIGINT NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    emoji      TEXT   NOT NULL,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    UNIQUE (message_id, emoji, user_id)
);

CREATE TABLE attachments (
    id           BIGINT PRIMARY KEY,
    uploader_id  BIGINT NOT NULL REFERENCES users (id),
    message_id   BIGINT NULL REFERENCES messages (id) ON DELETE CASCADE,
    channel_id   BIGINT NULL,
    filename     TEXT   NOT NULL,
    content_type TEXT   NOT NULL,
    size         BIGINT NOT NULL,
    sha256       TEXT   NOT NULL,
    created_at   BIGINT NOT NULL
);
CREATE INDEX attachments_message_id ON attachments (message_id);

CREATE TABLE read_states (
    user_id       BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    channel_id    BIGINT  NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    last_read_id  BIGINT  NOT NULL DEFAULT 0,
    mention_count INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (user_id, channel_id)
);
CREATE INDEX read_states_channel_id ON read_states (channel_id);

CREATE TABLE audit_log (
    id         BIGINT PRIMARY KEY,
    space_id   BIGINT NOT NULL REFERENCES spaces (id) ON DELETE CASCADE,
    actor_id   BIGINT NOT NULL,
    action     TEXT   NOT NULL,
    target_id  BIGINT NOT NULL DEFAULT 0,
    changes    TEXT   NOT NULL DEFAULT '{}',
    reason     TEXT   NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL
);
CREATE INDEX audit_log_space_id ON audit_log (space_id, id);
)sql";

// Server mute and deafen of a member, applied to every voice join (docs/voice.md).
constexpr const char* v3_voice_moderation = R"sql(
ALTER TABLE members ADD COLUMN mute BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE members ADD COLUMN deaf BOOLEAN NOT NULL DEFAULT false;
)sql";

// The outbox of asynchronous work and the dead letters of jobs that failed
// their last attempt (docs/decisions/0015). Due, unclaimed jobs are found by
// run_at; claimed_until is the lease of the node running one (0: none).
constexpr const char* v4_jobs = R"sql(
CREATE TABLE jobs (
    id            BIGINT  PRIMARY KEY,
    kind          TEXT    NOT NULL,
    payload       TEXT    NOT NULL,
    run_at        BIGINT  NOT NULL,
    attempts      INTEGER NOT NULL DEFAULT 0,
    last_error    TEXT    NOT NULL DEFAULT '',
    created_at    BIGINT  NOT NULL,
    claimed_until BIGINT  NOT NULL DEFAULT 0
);
CREATE INDEX jobs_run_at ON jobs (run_at);

CREATE TABLE dead_letters (
    id         BIGINT  PRIMARY KEY,
    kind       TEXT    NOT NULL,
    payload    TEXT    NOT NULL,
    attempts   INTEGER NOT NULL,
    last_error TEXT    NOT NULL,
    created_at BIGINT  NOT NULL,
    failed_at  BIGINT  NOT NULL
);
)sql";

constexpr std::array<migration, 4> all{{
    {1, "accounts", v1_accounts},
    {2, "text", v2_text},
    {3, "voice_moderation", v3_voice_moderation},
    {4, "jobs", v4_jobs},
}};

constexpr const char* create_ledger = R"sql(
CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    applied_at BIGINT  NOT NULL
)
)sql";

// Nodes of a cluster may start together: one migrates, the others wait on
// this session lock and then find nothing left to do. The key is arbitrary
// but fixed ("driftway" in ASCII).
constexpr const char* lock_sql = "SELECT pg_advisory_lock(7237954705745551737)";
constexpr const char* unlock_sql = "SELECT pg_advisory_unlock(7237954705745551737)";

}  // namespace

std::span<const migration> migrations() {
    return all;
}

int latest_schema_version() {
    return all.back().version;
}

int schema_version(connection& c) {
    auto ledger = c.prepare("SELECT to_regclass('schema_migrations') IS NOT NULL");
    if (!ledger.step() || !ledger.boolean(0)) return 0;
    auto st = c.prepare("SELECT coalesce(max(version), 0) FROM schema_migrations");
    st.step();
    return static_cast<int>(st.int64(0));
}

int migrate(connection& c) {
    try {
        c.exec(lock_sql);
    } catch (const pg_error& e) {
        throw std::runtime_error("cannot lock for migrations: " + e.detail());
    }
    struct unlock {
        connection& c;
        ~unlock() {
            try {
                c.exec(unlock_sql);
            } catch (const pg_error&) {
                // The lock goes with the session anyway.
            }
        }
    } unlock_at_exit{c};
    try {
        c.exec(create_ledger);
    } catch (const pg_error& e) {
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
            c.prepare("INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)")
                .bind(m.version, clock::unix_ms())
                .run();
            tx.commit();
        } catch (const pg_error& e) {
            throw std::runtime_error("migration " + std::to_string(m.version) + " (" +
                                     std::string(m.name) + ") failed: " + e.detail());
        }
        version = m.version;
        log::info("applied migration", {{"version", m.version}, {"name", m.name}});
    }
    return version;
}

}  // namespace driftway::store::postgres
