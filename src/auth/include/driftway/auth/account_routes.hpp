#pragma once
// REST handlers for accounts and access: /auth/*, /users/*, /api-keys and
// /instance (API.md). They run on shard threads; storage and password
// hashing are awaited on their own executors.
#include "driftway/auth/api_router.hpp"
#include "driftway/auth/password.hpp"
#include "driftway/auth/sessions.hpp"
#include "driftway/core/json.hpp"
#include "driftway/core/snowflake.hpp"
#include "driftway/store/backend.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <functional>

namespace driftway::auth {

struct account_services {
    store::backend& db;
    session_service& sessions;
    const jwt_verifier& verifier;
    authenticator& authn;
    snowflake_generator& ids;
    boost::asio::any_io_executor hashing;  // argon2id runs here, never on a shard
    password_cost cost = password_cost::interactive;
    json::parse_limits limits;
    bus::gcra_limit login_limit{10.0 / 60, 10};
    bus::gcra_limit register_limit{5.0 / 3600, 5};
    std::string version;
    // Whether an invite code admits a newcomer when registration is
    // invite-only. Spaces own invites; until they are wired, nothing admits.
    std::function<boost::asio::awaitable<bool>(std::string code)> invite_is_valid;
    // Joins the invite's space once the account exists (when an invite was given).
    std::function<boost::asio::awaitable<void>(std::uint64_t user_id, std::string code)>
        join_with_invite;
    // Told after a user's profile changed, so caches of profiles forget it.
    std::function<void(std::uint64_t user_id)> user_changed;
};

void add_auth_routes(api_router& api, account_services& s);
void add_user_routes(api_router& api, account_services& s);
void add_api_key_routes(api_router& api, account_services& s);
void add_instance_routes(api_router& api, account_services& s);

// JSON shapes of a user: the owner's own view, and what others see.
json::object private_user_json(const store::user& u);
json::object public_user_json(const store::user& u);

}  // namespace driftway::auth
