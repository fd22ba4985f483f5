#pragma once
// Storage interfaces, one per aggregate. Each backend (sqlite/, later
// postgres/) implements all of them; domain code sees only these. Every call
// is a coroutine that runs the blocking work on the backend's own threads and
// resumes on the caller's executor: shard threads never block on storage.
//
// Errors: conflicts come back as error{409, "username_taken" | "email_taken"};
// a backend that cannot reach its database returns error{503, "storage_unavailable"}.
#include "driftway/core/error.hpp"
#include "driftway/store/models.hpp"

#include <boost/asio/awaitable.hpp>

#include <optional>
#include <string>
#include <vector>

namespace driftway::store {

template <class T>
using task = boost::asio::awaitable<T>;

class user_repository {
public:
    virtual ~user_repository() = default;
    // Inserts; the first user ever created becomes the owner (owner is set on
    // the returned row) when make_owner_if_first is true.
    virtual task<result<user>> create(user u, bool make_owner_if_first) = 0;
    virtual task<std::optional<user>> by_id(id_t id) = 0;
    // Username or email, case-insensitive.
    virtual task<std::optional<user>> by_login(std::string login) = 0;
    virtual task<result<user>> update(id_t id, user_update changes) = 0;
    virtual task<void> touch(id_t id, std::int64_t last_active_ms) = 0;
    virtual task<std::int64_t> count() = 0;
};

class refresh_token_repository {
public:
    virtual ~refresh_token_repository() = default;
    virtual task<void> insert(refresh_token t) = 0;

    enum class rotate_outcome { rotated, unknown, expired, revoked, reused };
    // Atomically: if old_hash is live, mark it spent and insert next (taking
    // the old row's user and family) -> rotated. If old_hash was already
    // spent, it leaked: revoke its whole family -> reused. A revoked (logged
    // out, or revoked by an earlier reuse) token -> revoked; unknown or
    // expired tokens -> no change. On rotated, *user_id is set.
    virtual task<rotate_outcome> rotate(std::string old_hash, refresh_token next,
                                        std::int64_t now_ms, id_t* user_id) = 0;
    // Revokes the family of a token (logout). False if the token is unknown.
    virtual task<bool> revoke_family_of(std::string token_hash) = 0;
    virtual task<void> revoke_all_for_user(id_t user_id) = 0;
};

class api_key_repository {
public:
    virtual ~api_key_repository() = default;
    virtual task<void> insert(api_key k) = 0;
    // Every key of the owner, revoked ones included (with revoked set).
    virtual task<std::vector<api_key>> list_for(id_t owner_id) = 0;
    // Only live (not revoked) keys are found.
    virtual task<std::optional<api_key>> by_hash(std::string key_hash) = 0;
    // False when the key does not exist, is not owner's, or is already revoked.
    virtual task<bool> revoke(id_t owner_id, id_t key_id) = 0;
    virtual task<void> touch(id_t key_id, std::int64_t last_used_ms) = 0;
};

class instance_repository {
public:
    virtual ~instance_repository() = default;
    virtual task<instance_settings> get() = 0;
    virtual task<void> put(instance_settings s) = 0;
};

}  // namespace driftway::store
