#pragma once
// Discord's role hierarchy as pure rules on positions and bit sets: who may
// manage which role, act on which member, grant which permissions, and how a
// reorder request turns into positions. The permission model itself (what a
// member may do) stays in auth/permissions.hpp and text/directory.hpp.
#include "driftway/auth/permissions.hpp"

#include <climits>
#include <cstdint>
#include <vector>

namespace driftway::text::routes {

// The acting member as the hierarchy sees them.
struct rank {
    bool owner = false;
    int top = 0;  // position of their highest role (0: only @everyone; owner: INT_MAX)
    auth::permission_set permissions = 0;  // base permissions in the space

    bool privileged() const noexcept {
        return owner || auth::has(permissions, auth::perm::administrator);
    }
};

// Roles strictly below the actor's highest role may be edited, deleted and
// assigned by them; the owner manages every role. @everyone sits below
// everybody, so anyone allowed to manage roles may edit it.
bool can_manage_role(const rank& actor, int role_position, bool everyone) noexcept;

// Moderating a member (kick, ban, timeout, renaming someone else): nobody acts
// on the owner, the owner acts on everyone else, others only on members whose
// highest role is strictly below their own.
bool can_act_on(const rank& actor, bool target_is_owner, int target_top) noexcept;

// The bits of `wanted` the actor may not grant, deny or revoke because they
// lack them themselves (0: allowed). Owners and administrators lack nothing.
auth::permission_set ungrantable(const rank& actor, auth::permission_set wanted) noexcept;

struct role_position {
    std::uint64_t id = 0;
    int position = 0;
    friend bool operator==(const role_position&, const role_position&) = default;
};

// Applies position requests to the roles of a space (without @everyone):
// each moved role is taken out and put back where its requested position
// falls among the others (moving up: above the roles at that position;
// moving down: below them), and the resulting order receives the positions
// the roles held before, so roles outside the moved range keep theirs.
// Unknown ids in `moves` are ignored (callers validate them). Returns every
// role with its new position, lowest first.
std::vector<role_position> reorder(std::vector<role_position> roles,
                                   const std::vector<role_position>& moves);

// Ids of roles whose position changes from `before` to `after` although the
// actor may not move them: a role at or above the actor's highest role, or one
// that would land there. Empty when the reorder is allowed.
std::vector<std::uint64_t> forbidden_moves(const rank& actor,
                                           const std::vector<role_position>& before,
                                           const std::vector<role_position>& after);

}  // namespace driftway::text::routes
