// GET|POST /spaces/{space_id}/channels, GET|PATCH|DELETE /channels/{channel_id},
// PUT|DELETE /channels/{channel_id}/permissions/{target_id}, and direct
// messages: GET|POST /users/@me/channels. Threads are channels too: they are
// read, renamed and deleted here, with the permissions of their parent.
#include "driftway/core/clock.hpp"
#include "driftway/text/json_shapes.hpp"
#include "driftway/text/services.hpp"
#include "routes/audit.hpp"
#include "routes/common.hpp"
#include "routes/field_rules.hpp"

#include <algorithm>

namespace driftway::text {

namespace {

using namespace routes;
using auth::principal;
using store::channel_type;
namespace perm = auth::perm;

constexpr std::size_t max_channels_per_space = 500;
constexpr std::size_t max_private_members = 100;
constexpr std::size_t max_group_recipients = 9;
constexpr std::int64_t max_channel_position = 10000;
constexpr json::string_rule channel_name_rule{
    .min_length = 1, .max_length = 100, .trim = true, .single_line = true};
constexpr json::string_rule topic_rule{.min_length = 0, .max_length = 1024};

bool is_private(const store::channel& c) {
    return c.type == channel_type::dm || c.type == channel_type::group_dm;
}

[[noreturn]] void refuse_private_change() {
    fail(error::forbidden("missing_permission", "direct message channels cannot be changed"));
}

// An array of user ids without duplicates; nullopt (with the reason recorded) when malformed.
std::optional<std::vector<id_t>> read_user_ids(json::object_reader& in, std::string_view key,
                                               std::size_t max_items) {
    const json::value* v = in.optional_raw(key);
    if (!v) return std::nullopt;
    const std::string field(key);
    if (!v->is_array()) {
        in.fail(field, "must be an array of user ids");
        return std::nullopt;
    }
    if (v->get_array().size() > max_items) {
        in.fail(field, "must have at most " + std::to_string(max_items) + " items");
        return std::nullopt;
    }
    std::vector<id_t> ids;
    for (const auto& item : v->get_array()) {
        auto id = item.is_string() ? json::parse_id(item.get_string()) : std::nullopt;
        if (!id) {
            in.fail(field, "must be an array of user ids");
            return std::nullopt;
        }
        if (std::find(ids.begin(), ids.end(), *id) == ids.end()) ids.push_back(*id);
    }
    return ids;
}

// "parent_id": an id or null (0).
std::optional<id_t> read_parent(json::object_reader& in) {
    const json::value* v = in.optional_raw("parent_id");
    if (!v) return std::nullopt;
    if (v->is_null()) return id_t{0};
    if (v->is_string())
        if (auto id = json::parse_id(v->get_string())) return *id;
    in.fail("parent_id", "must be a channel id or null");
    return std::nullopt;
}

void check_parent(const space_snapshot& sp, id_t parent_id, id_t self) {
    const store::channel* parent = sp.channel(parent_id);
    if (!parent || parent->type != channel_type::category || parent_id == self)
        fail(error::validation("parent_id", "must be a category of this space"));
}

task<void> record(text_services& s, id_t space_id, id_t actor, std::string_view action, id_t target,
                  json::object changes, std::string reason) {
    co_await append_audit(s, {.space_id = space_id,
                              .actor_id = actor,
                              .action = action,
                              .target_id = target,
                              .changes = std::move(changes),
                              .reason = std::move(reason)});
}

void publish_update(text_services& s, const store::channel& c) {
    s.events.to_space(c.space_id, "CHANNEL_UPDATE", channel_json(c), true, c.id);
}

awaitable_response list_space_channels(text_services& s, request& req, const principal& who) {
    auto ctx = co_await load_space(s, who.user_id, path_id(req, "space_id", "space"));
    json::array out;
    for (const auto& a : co_await s.dir.visible_channels(who.user_id, ctx.id()))
        if (a.channel) out.emplace_back(channel_json(*a.channel));
    co_return response::json(200, out);
}

awaitable_response create_channel(text_services& s, request& req, const principal& who) {
    auto ctx = co_await load_space(s, who.user_id, path_id(req, "space_id", "space"));
    auto body = read_body(req, s);
    json::object_reader in(body);
    auto name = in.required_string("name", channel_name_rule);
    auto type_name = in.optional_string("type");
    auto topic = in.optional_string("topic", topic_rule);
    auto parent_id = read_parent(in);
    auto is_private_channel = in.optional_bool("private");
    auto members = read_user_ids(in, "members", max_private_members);
    auto position = in.optional_int("position", 0, max_channel_position);
    channel_type type = channel_type::text;
    if (type_name) {
        auto t = parse_channel_type(*type_name);
        if (!t ||
            (*t != channel_type::text && *t != channel_type::voice && *t != channel_type::category))
            in.fail("type", "must be one of text, voice, category");
        else
            type = *t;
    }
    if (members && !is_private_channel.value_or(false))
        in.fail("members", "only private channels list members");
    if (type == channel_type::category && parent_id && *parent_id)
        in.fail("parent_id", "categories cannot be nested");
    in.finish().value();
    const auto reason = audit_reason(req);

    ctx.require(perm::manage_channels);
    if (ctx.space->channels.size() >= max_channels_per_space)
        fail(error::bad_request(
            "too_many_channels",
            "a space has at most " + std::to_string(max_channels_per_space) + " channels"));
    if (parent_id && *parent_id) check_parent(*ctx.space, *parent_id, 0);

    store::channel c;
    c.id = s.ids.next();
    c.space_id = ctx.id();
    c.type = type;
    c.name = normalize_channel_name(type, *name);
    c.topic = topic.value_or("");
    c.parent_id = parent_id.value_or(0);
    if (position) {
        c.position = static_cast<int>(*position);
    } else {
        int last = -1;
        for (const auto& other : ctx.space->channels)
            if (other.type != channel_type::thread) last = std::max(last, other.position);
        c.position = last + 1;
    }
    c.created_at = clock::unix_ms();
    if (is_private_channel.value_or(false)) {
        // Private is overwrite sugar: @everyone may not view; the creator and
        // the listed members may.
        c.overwrites.push_back({ctx.id(), false, 0, perm::view_channel});
        std::vector<id_t> allowed{who.user_id};
        for (auto id : members.value_or(std::vector<id_t>{})) {
            if (id == who.user_id) continue;
            if (!co_await s.dir.member(ctx.id(), id))
                fail(error::validation("members", json::id_string(id) + " is not a member"));
            allowed.push_back(id);
        }
        for (auto id : allowed) c.overwrites.push_back({id, true, perm::view_channel, 0});
    }

    co_await s.db.channels().create(c);
    s.dir.forget_space(ctx.id());
    s.dir.forget_channel(c.id);
    json::object changes;
    changes["name"] = c.name;
    changes["type"] = to_string(c.type);
    changes["private"] = is_private_channel.value_or(false);
    if (c.parent_id) changes["parent_id"] = json::id_string(c.parent_id);
    co_await record(s, ctx.id(), who.user_id, "channel_create", c.id, std::move(changes), reason);
    auto out = channel_json(c);
    s.events.to_space(ctx.id(), "CHANNEL_CREATE", out, true, c.id);
    co_return response::json(201, out);
}

awaitable_response get_channel(text_services& s, request& req, const principal& who) {
    auto access = co_await load_channel(s, who.user_id, path_id(req, "channel_id", "channel"));
    co_return response::json(200, channel_json(*access.channel));
}

awaitable_response patch_channel(text_services& s, request& req, const principal& who) {
    auto access = co_await load_channel(s, who.user_id, path_id(req, "channel_id", "channel"));
    const store::channel& c = *access.channel;
    if (is_private(c) || !access.space) refuse_private_change();
    const bool thread = c.type == channel_type::thread;

    auto body = read_body(req, s);
    json::object_reader in(body);
    auto name = in.optional_string("name", channel_name_rule);
    auto topic = in.optional_string("topic", topic_rule);
    auto parent_id = read_parent(in);
    auto position = in.optional_int("position", 0, max_channel_position);
    if (parent_id && thread) in.fail("parent_id", "a thread stays in its channel");
    if (parent_id && *parent_id && c.type == channel_type::category)
        in.fail("parent_id", "categories cannot be nested");
    in.finish().value();
    const auto reason = audit_reason(req);

    if (thread) {
        // Whoever started a thread may rename it; otherwise it takes manage_threads.
        if (c.owner_id != who.user_id || position)
            require(access.permissions, perm::manage_threads);
    } else {
        require(access.permissions, perm::manage_channels);
    }
    if (parent_id && *parent_id) check_parent(*access.space, *parent_id, c.id);

    store::channel_update u;
    json::object changes;
    if (name) {
        auto normalized = normalize_channel_name(c.type, *name);
        if (normalized != c.name) {
            changes["name"] = change(json::value(c.name), json::value(normalized));
            u.name = std::move(normalized);
        }
    }
    if (topic && *topic != c.topic) {
        changes["topic"] = change(json::value(c.topic), json::value(*topic));
        u.topic = std::move(*topic);
    }
    if (parent_id && *parent_id != c.parent_id) {
        auto id_json = [](id_t id) {
            return id ? json::value(json::id_string(id)) : json::value(nullptr);
        };
        changes["parent_id"] = change(id_json(c.parent_id), id_json(*parent_id));
        u.parent_id = *parent_id;
    }
    if (position && *position != c.position) {
        changes["position"] = change(json::value(c.position), json::value(*position));
        u.position = static_cast<int>(*position);
    }
    if (changes.empty()) co_return response::json(200, channel_json(c));

    auto updated = co_await s.db.channels().update(c.id, std::move(u));
    if (!updated) fail(updated.error());
    s.dir.forget_channel(c.id);
    s.dir.forget_space(c.space_id);
    co_await record(s, c.space_id, who.user_id, "channel_update", c.id, std::move(changes), reason);
    publish_update(s, *updated);
    co_return response::json(200, channel_json(*updated));
}

awaitable_response delete_channel(text_services& s, request& req, const principal& who) {
    auto access = co_await load_channel(s, who.user_id, path_id(req, "channel_id", "channel"));
    const store::channel c = *access.channel;
    if (is_private(c) || !access.space) refuse_private_change();
    require(access.permissions,
            c.type == channel_type::thread ? perm::manage_threads : perm::manage_channels);
    const auto reason = audit_reason(req);

    if (!co_await s.db.channels().remove(c.id)) fail(error::not_found("channel"));
    s.dir.forget_channel(c.id);

    auto deleted = [&](id_t id) {
        json::object d;
        d["id"] = json::id_string(id);
        d["space_id"] = json::id_string(c.space_id);
        s.events.to_space(c.space_id, "CHANNEL_DELETE", d, true, id);
    };
    // Threads go with their channel; the channels of a deleted category stay,
    // outside any category.
    std::vector<id_t> orphans;
    for (const auto& child : access.space->channels) {
        if (child.parent_id != c.id) continue;
        if (child.type == channel_type::thread) {
            s.dir.forget_channel(child.id);
            deleted(child.id);
        } else {
            orphans.push_back(child.id);
        }
    }
    for (auto id : orphans) {
        store::channel_update u;
        u.parent_id = 0;
        auto moved = co_await s.db.channels().update(id, std::move(u));
        s.dir.forget_channel(id);
        if (moved) publish_update(s, *moved);
    }
    s.dir.forget_space(c.space_id);

    json::object changes;
    changes["name"] = c.name;
    changes["type"] = to_string(c.type);
    co_await record(s, c.space_id, who.user_id, "channel_delete", c.id, std::move(changes), reason);
    deleted(c.id);
    // Storage cleared the thread from the message it started at; its viewers
    // see the message without it.
    if (c.type == channel_type::thread && c.origin_message_id) {
        if (auto origin = co_await s.db.messages().get(c.parent_id, c.origin_message_id, 0)) {
            auto author = co_await s.dir.user(origin->author_id);
            s.events.to_channel(c.space_id, c.parent_id, "MESSAGE_UPDATE",
                                message_json(*origin, author.get()));
        }
    }
    co_return response::no_content();
}

awaitable_response put_overwrite(text_services& s, request& req, const principal& who) {
    auto access = co_await load_channel(s, who.user_id, path_id(req, "channel_id", "channel"));
    const store::channel& c = *access.channel;
    if (is_private(c) || !access.space) refuse_private_change();
    const id_t target = path_id(req, "target_id", "overwrite");

    auto body = read_body(req, s);
    json::object_reader in(body);
    auto type = in.required_string("type");
    auto read_bits = [&](std::string_view key) -> auth::permission_set {
        const json::value* v = in.optional_raw(key);
        if (!v) return 0;
        auto p = v->is_string() ? auth::parse_permissions(v->get_string()) : std::nullopt;
        if (!p)
            in.fail(std::string(key),
                    "must be a permission bit set (a decimal string of known bits)");
        return p.value_or(0);
    };
    const auto allow = read_bits("allow");
    const auto deny = read_bits("deny");
    if (type && *type != "role" && *type != "member") in.fail("type", "must be role or member");
    if (allow & deny) in.fail("deny", "must not share permissions with allow");
    if (c.type == channel_type::thread)
        in.fail("channel", "threads take the permissions of their parent channel");
    in.finish().value();
    const auto reason = audit_reason(req);
    const bool member = *type == "member";

    require(access.permissions, perm::manage_roles);
    // Nobody hands out (or takes away) what they do not hold in the channel.
    if (auto missing = (allow | deny) & ~access.permissions) fail(missing_permission(missing));
    if (member) {
        if (!co_await s.dir.member(c.space_id, target)) fail(error::not_found("member"));
    } else if (!access.space->role(target)) {
        fail(error::not_found("role"));
    }

    json::object changes;
    changes["type"] = *type;
    for (const auto& old : c.overwrites) {
        if (old.id != target) continue;
        if (auto missing = (old.allow | old.deny) & ~access.permissions)
            fail(missing_permission(missing));
        changes["allow"] =
            change(json::value(auth::to_string(old.allow)), json::value(auth::to_string(allow)));
        changes["deny"] =
            change(json::value(auth::to_string(old.deny)), json::value(auth::to_string(deny)));
    }
    if (!changes.contains("allow")) {
        changes["allow"] = change(nullptr, json::value(auth::to_string(allow)));
        changes["deny"] = change(nullptr, json::value(auth::to_string(deny)));
    }

    co_await s.db.channels().put_overwrite(c.id, {target, member, allow, deny});
    s.dir.forget_channel(c.id);
    s.dir.forget_space(c.space_id);
    co_await record(s, c.space_id, who.user_id, "overwrite_update", c.id, std::move(changes),
                    reason);
    if (auto updated = co_await s.db.channels().get(c.id)) publish_update(s, *updated);
    co_return response::no_content();
}

awaitable_response delete_overwrite(text_services& s, request& req, const principal& who) {
    auto access = co_await load_channel(s, who.user_id, path_id(req, "channel_id", "channel"));
    const store::channel& c = *access.channel;
    if (is_private(c) || !access.space) refuse_private_change();
    const id_t target = path_id(req, "target_id", "overwrite");
    const auto reason = audit_reason(req);
    require(access.permissions, perm::manage_roles);

    auto old = std::find_if(c.overwrites.begin(), c.overwrites.end(),
                            [&](const store::overwrite_row& o) { return o.id == target; });
    if (old == c.overwrites.end()) fail(error::not_found("overwrite"));
    if (auto missing = (old->allow | old->deny) & ~access.permissions)
        fail(missing_permission(missing));
    json::object changes;
    changes["type"] = old->is_member ? "member" : "role";
    changes["allow"] = auth::to_string(old->allow);
    changes["deny"] = auth::to_string(old->deny);

    if (!co_await s.db.channels().remove_overwrite(c.id, target))
        fail(error::not_found("overwrite"));
    s.dir.forget_channel(c.id);
    s.dir.forget_space(c.space_id);
    co_await record(s, c.space_id, who.user_id, "overwrite_delete", c.id, std::move(changes),
                    reason);
    if (auto updated = co_await s.db.channels().get(c.id)) publish_update(s, *updated);
    co_return response::no_content();
}

awaitable_response list_private_channels(text_services& s, const principal& who) {
    json::array out;
    for (const auto& c : co_await s.db.channels().private_channels(who.user_id))
        out.emplace_back(channel_json(c));
    co_return response::json(200, out);
}

// POST /users/@me/channels: one recipient finds or opens the DM with them;
// two to nine open a new group DM owned by the caller.
awaitable_response open_private_channel(text_services& s, request& req, const principal& who) {
    auto body = read_body(req, s);
    json::object_reader in(body);
    if (!in.has("recipients")) in.fail("recipients", "is required");
    auto recipients = read_user_ids(in, "recipients", max_group_recipients);
    if (recipients && recipients->empty()) in.fail("recipients", "must name at least one user");
    in.finish().value();

    if (std::find(recipients->begin(), recipients->end(), who.user_id) != recipients->end())
        fail(error::bad_request("cannot_message_self",
                                "you cannot open a direct message with yourself"));
    for (auto id : *recipients)
        if (!co_await s.dir.user(id)) fail(error::not_found("user"));

    std::vector<id_t> everyone{who.user_id};
    everyone.insert(everyone.end(), recipients->begin(), recipients->end());
    if (recipients->size() == 1) {
        if (auto existing = co_await s.db.channels().find_dm(who.user_id, recipients->front()))
            co_return response::json(200, channel_json(*existing));
    }
    store::channel c;
    c.id = s.ids.next();
    c.type = recipients->size() == 1 ? channel_type::dm : channel_type::group_dm;
    c.recipients = everyone;
    if (c.type == channel_type::group_dm) c.owner_id = who.user_id;
    c.created_at = clock::unix_ms();
    co_await s.db.channels().create(c);
    s.dir.forget_channel(c.id);
    auto out = channel_json(c);
    s.events.to_users(std::move(everyone), "CHANNEL_CREATE", out, 0, true);
    co_return response::json(201, out);
}

}  // namespace

void add_channel_routes(auth::api_router& api, text_services& s) {
    api.get("/api/v1/spaces/{space_id}/channels",
            [&s](request& req, const principal& who) { return list_space_channels(s, req, who); });
    api.post("/api/v1/spaces/{space_id}/channels",
             [&s](request& req, const principal& who) { return create_channel(s, req, who); });
    api.get("/api/v1/channels/{channel_id}",
            [&s](request& req, const principal& who) { return get_channel(s, req, who); });
    api.patch("/api/v1/channels/{channel_id}",
              [&s](request& req, const principal& who) { return patch_channel(s, req, who); });
    api.del("/api/v1/channels/{channel_id}",
            [&s](request& req, const principal& who) { return delete_channel(s, req, who); });
    api.put("/api/v1/channels/{channel_id}/permissions/{target_id}",
            [&s](request& req, const principal& who) { return put_overwrite(s, req, who); });
    api.del("/api/v1/channels/{channel_id}/permissions/{target_id}",
            [&s](request& req, const principal& who) { return delete_overwrite(s, req, who); });
    api.get("/api/v1/users/@me/channels",
            [&s](request&, const principal& who) { return list_private_channels(s, who); });
    api.post("/api/v1/users/@me/channels", [&s](request& req, const principal& who) {
        return open_private_channel(s, req, who);
    });
}

}  // namespace driftway::text
