#pragma once
// The text domain's read-mostly view of who may see and do what: spaces with
// their roles and channels, members, channels (DMs too) and public user
// profiles, cached in memory and evaluated with the permission model of
// driftway/auth/permissions.hpp. Services write to storage first and then
// call forget_*() so the next read reloads; events that change access carry
// bus::event::changes_access so gateway sessions recompute what they see.
//
// Thread-safe: called from every shard. Snapshots are immutable and shared.
#include "driftway/auth/permissions.hpp"
#include "driftway/store/backend.hpp"
#include "driftway/text/shared_cache.hpp"

#include <boost/asio/awaitable.hpp>

#include <memory>
#include <optional>
#include <unordered_map>
#include <vector>

namespace driftway::text {

using store::id_t;
template <class T>
using task = boost::asio::awaitable<T>;

struct space_snapshot {
    store::space space;
    std::vector<store::role> roles;        // by position; roles[0] is @everyone
    std::vector<store::channel> channels;  // by position then id; threads included
    std::int64_t member_count = 0;

    const store::role* role(id_t id) const;
    const store::channel* channel(id_t id) const;
    // The permission model's view of this space (points into this snapshot).
    std::vector<auth::role_grant> grants() const;
};

// What a user may do in one channel, and the facts needed to act on it.
struct channel_access {
    std::shared_ptr<const store::channel> channel;
    std::shared_ptr<const space_snapshot> space;  // null for DMs
    auth::permission_set permissions = 0;         // 0: may not even view
    bool timed_out = false;

    bool can(auth::permission_set p) const { return auth::has(permissions, p); }
};

class directory {
public:
    explicit directory(store::backend& db);
    ~directory();

    // In a cluster: user profiles and channels are read through `cache`
    // (local copy, then cache, then database) and forget_user/forget_channel
    // invalidate it; its invalidations drop this node's local copies. Set
    // once before use; null (the default) means none. `cache` must outlive
    // every use of this directory.
    void set_shared_cache(shared_cache* cache);

    task<std::shared_ptr<const space_snapshot>> space(id_t space_id);
    task<std::optional<store::member>> member(id_t space_id, id_t user_id);
    task<std::shared_ptr<const store::channel>> channel(id_t channel_id);
    // Public profile (id, username, display name, avatar, created_at).
    task<std::shared_ptr<const store::user>> user(id_t user_id);

    // Base permissions in a space; nullopt when not a member.
    task<std::optional<auth::permission_set>> space_permissions(id_t user_id, id_t space_id);
    // Permissions in a channel (space channel, thread, or DM). nullopt when
    // the channel does not exist or the user cannot view it (callers answer
    // 404 then, so channels one cannot see do not reveal that they exist).
    task<std::optional<channel_access>> access(id_t user_id, id_t channel_id);
    // The channels of a space the user can view, with their permissions.
    task<std::vector<channel_access>> visible_channels(id_t user_id, id_t space_id);
    // Highest role position of a member (owner: INT_MAX), for role hierarchy checks.
    task<int> top_role_position(id_t space_id, id_t user_id);

    void forget_space(id_t space_id);  // roles, channels, overwrites, space row
    void forget_member(id_t space_id, id_t user_id);
    void forget_channel(id_t channel_id);
    void forget_user(id_t user_id);
    // Only this node's copy: for changes another node made, which that node
    // already invalidated in the shared cache.
    void forget_channel_here(id_t channel_id);
    void forget_user_here(id_t user_id);

private:
    struct state;
    task<std::optional<store::channel>> load_channel(id_t channel_id);

    store::backend& db_;
    shared_cache* shared_ = nullptr;
    std::unique_ptr<state> state_;
};

// Permissions recipients have in their direct messages.
inline constexpr auth::permission_set dm_permissions =
    auth::perm::view_channel | auth::perm::send_messages | auth::perm::read_message_history |
    auth::perm::add_reactions | auth::perm::attach_files | auth::perm::embed_links |
    auth::perm::create_threads | auth::perm::send_messages_in_threads;

}  // namespace driftway::text
