#include "routes/common.hpp"

#include "driftway/core/clock.hpp"
#include "driftway/net/json_body.hpp"

#include <charconv>
#include <utility>

namespace driftway::text::routes {

void fail(error e) {
    throw error_exception(std::move(e));
}

id_t path_id(const request& req, std::string_view name, std::string_view what) {
    auto id = json::parse_id(req.param(name));
    if (!id) fail(error::not_found(std::string(what)));
    return *id;
}

id_t path_user_id(const request& req, std::string_view name, id_t me, std::string_view what) {
    if (req.param(name) == "@me") return me;
    return path_id(req, name, what);
}

id_t query_id(const request& req, std::string_view name) {
    auto text = req.query_param(name);
    if (!text) return 0;
    auto id = json::parse_id(*text);
    if (!id) fail(error::validation(std::string(name), "must be an id (a decimal string)"));
    return *id;
}

int query_int(const request& req, std::string_view name, int min, int max, int fallback) {
    auto text = req.query_param(name);
    if (!text) return fallback;
    int v = 0;
    const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), v);
    if (text->empty() || ec != std::errc{} || end != text->data() + text->size() || v < min ||
        v > max)
        fail(error::validation(
            std::string(name),
            "must be an integer between " + std::to_string(min) + " and " + std::to_string(max)));
    return v;
}

json::value read_body(const request& req, const text_services& s) {
    return net::json_body(req, s.limits).value();
}

namespace {

struct named_permission {
    auth::permission_set bit;
    std::string_view name;
};

constexpr named_permission permission_table[] = {
    {auth::perm::create_invite, "create_invite"},
    {auth::perm::kick_members, "kick_members"},
    {auth::perm::ban_members, "ban_members"},
    {auth::perm::administrator, "administrator"},
    {auth::perm::manage_channels, "manage_channels"},
    {auth::perm::manage_space, "manage_space"},
    {auth::perm::add_reactions, "add_reactions"},
    {auth::perm::view_audit_log, "view_audit_log"},
    {auth::perm::priority_speaker, "priority_speaker"},
    {auth::perm::stream, "stream"},
    {auth::perm::view_channel, "view_channel"},
    {auth::perm::send_messages, "send_messages"},
    {auth::perm::manage_messages, "manage_messages"},
    {auth::perm::embed_links, "embed_links"},
    {auth::perm::attach_files, "attach_files"},
    {auth::perm::read_message_history, "read_message_history"},
    {auth::perm::mention_everyone, "mention_everyone"},
    {auth::perm::connect, "connect"},
    {auth::perm::speak, "speak"},
    {auth::perm::mute_members, "mute_members"},
    {auth::perm::deafen_members, "deafen_members"},
    {auth::perm::move_members, "move_members"},
    {auth::perm::use_vad, "use_vad"},
    {auth::perm::change_nickname, "change_nickname"},
    {auth::perm::manage_nicknames, "manage_nicknames"},
    {auth::perm::manage_roles, "manage_roles"},
    {auth::perm::manage_threads, "manage_threads"},
    {auth::perm::create_threads, "create_threads"},
    {auth::perm::send_messages_in_threads, "send_messages_in_threads"},
    {auth::perm::moderate_members, "moderate_members"},
};

}  // namespace

std::string permission_names(auth::permission_set p) {
    std::string out;
    for (const auto& [bit, name] : permission_table) {
        if (!(p & bit)) continue;
        if (!out.empty()) out += ", ";
        out += name;
    }
    return out;
}

error missing_permission(auth::permission_set missing) {
    return error::forbidden("missing_permission",
                            "missing permission: " + permission_names(missing));
}

void require(auth::permission_set have, auth::permission_set need) {
    if (!auth::has(have, need)) fail(missing_permission(need & ~have));
}

void space_context::require(auth::permission_set p) const {
    routes::require(permissions, p);
}

task<space_context> load_space(text_services& s, id_t user_id, id_t space_id) {
    auto snapshot = co_await s.dir.space(space_id);
    if (!snapshot) fail(error::not_found("space"));
    auto member = co_await s.dir.member(space_id, user_id);
    if (!member) fail(error::not_found("space"));
    auto permissions = co_await s.dir.space_permissions(user_id, space_id);
    if (!permissions) fail(error::not_found("space"));

    space_context ctx;
    ctx.space = std::move(snapshot);
    ctx.member = std::move(*member);
    ctx.permissions = *permissions;
    if (!ctx.owner() && !auth::has(ctx.permissions, auth::perm::administrator) &&
        ctx.member.communication_disabled_until > clock::unix_ms())
        ctx.permissions &= auth::perm::timed_out_allowed;
    ctx.top = co_await s.dir.top_role_position(space_id, user_id);
    co_return ctx;
}

task<channel_access> load_channel(text_services& s, id_t user_id, id_t channel_id) {
    auto access = co_await s.dir.access(user_id, channel_id);
    if (!access) fail(error::not_found("channel"));
    co_return std::move(*access);
}

}  // namespace driftway::text::routes
