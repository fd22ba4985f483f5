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

// The text domain. Deleting a parent takes what only lives inside it
// (a space: its roles, members, channels, invites, bans and audit log; a
// channel: its messages, overwrites, recipients and read states; a message:
// its reactions, mentions and attachments). References to users cascade only
// where the row means nothing without the user (memberships, recipients,
// reactions, read states); authors, owners and uploaders do not, as what
// they made outlives them. Permission bit sets are uint64 stored as the
// signed 64-bit INTEGER with the same bits.
constexpr const char* v2_text = R"sql(
CREATE TABLE spaces (
    id         INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL,
    icon       INTEGER NULL,
    owner_id   INTEGER NOT NULL REFERENCES users (id),
    created_at INTEGER NOT NULL
);

CREATE TABLE roles (
    id          INTEGER PRIMARY KEY,
    space_id    INTEGER NOT NULL REFERENCES spaces (id) ON DELETE CASCADE,
    name        TEXT    NOT NULL,
    permissions INTEGER NOT NULL DEFAULT 0,
    position    INTEGER NOT NULL DEFAULT 0,
    color       INTEGER NOT NULL DEFAULT 0,
    hoist       INTEGER NOT NULL DEFAULT 0,
    mentionable INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX roles_space_id ON roles (space_id, position);

CREATE TABLE members (
    space_id  INTEGER NOT NULL REFERENCES spaces (id) ON DELETE CASCADE,
    user_id   INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    nick      TEXT    NULL,
    joined_at INTEGER NOT NULL,
    communication_disabled_until INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (space_id, user_id)
) WITHOUT ROWID;
CREATE INDEX members_user_id ON members (user_id);

CREATE TABLE member_roles (
    space_id INTEGER NOT NULL,
    user_id  INTEGER NOT NULL,
    role_id  INTEGER NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
    PRIMARY KEY (space_id, user_id, role_id),
    FOREIGN KEY (space_id, user_id) REFERENCES members (space_id, user_id) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE INDEX member_roles_role_id ON member_roles (role_id);

CREATE TABLE bans (
    space_id   INTEGER NOT NULL REFERENCES spaces (id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    reason     TEXT    NOT NULL DEFAULT '',
    banned_by  INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (space_id, user_id)
) WITHOUT ROWID;

CREATE TABLE invites (
    code       TEXT    PRIMARY KEY,
    space_id   INTEGER NOT NULL REFERENCES spaces (id) ON DELETE CASCADE,
    creator_id INTEGER NOT NULL,
    uses       INTEGER NOT NULL DEFAULT 0,
    max_uses   INTEGER NOT NULL DEFAULT 0,
    expires_at INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX invites_space_id ON invites (space_id);

-- parent_id is 0 or a category or, for a thread, its channel; it is not a
-- foreign key because deleting a category keeps its channels (code moves
-- them out) while deleting a channel takes its threads (code deletes them).
CREATE TABLE channels (
    id                INTEGER PRIMARY KEY,
    space_id          INTEGER NULL REFERENCES spaces (id) ON DELETE CASCADE,
    name              TEXT    NOT NULL DEFAULT '',
    type              TEXT    NOT NULL
        CHECK (type IN ('text', 'voice', 'category', 'thread', 'dm', 'group_dm')),
    topic             TEXT    NOT NULL DEFAULT '',
    parent_id         INTEGER NOT NULL DEFAULT 0,
    position          INTEGER NOT NULL DEFAULT 0,
    owner_id          INTEGER NOT NULL DEFAULT 0,
    origin_message_id INTEGER NOT NULL DEFAULT 0,
    last_message_id   INTEGER NOT NULL DEFAULT 0,
    created_at        INTEGER NOT NULL
);
CREATE INDEX channels_space_id ON channels (space_id, position, id);
CREATE INDEX channels_parent_id ON channels (parent_id);

CREATE TABLE channel_overwrites (
    channel_id INTEGER NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    target_id  INTEGER NOT NULL,
    is_member  INTEGER NOT NULL,
    allow      INTEGER NOT NULL DEFAULT 0,
    deny       INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (channel_id, target_id)
) WITHOUT ROWID;

CREATE TABLE channel_recipients (
    channel_id INTEGER NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (channel_id, user_id)
) WITHOUT ROWID;
CREATE INDEX channel_recipients_user_id ON channel_recipients (user_id);

-- nonce idempotency holds for 10 minutes, so (author_id, nonce) is a lookup
-- index, not a unique one: a nonce may come back after the window. Queries
-- must say nonce != '' for SQLite to use the partial index.
CREATE TABLE messages (
    id               INTEGER PRIMARY KEY,
    channel_id       INTEGER NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    author_id        INTEGER NOT NULL REFERENCES users (id),
    content          TEXT    NOT NULL,
    created_at       INTEGER NOT NULL,
    edited_at        INTEGER NOT NULL DEFAULT 0,
    reply_to         INTEGER NOT NULL DEFAULT 0,
    pinned           INTEGER NOT NULL DEFAULT 0,
    nonce            TEXT    NOT NULL DEFAULT '',
    mention_everyone INTEGER NOT NULL DEFAULT 0,
    thread_id        INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX messages_channel_id ON messages (channel_id, id);
CREATE INDEX messages_author_nonce ON messages (author_id, nonce, created_at)
    WHERE nonce != '';
CREATE INDEX messages_author_created ON messages (author_id, created_at);
CREATE INDEX messages_pinned ON messages (channel_id, id) WHERE pinned != 0;

CREATE TABLE message_mentions (
    message_id INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL,
    PRIMARY KEY (message_id, user_id)
) WITHOUT ROWID;

-- The rowid orders a message's reactions by when each emoji first appeared.
CREATE TABLE reactions (
    id         INTEGER PRIMARY KEY,
    message_id INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    emoji      TEXT    NOT NULL,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    UNIQUE (message_id, emoji, user_id)
);

CREATE TABLE attachments (
    id           INTEGER PRIMARY KEY,
    uploader_id  INTEGER NOT NULL REFERENCES users (id),
    message_id   INTEGER NULL REFERENCES messages (id) ON DELETE CASCADE,
    channel_id   INTEGER NULL,
    filename     TEXT    NOT NULL,
    content_type TEXT    NOT NULL,
    size         INTEGER NOT NULL,
    sha256       TEXT    NOT NULL,
    created_at   INTEGER NOT NULL
);
CREATE INDEX attachments_message_id ON attachments (message_id);

CREATE TABLE read_states (
    user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    channel_id    INTEGER NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    last_read_id  INTEGER NOT NULL DEFAULT 0,
    mention_count INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (user_id, channel_id)
) WITHOUT ROWID;
CREATE INDEX read_states_channel_id ON read_states (channel_id);

CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY,
    space_id   INTEGER NOT NULL REFERENCES spaces (id) ON DELETE CASCADE,
    actor_id   INTEGER NOT NULL,
    action     TEXT    NOT NULL,
    target_id  INTEGER NOT NULL DEFAULT 0,
    changes    TEXT    NOT NULL DEFAULT '{}',
    reason     TEXT    NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL
);
CREATE INDEX audit_log_space_id ON audit_log (space_id, id);

-- Full-text index over messages.content without a second copy of the text
-- (external content). New messages wait in messages_fts_pending and are
-- indexed together just before their transaction commits (see
-- search_index.cpp): FTS5 writes a segment whenever a savepoint opens, so
-- indexing each message of a group commit as it is inserted would write one
-- segment per message. Edits and deletes keep the index in step at once,
-- cascaded deletes included; a message still pending is only unqueued.
CREATE VIRTUAL TABLE messages_fts USING fts5 (
    content,
    content = 'messages',
    content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TABLE messages_fts_pending (
    id INTEGER PRIMARY KEY
);
CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
    INSERT INTO messages_fts_pending (id) VALUES (new.id);
END;
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, content)
        SELECT 'delete', old.id, old.content
        WHERE NOT EXISTS (SELECT 1 FROM messages_fts_pending WHERE id = old.id);
    DELETE FROM messages_fts_pending WHERE id = old.id;
END;
CREATE TRIGGER messages_fts_update AFTER UPDATE OF content ON messages
WHEN NOT EXISTS (SELECT 1 FROM messages_fts_pending WHERE id = new.id) BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, content) VALUES ('delete', old.id, old.content);
    INSERT INTO messages_fts (rowid, content) VALUES (new.id, new.content);
END;
)sql";

// Server mute and deafen of a member, applied to every voice join (docs/voice.md).
constexpr const char* v3_voice_moderation = R"sql(
ALTER TABLE members ADD COLUMN mute INTEGER NOT NULL DEFAULT 0;
ALTER TABLE members ADD COLUMN deaf INTEGER NOT NULL DEFAULT 0;
)sql";

// The outbox of asynchronous work and the dead letters of jobs that failed
// their last attempt (docs/decisions/0015). Due, unclaimed jobs are found by
// run_at; claimed_until is the lease of the node running one (0: none).
constexpr const char* v4_jobs = R"sql(
CREATE TABLE jobs (
    id            INTEGER PRIMARY KEY,
    kind          TEXT    NOT NULL,
    payload       TEXT    NOT NULL,
    run_at        INTEGER NOT NULL,
    attempts      INTEGER NOT NULL DEFAULT 0,
    last_error    TEXT    NOT NULL DEFAULT '',
    created_at    INTEGER NOT NULL,
    claimed_until INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX jobs_run_at ON jobs (run_at);

CREATE TABLE dead_letters (
    id         INTEGER PRIMARY KEY,
    kind       TEXT    NOT NULL,
    payload    TEXT    NOT NULL,
    attempts   INTEGER NOT NULL,
    last_error TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    failed_at  INTEGER NOT NULL
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
