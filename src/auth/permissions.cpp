#include "driftway/auth/permissions.hpp"

#include <algorithm>
#include <charconv>

namespace driftway::auth {

namespace {

bool is_owner(const space_view& space, const member_view& member) {
    return member.user_id == space.owner_id;
}

void apply(permission_set& p, permission_set deny, permission_set allow) {
    p &= ~deny;
    p |= allow;
}

}  // namespace

permission_set base_permissions(const space_view& space, const member_view& member) {
    if (is_owner(space, member)) return perm::all;
    permission_set p = 0;
    for (const auto& role : space.roles) {
        const bool everyone = role.id == space.space_id;
        if (everyone || std::find(member.role_ids.begin(), member.role_ids.end(), role.id) !=
                            member.role_ids.end())
            p |= role.permissions;
    }
    if (p & perm::administrator) return perm::all;
    return p & perm::all;
}

permission_set channel_permissions(const space_view& space, const member_view& member,
                                   std::span<const overwrite> overwrites) {
    permission_set p = base_permissions(space, member);
    if (p & perm::administrator) return perm::all;  // owners land here too

    // Discord's order: @everyone's overwrite, then every role overwrite of
    // the member at once (so one role's allow beats another role's deny), then
    // the member's own.
    const overwrite* everyone = nullptr;
    const overwrite* own = nullptr;
    permission_set roles_deny = 0;
    permission_set roles_allow = 0;
    for (const auto& o : overwrites) {
        if (o.type == overwrite::kind::role) {
            if (o.id == space.space_id) {
                everyone = &o;
            } else if (std::find(member.role_ids.begin(), member.role_ids.end(), o.id) !=
                       member.role_ids.end()) {
                roles_deny |= o.deny;
                roles_allow |= o.allow;
            }
        } else if (o.id == member.user_id) {
            own = &o;
        }
    }
    if (everyone) apply(p, everyone->deny, everyone->allow);
    apply(p, roles_deny, roles_allow);
    if (own) apply(p, own->deny, own->allow);
    p &= perm::all;

    // Implicit denies: permissions that are meaningless without the one they build on.
    if (!(p & perm::view_channel)) return 0;
    if (!(p & perm::send_messages)) p &= ~perm::needs_send;
    if (!(p & perm::connect)) p &= ~perm::needs_connect;
    if (member.timed_out) p &= perm::timed_out_allowed;
    return p;
}

std::string to_string(permission_set p) {
    return std::to_string(p);
}

std::optional<permission_set> parse_permissions(std::string_view text) noexcept {
    if (text.empty()) return std::nullopt;
    if (!std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return std::nullopt;
    permission_set p = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), p);
    if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
    if ((p & ~perm::all) != 0) return std::nullopt;
    return p;
}

}  // namespace driftway::auth
