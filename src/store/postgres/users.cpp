#include "postgres/repositories.hpp"

namespace driftway::store::postgres {

namespace {

// Columns in the order every query below selects them.
user read_user(const statement& st) {
    user u;
    u.id = st.id(0);
    u.username = st.text(1);
    u.email = st.text(2);
    u.password_hash = st.text(3);
    u.display_name = st.text(4);
    u.avatar = st.optional_id(5);
    u.preferences = st.text(6);
    u.status = st.text(7);
    u.created_at = st.int64(8);
    u.last_active = st.int64(9);
    u.owner = st.boolean(10);
    return u;
}

// The unique indexes on users (migration 1) name the field taken.
std::optional<error> taken(const constraint_violation& v) {
    if (v.sqlstate() != "23505") return std::nullopt;  // unique_violation
    if (v.constraint() == "users_username_key") {
        return error::conflict("username_taken", "that username is taken");
    }
    if (v.constraint() == "users_email_key") {
        return error::conflict("email_taken", "an account with that email already exists");
    }
    return std::nullopt;
}

}  // namespace

task<result<user>> user_repo::create(user u, bool make_owner_if_first) {
    try {
        co_return co_await exec_.write([&](connection& c) -> result<user> {
            // Inside the write transaction, so two first sign-ups cannot both
            // see an empty table: the writer runs one transaction at a time.
            if (make_owner_if_first && !c.prepare("SELECT 1 FROM users LIMIT 1").step()) {
                u.owner = true;
            }
            try {
                c.prepare(
                     "INSERT INTO users (id, username, email, password_hash, display_name, avatar,"
                     " preferences, status, created_at, last_active, owner)"
                     " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)")
                    .bind(u.id, u.username, u.email, u.password_hash, u.display_name, u.avatar,
                          u.preferences, u.status, u.created_at, u.last_active, u.owner)
                    .run();
            } catch (const constraint_violation& v) {
                if (auto e = taken(v)) return *e;
                throw;
            }
            // Also when the caller created the owner explicitly (admin command).
            if (u.owner) {
                c.prepare("UPDATE instance SET owner_id = $1 WHERE id = 1").bind(u.id).run();
            }
            return u;
        });
    } catch (const error_exception& e) {
        co_return e.get();
    }
}

task<std::optional<user>> user_repo::by_id(id_t id) {
    co_return co_await exec_.read([id](connection& c) -> std::optional<user> {
        auto st = c.prepare(
            "SELECT id, username, email, password_hash, display_name, avatar, preferences, status,"
            " created_at, last_active, owner FROM users WHERE id = $1");
        if (!st.bind(id).step()) return std::nullopt;
        return read_user(st);
    });
}

task<std::optional<user>> user_repo::by_login(std::string login) {
    co_return co_await exec_.read([&](connection& c) -> std::optional<user> {
        // Both sides compare lower(), as the unique indexes do, so each side
        // of the OR uses its index. A username match wins over an email match
        // of another account.
        auto st = c.prepare(
            "SELECT id, username, email, password_hash, display_name, avatar, preferences, status,"
            " created_at, last_active, owner FROM users WHERE lower(username) = lower($1) OR "
            "lower(email) = lower($1)"
            " ORDER BY lower(username) = lower($1) DESC LIMIT 1");
        if (!st.bind(login).step()) return std::nullopt;
        return read_user(st);
    });
}

task<result<user>> user_repo::update(id_t id, user_update changes) {
    try {
        co_return co_await exec_.write([&](connection& c) -> result<user> {
            // NULL means "unchanged" for the text fields; the avatar can be
            // cleared too, so it says what to do in $3: keep, clear or set $4.
            enum avatar_change : int { keep = 0, clear = 1, set = 2 };
            avatar_change avatar_op = keep;
            id_t avatar = 0;
            if (changes.avatar) {
                avatar_op = changes.avatar->has_value() ? set : clear;
                avatar = changes.avatar->value_or(0);
            }
            auto st = c.prepare(
                "UPDATE users SET"
                " display_name = coalesce($2, display_name),"
                " avatar = CASE $3::integer WHEN 0 THEN avatar WHEN 1 THEN NULL ELSE $4::bigint "
                "END,"
                " preferences = coalesce($5, preferences),"
                " status = coalesce($6, status)"
                " WHERE id = $1 RETURNING id, username, email, password_hash, display_name, avatar,"
                " preferences, status, created_at, last_active, owner");
            st.bind(id, changes.display_name, static_cast<int>(avatar_op), avatar,
                    changes.preferences, changes.status);
            if (!st.step()) return error::not_found("user");
            return read_user(st);
        });
    } catch (const error_exception& e) {
        co_return e.get();
    }
}

task<void> user_repo::touch(id_t id, std::int64_t last_active_ms) {
    co_await exec_.write([&](connection& c) {
        // greatest(): touches that arrive out of order never move it backwards.
        c.prepare("UPDATE users SET last_active = greatest(last_active, $2) WHERE id = $1")
            .bind(id, last_active_ms)
            .run();
    });
}

task<std::int64_t> user_repo::count() {
    co_return co_await exec_.read([](connection& c) {
        auto st = c.prepare("SELECT count(*) FROM users");
        st.step();
        return st.int64(0);
    });
}

}  // namespace driftway::store::postgres
