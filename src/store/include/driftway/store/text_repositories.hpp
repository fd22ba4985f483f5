#pragma once
// Storage interfaces of the text domain (see repositories.hpp for the
// conventions: coroutines that run on the backend's threads and resume on the
// caller's executor; 409/404/503 errors as driftway::error).
#include "driftway/store/repositories.hpp"
#include "driftway/store/text_models.hpp"

namespace driftway::store {

class space_repository {
public:
    virtual ~space_repository() = default;
    // One transaction: the space, its @everyone role (id == space id), its
    // first channels and the owner's membership.
    virtual task<void> create(space s, role everyone, std::vector<channel> channels,
                              member owner) = 0;
    virtual task<std::optional<space>> get(id_t id) = 0;
    virtual task<void> update(space s) = 0;  // name, icon, owner_id
    // Deletes the space and everything in it (channels, messages, members…).
    virtual task<void> remove(id_t id) = 0;
    virtual task<std::vector<space>> for_user(id_t user_id) = 0;
};

class member_repository {
public:
    virtual ~member_repository() = default;
    // 409 already_member.
    virtual task<result<member>> add(member m) = 0;
    virtual task<std::optional<member>> get(id_t space_id, id_t user_id) = 0;
    // Ordered by user id, after `after`, at most limit.
    virtual task<std::vector<member>> list(id_t space_id, id_t after, int limit) = 0;
    // Members whose username, display name or nick starts with prefix (case-insensitive).
    virtual task<std::vector<member>> search(id_t space_id, std::string prefix, int limit) = 0;
    virtual task<result<member>> update(id_t space_id, id_t user_id, member_update u) = 0;
    virtual task<bool> remove(id_t space_id, id_t user_id) = 0;
    virtual task<std::int64_t> count(id_t space_id) = 0;
    // Every user who shares at least one space with user_id (presence audience).
    virtual task<std::vector<id_t>> space_peers(id_t user_id) = 0;
};

class role_repository {
public:
    virtual ~role_repository() = default;
    virtual task<void> create(role r) = 0;
    virtual task<std::vector<role>> list(id_t space_id) = 0;  // by position
    virtual task<void> update(role r) = 0;
    // Also removes the role from every member who had it.
    virtual task<bool> remove(id_t space_id, id_t role_id) = 0;
    // Sets positions in one transaction.
    virtual task<void> set_positions(id_t space_id,
                                     std::vector<std::pair<id_t, int>> positions) = 0;
};

class ban_repository {
public:
    virtual ~ban_repository() = default;
    virtual task<void> put(ban b) = 0;
    virtual task<bool> remove(id_t space_id, id_t user_id) = 0;
    virtual task<std::optional<ban>> get(id_t space_id, id_t user_id) = 0;
    virtual task<std::vector<ban>> list(id_t space_id) = 0;
};

class invite_repository {
public:
    virtual ~invite_repository() = default;
    virtual task<void> create(invite i) = 0;
    virtual task<std::optional<invite>> get(std::string code) = 0;
    virtual task<std::vector<invite>> list(id_t space_id) = 0;
    virtual task<bool> remove(std::string code) = 0;
    // Atomically: the invite exists, is not expired or used up, and the user
    // is not banned -> uses + 1 and the membership is added. Errors: 404
    // unknown_invite (missing, expired, used up), 403 banned, 409 already_member.
    virtual task<result<member>> redeem(std::string code, id_t user_id, std::int64_t now_ms) = 0;
};

class channel_repository {
public:
    virtual ~channel_repository() = default;
    virtual task<void> create(channel c) = 0;
    virtual task<std::optional<channel>> get(id_t id) = 0;
    // Text, voice and category channels and threads of a space, by position then id.
    virtual task<std::vector<channel>> list(id_t space_id) = 0;
    virtual task<result<channel>> update(id_t id, channel_update u) = 0;
    virtual task<bool> remove(id_t id) = 0;  // and its messages and threads
    virtual task<void> put_overwrite(id_t channel_id, overwrite_row o) = 0;
    virtual task<bool> remove_overwrite(id_t channel_id, id_t target_id) = 0;
    // The DM channel between exactly these two users, if any.
    virtual task<std::optional<channel>> find_dm(id_t a, id_t b) = 0;
    virtual task<std::vector<channel>> private_channels(id_t user_id) = 0;  // dm + group_dm
};

struct message_page {
    id_t before = 0;  // exactly one of before/after/around is non-zero, or none (newest)
    id_t after = 0;
    id_t around = 0;
    int limit = 50;
};

class message_repository {
public:
    virtual ~message_repository() = default;
    // Durable when it returns (group-committed with other creates). When
    // m.nonce is non-empty and the same author created a message with that
    // nonce within the last 10 minutes, returns that message instead and
    // *created = false. Claims the attachments listed (their message_id and
    // channel_id are set) and updates the channel's last_message_id and the
    // mentioned users' read-state mention counts in the same transaction.
    virtual task<message> create(message m, std::vector<id_t> attachment_ids,
                                 std::vector<id_t> mention_counts_for, bool* created) = 0;
    virtual task<std::optional<message>> get(id_t channel_id, id_t id, id_t viewer) = 0;
    // before: newest first; after: oldest first; around: oldest first, centred.
    virtual task<std::vector<message>> page(id_t channel_id, message_page p, id_t viewer) = 0;
    virtual task<result<message>> edit(id_t channel_id, id_t id, std::string content,
                                       std::int64_t edited_at, id_t viewer) = 0;
    virtual task<bool> remove(id_t channel_id, id_t id) = 0;
    // Deletes a user's messages in a space newer than since_ms; returns (channel, message) ids.
    virtual task<std::vector<std::pair<id_t, id_t>>> remove_recent_by(id_t space_id, id_t author_id,
                                                                      std::int64_t since_ms) = 0;
    virtual task<bool> set_pinned(id_t channel_id, id_t id, bool pinned) = 0;
    virtual task<std::vector<message>> pins(id_t channel_id, id_t viewer) = 0;
    // False when nothing changed (already reacted / not reacted).
    virtual task<bool> add_reaction(id_t channel_id, id_t id, id_t user_id, std::string emoji) = 0;
    virtual task<bool> remove_reaction(id_t channel_id, id_t id, id_t user_id,
                                       std::string emoji) = 0;
    virtual task<void> set_thread(id_t channel_id, id_t id, id_t thread_id) = 0;
    // Full-text search restricted to channel_ids (the ones the caller may view).
    virtual task<std::vector<search_hit>> search(std::string query, std::vector<id_t> channel_ids,
                                                 id_t author_id, id_t before, int limit,
                                                 id_t viewer) = 0;
};

class read_state_repository {
public:
    virtual ~read_state_repository() = default;
    // Sets last_read_id (never moves backwards) and clears the mention count.
    virtual task<read_state> ack(id_t user_id, id_t channel_id, id_t message_id) = 0;
    virtual task<std::vector<read_state>> for_user(id_t user_id) = 0;
};

class attachment_repository {
public:
    virtual ~attachment_repository() = default;
    virtual task<void> create(attachment a) = 0;
    virtual task<std::optional<attachment>> get(id_t id) = 0;
};

class audit_repository {
public:
    virtual ~audit_repository() = default;
    virtual task<void> append(audit_entry e) = 0;
    // Newest first, ids below before (0 = from the newest).
    virtual task<std::vector<audit_entry>> list(id_t space_id, id_t before, int limit) = 0;
};

}  // namespace driftway::store
