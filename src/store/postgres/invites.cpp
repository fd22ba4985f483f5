#include "postgres/text_repositories.hpp"
#include "postgres/text_rows.hpp"

namespace driftway::store::postgres {

namespace {

constexpr std::string_view invite_columns =
    "code, space_id, creator_id, uses, max_uses, expires_at, created_at";

invite read_invite(const statement& st) {
    invite i;
    i.code = st.text(0);
    i.space_id = st.id(1);
    i.creator_id = st.id(2);
    i.uses = static_cast<int>(st.int64(3));
    i.max_uses = static_cast<int>(st.int64(4));
    i.expires_at = st.int64(5);
    i.created_at = st.int64(6);
    return i;
}

std::optional<invite> select_invite(connection& c, const std::string& code) {
    static const std::string sql =
        sql_text("SELECT ", invite_columns, " FROM invites WHERE code = $1");
    auto st = c.prepare(sql);
    if (!st.bind(code).step()) return std::nullopt;
    return read_invite(st);
}

bool usable(const invite& i, std::int64_t now_ms) {
    const bool expired = i.expires_at != 0 && i.expires_at <= now_ms;
    const bool used_up = i.max_uses != 0 && i.uses >= i.max_uses;
    return !expired && !used_up;
}

}  // namespace

task<void> invite_repo::create(invite i) {
    co_await exec_.write([&](connection& c) {
        c.prepare(
             "INSERT INTO invites (code, space_id, creator_id, uses, max_uses, expires_at,"
             " created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
            .bind(i.code, i.space_id, i.creator_id, i.uses, i.max_uses, i.expires_at, i.created_at)
            .run();
    });
}

task<std::optional<invite>> invite_repo::get(std::string code) {
    co_return co_await exec_.read([&](connection& c) { return select_invite(c, code); });
}

task<std::vector<invite>> invite_repo::list(id_t space_id) {
    co_return co_await exec_.read([space_id](connection& c) {
        static const std::string sql = sql_text("SELECT ", invite_columns,
                                                " FROM invites WHERE space_id = $1"
                                                " ORDER BY created_at, code");
        std::vector<invite> out;
        auto st = c.prepare(sql);
        st.bind(space_id);
        while (st.step()) out.push_back(read_invite(st));
        return out;
    });
}

task<bool> invite_repo::remove(std::string code) {
    co_return co_await exec_.write([&](connection& c) {
        c.prepare("DELETE FROM invites WHERE code = $1").bind(code).run();
        return c.changes() > 0;
    });
}

// One write transaction, so two users redeeming the last use of an invite
// cannot both get in: the writer runs one transaction at a time.
task<result<member>> invite_repo::redeem(std::string code, id_t user_id, std::int64_t now_ms) {
    try {
        co_return co_await exec_.write([&](connection& c) -> result<member> {
            const auto i = select_invite(c, code);
            if (!i || !usable(*i, now_ms)) return error::not_found("invite");
            if (c.prepare("SELECT 1 FROM bans WHERE space_id = $1 AND user_id = $2")
                    .bind(i->space_id, user_id)
                    .step()) {
                return error::forbidden("banned", "you are banned from this space");
            }
            if (c.prepare("SELECT 1 FROM members WHERE space_id = $1 AND user_id = $2")
                    .bind(i->space_id, user_id)
                    .step()) {
                return error::conflict("already_member", "already a member of this space");
            }
            c.prepare("UPDATE invites SET uses = uses + 1 WHERE code = $1").bind(code).run();
            member m;
            m.space_id = i->space_id;
            m.user_id = user_id;
            m.joined_at = now_ms;
            insert_member(c, m);
            return m;
        });
    } catch (const error_exception& e) {
        co_return e.get();
    }
}

}  // namespace driftway::store::postgres
