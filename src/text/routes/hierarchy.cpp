#include "routes/hierarchy.hpp"

#include <algorithm>
#include <unordered_map>

namespace driftway::text::routes {

bool can_manage_role(const rank& actor, int role_position, bool everyone) noexcept {
    return actor.owner || everyone || role_position < actor.top;
}

bool can_act_on(const rank& actor, bool target_is_owner, int target_top) noexcept {
    if (target_is_owner) return false;
    return actor.owner || target_top < actor.top;
}

auth::permission_set ungrantable(const rank& actor, auth::permission_set wanted) noexcept {
    if (actor.privileged()) return 0;
    return wanted & ~actor.permissions;
}

namespace {

bool lower(const role_position& a, const role_position& b) {
    return a.position != b.position ? a.position < b.position : a.id < b.id;
}

}  // namespace

std::vector<role_position> reorder(std::vector<role_position> roles,
                                   const std::vector<role_position>& moves) {
    std::sort(roles.begin(), roles.end(), lower);
    std::vector<int> slots;
    slots.reserve(roles.size());
    for (const auto& r : roles) slots.push_back(r.position);

    // The last request for a role wins; requests are applied lowest target first
    // so that several roles moved to neighbouring positions keep their order.
    std::unordered_map<std::uint64_t, int> target;
    for (const auto& m : moves) target[m.id] = m.position;
    std::vector<role_position> moved;
    std::vector<role_position> order;
    for (const auto& r : roles) {
        auto it = target.find(r.id);
        if (it != target.end() && it->second != r.position)
            moved.push_back(r);
        else
            order.push_back(r);
    }
    std::sort(moved.begin(), moved.end(), [&](const auto& a, const auto& b) {
        const int ta = target[a.id];
        const int tb = target[b.id];
        return ta != tb ? ta < tb : lower(a, b);
    });
    for (const auto& m : moved) {
        const int to = target[m.id];
        std::vector<role_position>::iterator at;
        if (to > m.position)
            at = std::find_if(order.begin(), order.end(),
                              [&](const role_position& r) { return r.position > to; });
        else
            at = std::find_if(order.begin(), order.end(),
                              [&](const role_position& r) { return r.position >= to; });
        // Placed roles carry their target so later moves find them where they asked to be.
        order.insert(at, role_position{m.id, to});
    }
    for (std::size_t i = 0; i < order.size(); ++i) order[i].position = slots[i];
    return order;
}

std::vector<std::uint64_t> forbidden_moves(const rank& actor,
                                           const std::vector<role_position>& before,
                                           const std::vector<role_position>& after) {
    std::vector<std::uint64_t> out;
    if (actor.owner) return out;
    std::unordered_map<std::uint64_t, int> old;
    for (const auto& r : before) old[r.id] = r.position;
    for (const auto& r : after) {
        auto it = old.find(r.id);
        if (it == old.end() || it->second == r.position) continue;
        if (it->second >= actor.top || r.position >= actor.top) out.push_back(r.id);
    }
    return out;
}

}  // namespace driftway::text::routes
