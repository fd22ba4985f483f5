#include "driftway/text/directory.hpp"

#include "driftway/core/clock.hpp"
#include "driftway/text/cache_json.hpp"

#include <climits>
#include <mutex>

namespace driftway::text {

namespace {

// Caches are bounded by clearing when they grow past these: simple, and the
// next reads reload what is still in use.
constexpr std::size_t max_spaces = 10'000;
constexpr std::size_t max_members = 200'000;
constexpr std::size_t max_dms = 100'000;
constexpr std::size_t max_users = 200'000;

// Id from a shared cache key with the given prefix; 0 when another kind.
id_t id_of_key(std::string_view key, std::string_view prefix) {
    if (!key.starts_with(prefix)) return 0;
    key.remove_prefix(prefix.size());
    id_t id = 0;
    for (const char ch : key) {
        if (ch < '0' || ch > '9' || id > (UINT64_MAX - 9) / 10) return 0;
        id = id * 10 + static_cast<id_t>(ch - '0');
    }
    return id;
}

}  // namespace

const store::role* space_snapshot::role(id_t id) const {
    for (const auto& r : roles)
        if (r.id == id) return &r;
    return nullptr;
}

const store::channel* space_snapshot::channel(id_t id) const {
    for (const auto& c : channels)
        if (c.id == id) return &c;
    return nullptr;
}

std::vector<auth::role_grant> space_snapshot::grants() const {
    std::vector<auth::role_grant> out;
    out.reserve(roles.size());
    for (const auto& r : roles) out.push_back({r.id, r.permissions});
    return out;
}

struct directory::state {
    std::mutex mutex;
    std::unordered_map<id_t, std::shared_ptr<const space_snapshot>> spaces;
    // space -> user -> membership (nullopt cached too: "not a member").
    std::unordered_map<id_t, std::unordered_map<id_t, std::optional<store::member>>> members;
    std::size_t member_entries = 0;
    std::unordered_map<id_t, id_t> channel_space;  // channel -> space (never changes)
    std::unordered_map<id_t, std::shared_ptr<const store::channel>> dms;
    std::unordered_map<id_t, std::shared_ptr<const store::user>> users;
    // Bumped by every forget of a user or channel: a load that saw it
    // change while it read does not fill the caches with what may be stale.
    std::uint64_t forgets = 0;
};

directory::directory(store::backend& db) : db_(db), state_(std::make_unique<state>()) {}
directory::~directory() = default;

void directory::set_shared_cache(shared_cache* cache) {
    shared_ = cache;
    if (!shared_) return;
    shared_->on_invalidate([this](std::string_view key) {
        if (const id_t u = id_of_key(key, "cache:user:")) forget_user_here(u);
        if (const id_t c = id_of_key(key, "cache:channel:")) forget_channel_here(c);
    });
}

task<std::shared_ptr<const space_snapshot>> directory::space(id_t space_id) {
    {
        std::lock_guard lock(state_->mutex);
        if (auto it = state_->spaces.find(space_id); it != state_->spaces.end())
            co_return it->second;
    }
    auto row = co_await db_.spaces().get(space_id);
    if (!row) co_return nullptr;
    auto snap = std::make_shared<space_snapshot>();
    snap->space = std::move(*row);
    snap->roles = co_await db_.roles().list(space_id);
    snap->channels = co_await db_.channels().list(space_id);
    snap->member_count = co_await db_.members().count(space_id);
    std::shared_ptr<const space_snapshot> out = std::move(snap);
    std::lock_guard lock(state_->mutex);
    if (state_->spaces.size() >= max_spaces) state_->spaces.clear();
    state_->spaces[space_id] = out;
    for (const auto& c : out->channels) state_->channel_space[c.id] = space_id;
    co_return out;
}

task<std::optional<store::member>> directory::member(id_t space_id, id_t user_id) {
    {
        std::lock_guard lock(state_->mutex);
        if (auto s = state_->members.find(space_id); s != state_->members.end())
            if (auto m = s->second.find(user_id); m != s->second.end()) co_return m->second;
    }
    auto row = co_await db_.members().get(space_id, user_id);
    std::lock_guard lock(state_->mutex);
    if (state_->member_entries >= max_members) {
        state_->members.clear();
        state_->member_entries = 0;
    }
    auto [it, inserted] = state_->members[space_id].insert_or_assign(user_id, row);
    if (inserted) ++state_->member_entries;
    co_return row;
}

task<std::shared_ptr<const store::channel>> directory::channel(id_t channel_id) {
    id_t space_id = 0;
    {
        std::lock_guard lock(state_->mutex);
        if (auto it = state_->dms.find(channel_id); it != state_->dms.end()) co_return it->second;
        if (auto it = state_->channel_space.find(channel_id); it != state_->channel_space.end())
            space_id = it->second;
    }
    if (space_id == 0) {
        auto row = co_await load_channel(channel_id);
        if (!row) co_return nullptr;
        if (row->space_id == 0) {
            auto dm = std::make_shared<const store::channel>(std::move(*row));
            std::lock_guard lock(state_->mutex);
            if (state_->dms.size() >= max_dms) state_->dms.clear();
            state_->dms[channel_id] = dm;
            co_return dm;
        }
        space_id = row->space_id;
        std::lock_guard lock(state_->mutex);
        state_->channel_space[channel_id] = space_id;
    }
    auto snap = co_await space(space_id);
    if (!snap) co_return nullptr;
    const store::channel* c = snap->channel(channel_id);
    if (!c) co_return nullptr;
    // Shares ownership of the snapshot the channel lives in.
    co_return std::shared_ptr<const store::channel>(snap, c);
}

task<std::optional<store::channel>> directory::load_channel(id_t channel_id) {
    if (!shared_) co_return co_await db_.channels().get(channel_id);
    const auto key = shared_cache::channel_key(channel_id);
    if (auto hit = co_await shared_->get(key))
        if (auto c = channel_from_cache_json(*hit); c && c->id == channel_id) co_return c;
    std::uint64_t before = 0;
    {
        std::lock_guard lock(state_->mutex);
        before = state_->forgets;
    }
    auto row = co_await db_.channels().get(channel_id);
    if (row) {
        std::lock_guard lock(state_->mutex);
        if (state_->forgets == before) shared_->set(key, to_cache_json(*row));
    }
    co_return row;
}

task<std::shared_ptr<const store::user>> directory::user(id_t user_id) {
    std::uint64_t before = 0;
    {
        std::lock_guard lock(state_->mutex);
        if (auto it = state_->users.find(user_id); it != state_->users.end()) co_return it->second;
        before = state_->forgets;
    }
    std::optional<store::user> row;
    bool from_shared = false;
    const auto key = shared_ ? shared_cache::user_key(user_id) : std::string();
    if (shared_)
        if (auto hit = co_await shared_->get(key))
            if (auto u = user_from_cache_json(*hit); u && u->id == user_id) {
                row = std::move(u);
                from_shared = true;
            }
    if (!row) row = co_await db_.users().by_id(user_id);
    if (!row) co_return nullptr;
    row->password_hash.clear();  // never kept in memory longer than needed
    auto u = std::make_shared<const store::user>(std::move(*row));
    std::lock_guard lock(state_->mutex);
    if (shared_ && state_->forgets != before) co_return u;  // changed meanwhile: keep nothing
    if (shared_ && !from_shared) shared_->set(key, to_cache_json(*u));
    if (state_->users.size() >= max_users) state_->users.clear();
    state_->users[user_id] = u;
    co_return u;
}

namespace {

auth::member_view member_view_of(const store::member& m) {
    return {m.user_id, m.role_ids, m.communication_disabled_until > clock::unix_ms()};
}

}  // namespace

task<std::optional<auth::permission_set>> directory::space_permissions(id_t user_id,
                                                                       id_t space_id) {
    auto snap = co_await space(space_id);
    if (!snap) co_return std::nullopt;
    auto m = co_await member(space_id, user_id);
    if (!m) co_return std::nullopt;
    const auto grants = snap->grants();
    co_return auth::base_permissions({space_id, snap->space.owner_id, grants}, member_view_of(*m));
}

task<std::optional<channel_access>> directory::access(id_t user_id, id_t channel_id) {
    auto ch = co_await channel(channel_id);
    if (!ch) co_return std::nullopt;
    if (ch->space_id == 0) {
        for (auto r : ch->recipients)
            if (r == user_id) co_return channel_access{ch, nullptr, dm_permissions, false};
        co_return std::nullopt;
    }
    auto snap = co_await space(ch->space_id);
    if (!snap) co_return std::nullopt;
    auto m = co_await member(ch->space_id, user_id);
    if (!m) co_return std::nullopt;
    // Threads take their permissions from the channel they belong to.
    const store::channel* rules = ch.get();
    if (ch->type == store::channel_type::thread) {
        rules = snap->channel(ch->parent_id);
        if (!rules) co_return std::nullopt;
    }
    std::vector<auth::overwrite> overwrites;
    overwrites.reserve(rules->overwrites.size());
    for (const auto& o : rules->overwrites)
        overwrites.push_back(
            {o.id, o.is_member ? auth::overwrite::kind::member : auth::overwrite::kind::role,
             o.allow, o.deny});
    const auto grants = snap->grants();
    const auto view = member_view_of(*m);
    const auto perms =
        auth::channel_permissions({ch->space_id, snap->space.owner_id, grants}, view, overwrites);
    if (!auth::has(perms, auth::perm::view_channel)) co_return std::nullopt;
    co_return channel_access{ch, snap, perms, view.timed_out && m->user_id != snap->space.owner_id};
}

task<std::vector<channel_access>> directory::visible_channels(id_t user_id, id_t space_id) {
    std::vector<channel_access> out;
    auto snap = co_await space(space_id);
    if (!snap) co_return out;
    for (const auto& c : snap->channels) {
        auto a = co_await access(user_id, c.id);
        if (a) out.push_back(std::move(*a));
    }
    co_return out;
}

task<int> directory::top_role_position(id_t space_id, id_t user_id) {
    auto snap = co_await space(space_id);
    if (!snap) co_return -1;
    if (snap->space.owner_id == user_id) co_return INT_MAX;
    auto m = co_await member(space_id, user_id);
    if (!m) co_return -1;
    int top = 0;
    for (auto rid : m->role_ids)
        if (const auto* r = snap->role(rid)) top = std::max(top, r->position);
    co_return top;
}

void directory::forget_space(id_t space_id) {
    std::lock_guard lock(state_->mutex);
    state_->spaces.erase(space_id);
    if (auto it = state_->members.find(space_id); it != state_->members.end()) {
        state_->member_entries -= std::min(state_->member_entries, it->second.size());
        state_->members.erase(it);
    }
}

void directory::forget_member(id_t space_id, id_t user_id) {
    std::lock_guard lock(state_->mutex);
    if (auto it = state_->members.find(space_id); it != state_->members.end())
        if (it->second.erase(user_id) && state_->member_entries) --state_->member_entries;
    // member_count lives in the snapshot.
    state_->spaces.erase(space_id);
}

void directory::forget_channel(id_t channel_id) {
    forget_channel_here(channel_id);
    if (shared_) shared_->invalidate(shared_cache::channel_key(channel_id));
}

void directory::forget_user(id_t user_id) {
    forget_user_here(user_id);
    if (shared_) shared_->invalidate(shared_cache::user_key(user_id));
}

void directory::forget_channel_here(id_t channel_id) {
    std::lock_guard lock(state_->mutex);
    ++state_->forgets;
    state_->dms.erase(channel_id);
    if (auto it = state_->channel_space.find(channel_id); it != state_->channel_space.end())
        state_->spaces.erase(it->second);
}

void directory::forget_user_here(id_t user_id) {
    std::lock_guard lock(state_->mutex);
    ++state_->forgets;
    state_->users.erase(user_id);
}

}  // namespace driftway::text
