#pragma once
// Helpers shared by the text module's REST handlers: path and query
// parameters, the request body, "load it or answer 404", and permission
// checks that answer with API.md's errors. Functions that fail throw
// error_exception, which the api_router turns into the error response, so
// call them only inside handlers. All run on the handler's shard; the
// coroutines await the directory (and through it storage).
//
// Any route file of this module may include this header; its functions keep
// their meaning.
#include "driftway/core/error.hpp"
#include "driftway/net/http.hpp"
#include "driftway/text/directory.hpp"
#include "driftway/text/services.hpp"
#include "routes/hierarchy.hpp"

#include <memory>
#include <string>
#include <string_view>

namespace driftway::text::routes {

using net::request;
using net::response;
using awaitable_response = task<response>;

[[noreturn]] void fail(error e);

// The id in path parameter `name`; 404 unknown_<what> when it is not an id.
id_t path_id(const request& req, std::string_view name, std::string_view what);
// Like path_id, with "@me" standing for `me`.
id_t path_user_id(const request& req, std::string_view name, id_t me, std::string_view what);

// Query parameters: an id (absent: 0) and an integer in [min, max] (absent:
// fallback). Anything else is 400 validation_failed naming the parameter.
id_t query_id(const request& req, std::string_view name);
int query_int(const request& req, std::string_view name, int min, int max, int fallback);

// The request's JSON body under the services' parse limits (415/400/413).
json::value read_body(const request& req, const text_services& s);

// Snake_case names of the permissions in `p`, comma-separated.
std::string permission_names(auth::permission_set p);
// 403 missing_permission whose message names the missing permissions.
error missing_permission(auth::permission_set missing);
// Throws missing_permission unless `have` holds every bit of `need`.
void require(auth::permission_set have, auth::permission_set need);

// The caller inside a space they belong to.
struct space_context {
    std::shared_ptr<const space_snapshot> space;
    store::member member;
    auth::permission_set permissions = 0;  // base permissions in the space
    int top = 0;                           // highest role position (owner: INT_MAX)

    id_t id() const { return space->space.id; }
    id_t user_id() const { return member.user_id; }
    bool owner() const { return space->space.owner_id == member.user_id; }
    bool can(auth::permission_set p) const { return auth::has(permissions, p); }
    // Throws missing_permission unless the caller holds p in the space.
    void require(auth::permission_set p) const;
    routes::rank rank() const { return {owner(), top, permissions}; }
};

// 404 unknown_space when the space does not exist or the user is not a member.
// A timed-out member keeps only auth::perm::timed_out_allowed of their base
// permissions, as in channels (owners and administrators are never limited).
task<space_context> load_space(text_services& s, id_t user_id, id_t space_id);

// 404 unknown_channel when the channel does not exist or the user cannot view it.
task<channel_access> load_channel(text_services& s, id_t user_id, id_t channel_id);

}  // namespace driftway::text::routes
