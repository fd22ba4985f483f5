#pragma once
// Rows of the text domain: spaces, their members, roles, channels, messages
// and what hangs off them. Independent of the backend that stores them.
#include "driftway/store/models.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace driftway::store {

struct space {
    id_t id = 0;
    std::string name;
    std::optional<id_t> icon;  // attachment id
    id_t owner_id = 0;
    std::int64_t created_at = 0;  // Unix ms
};

// The @everyone role's id is the space's id.
struct role {
    id_t id = 0;
    id_t space_id = 0;
    std::string name;
    std::uint64_t permissions = 0;
    int position = 0;  // @everyone is 0; higher outranks lower
    std::uint32_t color = 0;
    bool hoist = false;
    bool mentionable = false;
};

struct member {
    id_t space_id = 0;
    id_t user_id = 0;
    std::optional<std::string> nick;
    std::vector<id_t> role_ids;  // without @everyone
    std::int64_t joined_at = 0;
    std::int64_t communication_disabled_until = 0;  // Unix ms; 0 = not timed out
    bool mute = false;  // server mute: applies to every voice join (docs/voice.md)
    bool deaf = false;  // server deafen
};

struct member_update {
    std::optional<std::optional<std::string>> nick;
    std::optional<std::vector<id_t>> role_ids;
    std::optional<std::int64_t> communication_disabled_until;
    std::optional<bool> mute;
    std::optional<bool> deaf;
};

struct ban {
    id_t space_id = 0;
    id_t user_id = 0;
    std::string reason;
    id_t banned_by = 0;
    std::int64_t created_at = 0;
};

struct invite {
    std::string code;
    id_t space_id = 0;
    id_t creator_id = 0;
    int uses = 0;
    int max_uses = 0;             // 0 = unlimited
    std::int64_t expires_at = 0;  // Unix ms; 0 = never
    std::int64_t created_at = 0;
};

enum class channel_type { text, voice, category, thread, dm, group_dm };

struct overwrite_row {
    id_t id = 0;             // role id or user id
    bool is_member = false;  // false: role
    std::uint64_t allow = 0;
    std::uint64_t deny = 0;
};

struct channel {
    id_t id = 0;
    id_t space_id = 0;  // 0 for direct messages
    std::string name;
    channel_type type = channel_type::text;
    std::string topic;
    id_t parent_id = 0;  // category, or the parent channel of a thread
    int position = 0;
    std::vector<overwrite_row> overwrites;
    std::vector<id_t> recipients;  // dm / group_dm
    id_t owner_id = 0;             // thread starter or group DM creator
    id_t origin_message_id = 0;    // thread: the message it was started from
    id_t last_message_id = 0;
    std::int64_t created_at = 0;
};

struct channel_update {
    std::optional<std::string> name;
    std::optional<std::string> topic;
    std::optional<id_t> parent_id;  // 0 clears
    std::optional<int> position;
};

struct attachment {
    id_t id = 0;
    id_t uploader_id = 0;
    id_t message_id = 0;  // 0 until a message claims it
    id_t channel_id = 0;  // set with message_id
    std::string filename;
    std::string content_type;  // sniffed from the bytes
    std::int64_t size = 0;
    std::string sha256;  // hex; the file store's key
    std::int64_t created_at = 0;
};

struct reaction_count {
    std::string emoji;
    int count = 0;
    bool me = false;  // whether the viewer reacted
};

struct message {
    id_t id = 0;
    id_t channel_id = 0;
    id_t author_id = 0;
    std::string content;
    std::int64_t created_at = 0;
    std::int64_t edited_at = 0;  // 0 = never
    id_t reply_to = 0;
    std::vector<attachment> attachments;
    std::vector<reaction_count> reactions;
    bool pinned = false;
    std::string nonce;
    std::vector<id_t> mentions;  // user ids mentioned with <@id>
    bool mention_everyone = false;
    id_t thread_id = 0;  // a thread started from this message
};

struct read_state {
    id_t channel_id = 0;
    id_t last_read_id = 0;
    int mention_count = 0;
};

struct audit_entry {
    id_t id = 0;
    id_t space_id = 0;
    id_t actor_id = 0;
    std::string action;  // e.g. "member_ban_add", "channel_create"
    id_t target_id = 0;
    std::string changes = "{}";  // JSON object text
    std::string reason;
    std::int64_t created_at = 0;
};

struct search_hit {
    message msg;
    std::string highlighted;  // content with matches wrapped in <mark>…</mark>, HTML-escaped
    double rank = 0;
};

}  // namespace driftway::store
