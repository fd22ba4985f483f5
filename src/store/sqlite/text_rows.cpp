#include "sqlite/text_rows.hpp"

#include <array>
#include <unordered_map>

namespace driftway::store::sqlite {

namespace {

constexpr std::array<std::string_view, 6> channel_type_names{"text",   "voice", "category",
                                                             "thread", "dm",    "group_dm"};

int small_int(const statement& st, int column) {
    return static_cast<int>(st.int64(column));
}

}  // namespace

space read_space(const statement& st, int first) {
    space s;
    s.id = st.id(first);
    s.name = st.text(first + 1);
    s.icon = st.optional_id(first + 2);
    s.owner_id = st.id(first + 3);
    s.created_at = st.int64(first + 4);
    return s;
}

role read_role(const statement& st, int first) {
    role r;
    r.id = st.id(first);
    r.space_id = st.id(first + 1);
    r.name = st.text(first + 2);
    r.permissions = st.id(first + 3);
    r.position = small_int(st, first + 4);
    r.color = static_cast<std::uint32_t>(st.int64(first + 5));
    r.hoist = st.boolean(first + 6);
    r.mentionable = st.boolean(first + 7);
    return r;
}

member read_member(const statement& st, int first) {
    member m;
    m.space_id = st.id(first);
    m.user_id = st.id(first + 1);
    if (!st.is_null(first + 2)) m.nick = st.text(first + 2);
    m.joined_at = st.int64(first + 3);
    m.communication_disabled_until = st.int64(first + 4);
    m.mute = st.boolean(first + 5);
    m.deaf = st.boolean(first + 6);
    return m;
}

channel read_channel(const statement& st, int first) {
    channel ch;
    ch.id = st.id(first);
    ch.space_id = st.optional_id(first + 1).value_or(0);
    ch.name = st.text(first + 2);
    ch.type = channel_type_from(st.text(first + 3));
    ch.topic = st.text(first + 4);
    ch.parent_id = st.id(first + 5);
    ch.position = small_int(st, first + 6);
    ch.owner_id = st.id(first + 7);
    ch.origin_message_id = st.id(first + 8);
    ch.last_message_id = st.id(first + 9);
    ch.created_at = st.int64(first + 10);
    return ch;
}

message read_message(const statement& st, int first) {
    message m;
    m.id = st.id(first);
    m.channel_id = st.id(first + 1);
    m.author_id = st.id(first + 2);
    m.content = st.text(first + 3);
    m.created_at = st.int64(first + 4);
    m.edited_at = st.int64(first + 5);
    m.reply_to = st.id(first + 6);
    m.pinned = st.boolean(first + 7);
    m.nonce = st.text(first + 8);
    m.mention_everyone = st.boolean(first + 9);
    m.thread_id = st.id(first + 10);
    return m;
}

attachment read_attachment(const statement& st, int first) {
    attachment a;
    a.id = st.id(first);
    a.uploader_id = st.id(first + 1);
    a.message_id = st.optional_id(first + 2).value_or(0);
    a.channel_id = st.optional_id(first + 3).value_or(0);
    a.filename = st.text(first + 4);
    a.content_type = st.text(first + 5);
    a.size = st.int64(first + 6);
    a.sha256 = st.text(first + 7);
    a.created_at = st.int64(first + 8);
    return a;
}

std::string_view to_text(channel_type t) noexcept {
    return channel_type_names[static_cast<std::size_t>(t)];
}

// The CHECK constraint admits only the names above; a row edited by hand to
// something else reads as a text channel.
channel_type channel_type_from(std::string_view text) noexcept {
    for (std::size_t i = 0; i < channel_type_names.size(); ++i) {
        if (channel_type_names[i] == text) return static_cast<channel_type>(i);
    }
    return channel_type::text;
}

std::string id_list(std::span<const id_t> ids) {
    std::string out = "[";
    for (const auto id : ids) {
        if (out.size() > 1) out += ',';
        // As stored: ids travel through SQLite as signed 64-bit integers.
        out += std::to_string(static_cast<std::int64_t>(id));
    }
    out += ']';
    return out;
}

void insert_role(connection& c, const role& r) {
    c.prepare(
         "INSERT INTO roles (id, space_id, name, permissions, position, color, hoist, mentionable)"
         " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")
        .bind(r.id, r.space_id, r.name, r.permissions, r.position, r.color, r.hoist, r.mentionable)
        .run();
}

void insert_channel(connection& c, const channel& ch) {
    const std::optional<id_t> space_id =
        ch.space_id != 0 ? std::optional<id_t>(ch.space_id) : std::nullopt;
    c.prepare(
         "INSERT INTO channels (id, space_id, name, type, topic, parent_id, position, owner_id,"
         " origin_message_id, last_message_id, created_at)"
         " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)")
        .bind(ch.id, space_id, ch.name, to_text(ch.type), ch.topic, ch.parent_id, ch.position,
              ch.owner_id, ch.origin_message_id, ch.last_message_id, ch.created_at)
        .run();
    for (const auto& o : ch.overwrites) {
        c.prepare(
             "INSERT INTO channel_overwrites (channel_id, target_id, is_member, allow, deny)"
             " VALUES (?1, ?2, ?3, ?4, ?5)")
            .bind(ch.id, o.id, o.is_member, o.allow, o.deny)
            .run();
    }
    for (const auto user_id : ch.recipients) {
        c.prepare("INSERT OR IGNORE INTO channel_recipients (channel_id, user_id) VALUES (?1, ?2)")
            .bind(ch.id, user_id)
            .run();
    }
}

void insert_member(connection& c, const member& m) {
    c.prepare(
         "INSERT INTO members (space_id, user_id, nick, joined_at, communication_disabled_until,"
         " mute, deaf) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")
        .bind(m.space_id, m.user_id, m.nick, m.joined_at, m.communication_disabled_until, m.mute,
              m.deaf)
        .run();
    set_member_roles(c, m.space_id, m.user_id, m.role_ids);
}

void set_member_roles(connection& c, id_t space_id, id_t user_id, std::span<const id_t> role_ids) {
    c.prepare("DELETE FROM member_roles WHERE space_id = ?1 AND user_id = ?2")
        .bind(space_id, user_id)
        .run();
    for (const auto role_id : role_ids) {
        c.prepare(
             "INSERT OR IGNORE INTO member_roles (space_id, user_id, role_id)"
             " VALUES (?1, ?2, ?3)")
            .bind(space_id, user_id, role_id)
            .run();
    }
}

void load_member_roles(connection& c, std::span<member> members) {
    if (members.empty()) return;
    std::unordered_map<id_t, member*> by_user;
    std::vector<id_t> user_ids;
    for (auto& m : members) {
        by_user.emplace(m.user_id, &m);
        user_ids.push_back(m.user_id);
    }
    auto st = c.prepare(
        "SELECT user_id, role_id FROM member_roles"
        " WHERE space_id = ?1 AND user_id IN (SELECT value FROM json_each(?2))"
        " ORDER BY user_id, role_id");
    st.bind(members.front().space_id, id_list(user_ids));
    while (st.step()) {
        if (auto it = by_user.find(st.id(0)); it != by_user.end()) {
            it->second->role_ids.push_back(st.id(1));
        }
    }
}

void load_channel_details(connection& c, std::span<channel> channels) {
    if (channels.empty()) return;
    std::unordered_map<id_t, channel*> by_id;
    std::vector<id_t> ids;
    for (auto& ch : channels) {
        by_id.emplace(ch.id, &ch);
        ids.push_back(ch.id);
    }
    const auto list = id_list(ids);
    auto overwrites = c.prepare(
        "SELECT channel_id, target_id, is_member, allow, deny FROM channel_overwrites"
        " WHERE channel_id IN (SELECT value FROM json_each(?1)) ORDER BY channel_id, target_id");
    overwrites.bind(list);
    while (overwrites.step()) {
        if (auto it = by_id.find(overwrites.id(0)); it != by_id.end()) {
            it->second->overwrites.push_back({.id = overwrites.id(1),
                                              .is_member = overwrites.boolean(2),
                                              .allow = overwrites.id(3),
                                              .deny = overwrites.id(4)});
        }
    }
    auto recipients = c.prepare(
        "SELECT channel_id, user_id FROM channel_recipients"
        " WHERE channel_id IN (SELECT value FROM json_each(?1)) ORDER BY channel_id, user_id");
    recipients.bind(list);
    while (recipients.step()) {
        if (auto it = by_id.find(recipients.id(0)); it != by_id.end()) {
            it->second->recipients.push_back(recipients.id(1));
        }
    }
}

}  // namespace driftway::store::sqlite
