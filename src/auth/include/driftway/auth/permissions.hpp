#pragma once
// The permission model of Discord, which members of a Discord-like product
// already understand: bit sets, base permissions from @everyone and the
// member's roles, then channel overwrites in a fixed order. Pure functions,
// no storage: the text module feeds them rows and caches the results.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace driftway::auth {

using permission_set = std::uint64_t;

// Bit positions follow Discord's so bots and people find familiar numbers.
namespace perm {
inline constexpr permission_set create_invite = 1ull << 0;
inline constexpr permission_set kick_members = 1ull << 1;
inline constexpr permission_set ban_members = 1ull << 2;
inline constexpr permission_set administrator = 1ull << 3;
inline constexpr permission_set manage_channels = 1ull << 4;
inline constexpr permission_set manage_space = 1ull << 5;
inline constexpr permission_set add_reactions = 1ull << 6;
inline constexpr permission_set view_audit_log = 1ull << 7;
inline constexpr permission_set priority_speaker = 1ull << 8;
inline constexpr permission_set stream = 1ull << 9;
inline constexpr permission_set view_channel = 1ull << 10;
inline constexpr permission_set send_messages = 1ull << 11;
inline constexpr permission_set manage_messages = 1ull << 13;
inline constexpr permission_set embed_links = 1ull << 14;
inline constexpr permission_set attach_files = 1ull << 15;
inline constexpr permission_set read_message_history = 1ull << 16;
inline constexpr permission_set mention_everyone = 1ull << 17;
inline constexpr permission_set connect = 1ull << 20;
inline constexpr permission_set speak = 1ull << 21;
inline constexpr permission_set mute_members = 1ull << 22;
inline constexpr permission_set deafen_members = 1ull << 23;
inline constexpr permission_set move_members = 1ull << 24;
inline constexpr permission_set use_vad = 1ull << 25;
inline constexpr permission_set change_nickname = 1ull << 26;
inline constexpr permission_set manage_nicknames = 1ull << 27;
inline constexpr permission_set manage_roles = 1ull << 28;
inline constexpr permission_set manage_threads = 1ull << 34;
inline constexpr permission_set create_threads = 1ull << 35;
inline constexpr permission_set send_messages_in_threads = 1ull << 38;
inline constexpr permission_set moderate_members = 1ull << 40;

// Every bit defined above.
inline constexpr permission_set all =
    create_invite | kick_members | ban_members | administrator | manage_channels | manage_space |
    add_reactions | view_audit_log | priority_speaker | stream | view_channel | send_messages |
    manage_messages | embed_links | attach_files | read_message_history | mention_everyone |
    connect | speak | mute_members | deafen_members | move_members | use_vad | change_nickname |
    manage_nicknames | manage_roles | manage_threads | create_threads | send_messages_in_threads |
    moderate_members;

// What @everyone gets in a new space.
inline constexpr permission_set default_everyone =
    create_invite | add_reactions | stream | view_channel | send_messages | embed_links |
    attach_files | read_message_history | connect | speak | use_vad | change_nickname |
    create_threads | send_messages_in_threads;

// What a timed-out member keeps: they may read, nothing else.
inline constexpr permission_set timed_out_allowed = view_channel | read_message_history;

// Permissions that only make sense with send_messages.
inline constexpr permission_set needs_send =
    mention_everyone | attach_files | embed_links | send_messages_in_threads;
// Permissions that only make sense with connect.
inline constexpr permission_set needs_connect =
    speak | mute_members | deafen_members | move_members | use_vad | priority_speaker | stream;
}  // namespace perm

struct role_grant {
    std::uint64_t id = 0;  // the @everyone role's id is the space's id
    permission_set permissions = 0;
};

struct overwrite {
    enum class kind { role, member };
    std::uint64_t id = 0;  // role id or user id
    kind type = kind::role;
    permission_set allow = 0;
    permission_set deny = 0;
};

struct member_view {
    std::uint64_t user_id = 0;
    std::vector<std::uint64_t> role_ids;  // not including @everyone
    bool timed_out = false;               // communication_disabled_until in the future
};

struct space_view {
    std::uint64_t space_id = 0;
    std::uint64_t owner_id = 0;
    std::span<const role_grant> roles;  // includes @everyone (id == space_id)
};

// Base permissions in a space: owner and administrator get everything;
// otherwise @everyone OR the member's roles.
permission_set base_permissions(const space_view& space, const member_view& member);

// Permissions in one channel. Overwrites apply in order: @everyone's, then
// all of the member's roles' together (deny then allow), then the member's
// own. Owners and administrators are not affected by overwrites. Implicit
// denies follow: no view_channel means nothing; no send_messages removes
// what depends on it; no connect removes voice permissions; a timed-out
// member keeps only timed_out_allowed.
permission_set channel_permissions(const space_view& space, const member_view& member,
                                   std::span<const overwrite> overwrites);

// Decimal string <-> bit set, as sent in JSON. Unknown bits are rejected.
std::string to_string(permission_set p);
std::optional<permission_set> parse_permissions(std::string_view text) noexcept;

inline bool has(permission_set set, permission_set wanted) noexcept {
    return (set & wanted) == wanted;
}

}  // namespace driftway::auth
