#pragma once
// Rows of the text tables as the repositories read and write them: the
// column list each reader expects (select exactly these, in this order, from
// column `first` on) and the inserts shared by more than one repository.
#include "driftway/store/text_models.hpp"
#include "sqlite/connection.hpp"

#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace driftway::store::sqlite {

inline constexpr std::string_view space_columns = "id, name, icon, owner_id, created_at";
inline constexpr std::string_view role_columns =
    "id, space_id, name, permissions, position, color, hoist, mentionable";
inline constexpr std::string_view member_columns =
    "space_id, user_id, nick, joined_at, communication_disabled_until, mute, deaf";
inline constexpr std::string_view channel_columns =
    "id, space_id, name, type, topic, parent_id, position, owner_id, origin_message_id,"
    " last_message_id, created_at";
inline constexpr std::string_view message_columns =
    "id, channel_id, author_id, content, created_at, edited_at, reply_to, pinned, nonce,"
    " mention_everyone, thread_id";
inline constexpr std::string_view attachment_columns =
    "id, uploader_id, message_id, channel_id, filename, content_type, size, sha256, created_at";

// Glues SQL text together once, for queries built from the column lists:
//     static const std::string sql = sql_text("SELECT ", message_columns, " FROM …");
template <class... Parts>
std::string sql_text(const Parts&... parts) {
    std::string out;
    (out.append(std::string_view(parts)), ...);
    return out;
}

space read_space(const statement& st, int first = 0);
role read_role(const statement& st, int first = 0);
member read_member(const statement& st, int first = 0);    // role_ids left empty
channel read_channel(const statement& st, int first = 0);  // overwrites, recipients empty
message read_message(const statement& st, int first = 0);  // details empty
attachment read_attachment(const statement& st, int first = 0);

std::string_view to_text(channel_type t) noexcept;
channel_type channel_type_from(std::string_view text) noexcept;

// A JSON array of the ids, for `IN (SELECT value FROM json_each(?))`: one
// statement for any number of ids.
std::string id_list(std::span<const id_t> ids);

// The largest id a bound parameter can carry; "no upper bound" in id ranges.
inline constexpr std::int64_t max_id = std::numeric_limits<std::int64_t>::max();

void insert_role(connection& c, const role& r);
// Inserts the channel with its overwrites and recipients.
void insert_channel(connection& c, const channel& ch);
// Inserts the membership and its roles. Throws constraint_violation when the
// user is a member already.
void insert_member(connection& c, const member& m);
// Replaces the member's roles with role_ids.
void set_member_roles(connection& c, id_t space_id, id_t user_id, std::span<const id_t> role_ids);
// Fills in role_ids (ascending) of members, all of one space.
void load_member_roles(connection& c, std::span<member> members);
// Fills in overwrites (by target id) and recipients (by user id).
void load_channel_details(connection& c, std::span<channel> channels);

}  // namespace driftway::store::sqlite
