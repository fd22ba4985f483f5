#include "sqlite/text_repositories.hpp"
#include "sqlite/text_rows.hpp"

namespace driftway::store::sqlite {

namespace {

std::optional<member> select_member(connection& c, id_t space_id, id_t user_id) {
    static const std::string sql =
        sql_text("SELECT ", member_columns, " FROM members WHERE space_id = ?1 AND user_id = ?2");
    auto st = c.prepare(sql);
    if (!st.bind(space_id, user_id).step()) return std::nullopt;
    auto m = read_member(st);
    load_member_roles(c, std::span(&m, 1));
    return m;
}

std::vector<member> select_members(statement& st, connection& c) {
    std::vector<member> out;
    while (st.step()) out.push_back(read_member(st));
    load_member_roles(c, out);
    return out;
}

// A LIKE pattern matching text that starts with prefix, taken literally.
std::string starts_with_pattern(std::string_view prefix) {
    std::string out;
    for (const char ch : prefix) {
        if (ch == '\\' || ch == '%' || ch == '_') out += '\\';
        out += ch;
    }
    out += '%';
    return out;
}

}  // namespace

task<result<member>> member_repo::add(member m) {
    try {
        co_return co_await exec_.write([&](connection& c) -> result<member> {
            if (select_member(c, m.space_id, m.user_id)) {
                return error::conflict("already_member", "already a member of this space");
            }
            insert_member(c, m);
            return *select_member(c, m.space_id, m.user_id);
        });
    } catch (const error_exception& e) {
        co_return e.get();
    }
}

task<std::optional<member>> member_repo::get(id_t space_id, id_t user_id) {
    co_return co_await exec_.read(
        [&](connection& c) { return select_member(c, space_id, user_id); });
}

task<std::vector<member>> member_repo::list(id_t space_id, id_t after, int limit) {
    co_return co_await exec_.read([&](connection& c) {
        static const std::string sql = sql_text(
            "SELECT ", member_columns,
            " FROM members WHERE space_id = ?1 AND user_id > ?2 ORDER BY user_id LIMIT ?3");
        auto st = c.prepare(sql);
        st.bind(space_id, after, limit);
        return select_members(st, c);
    });
}

// LIKE folds ASCII case only, as the NOCASE username index does.
task<std::vector<member>> member_repo::search(id_t space_id, std::string prefix, int limit) {
    co_return co_await exec_.read([&](connection& c) {
        auto st = c.prepare(
            "SELECT m.space_id, m.user_id, m.nick, m.joined_at, m.communication_disabled_until,"
            " m.mute, m.deaf FROM members m JOIN users u ON u.id = m.user_id"
            " WHERE m.space_id = ?1 AND (u.username LIKE ?2 ESCAPE '\\'"
            " OR u.display_name LIKE ?2 ESCAPE '\\' OR m.nick LIKE ?2 ESCAPE '\\')"
            " ORDER BY m.user_id LIMIT ?3");
        st.bind(space_id, starts_with_pattern(prefix), limit);
        return select_members(st, c);
    });
}

task<result<member>> member_repo::update(id_t space_id, id_t user_id, member_update u) {
    try {
        co_return co_await exec_.write([&](connection& c) -> result<member> {
            // The nick can be cleared too, so ?3 says what to do with it:
            // keep, clear or set ?4.
            enum nick_change : int { keep = 0, clear = 1, set = 2 };
            nick_change nick_op = keep;
            std::string nick;
            if (u.nick) {
                nick_op = u.nick->has_value() ? set : clear;
                nick = u.nick->value_or("");
            }
            c.prepare(
                 "UPDATE members SET"
                 " nick = CASE ?3 WHEN 0 THEN nick WHEN 1 THEN NULL ELSE ?4 END,"
                 " communication_disabled_until = coalesce(?5, communication_disabled_until),"
                 " mute = coalesce(?6, mute), deaf = coalesce(?7, deaf)"
                 " WHERE space_id = ?1 AND user_id = ?2")
                .bind(space_id, user_id, static_cast<int>(nick_op), nick,
                      u.communication_disabled_until, u.mute, u.deaf)
                .run();
            if (c.changes() == 0) return error::not_found("member");
            if (u.role_ids) set_member_roles(c, space_id, user_id, *u.role_ids);
            return *select_member(c, space_id, user_id);
        });
    } catch (const error_exception& e) {
        co_return e.get();
    }
}

// Its member_roles rows go with it (foreign key cascade).
task<bool> member_repo::remove(id_t space_id, id_t user_id) {
    co_return co_await exec_.write([&](connection& c) {
        c.prepare("DELETE FROM members WHERE space_id = ?1 AND user_id = ?2")
            .bind(space_id, user_id)
            .run();
        return c.changes() > 0;
    });
}

task<std::int64_t> member_repo::count(id_t space_id) {
    co_return co_await exec_.read([space_id](connection& c) {
        auto st = c.prepare("SELECT count(*) FROM members WHERE space_id = ?1");
        st.bind(space_id).step();
        return st.int64(0);
    });
}

task<std::vector<id_t>> member_repo::space_peers(id_t user_id) {
    co_return co_await exec_.read([user_id](connection& c) {
        std::vector<id_t> out;
        auto st = c.prepare(
            "SELECT DISTINCT peer.user_id FROM members mine"
            " JOIN members peer ON peer.space_id = mine.space_id"
            " WHERE mine.user_id = ?1 AND peer.user_id != ?1 ORDER BY peer.user_id");
        st.bind(user_id);
        while (st.step()) out.push_back(st.id(0));
        return out;
    });
}

}  // namespace driftway::store::sqlite
