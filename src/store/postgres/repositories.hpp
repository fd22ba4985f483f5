#pragma once
// The PostgreSQL implementations of the repositories. Each holds a reference to
// the backend's executor, which outlives it.
#include "driftway/store/repositories.hpp"
#include "postgres/executor.hpp"

namespace driftway::store::postgres {

class user_repo final : public user_repository {
public:
    explicit user_repo(executor& exec) : exec_(exec) {}
    task<result<user>> create(user u, bool make_owner_if_first) override;
    task<std::optional<user>> by_id(id_t id) override;
    task<std::optional<user>> by_login(std::string login) override;
    task<result<user>> update(id_t id, user_update changes) override;
    task<void> touch(id_t id, std::int64_t last_active_ms) override;
    task<std::int64_t> count() override;

private:
    executor& exec_;
};

class refresh_token_repo final : public refresh_token_repository {
public:
    explicit refresh_token_repo(executor& exec) : exec_(exec) {}
    task<void> insert(refresh_token t) override;
    task<rotate_outcome> rotate(std::string old_hash, refresh_token next, std::int64_t now_ms,
                                id_t* user_id) override;
    task<bool> revoke_family_of(std::string token_hash) override;
    task<void> revoke_all_for_user(id_t user_id) override;

private:
    executor& exec_;
};

class api_key_repo final : public api_key_repository {
public:
    explicit api_key_repo(executor& exec) : exec_(exec) {}
    task<void> insert(api_key k) override;
    task<std::vector<api_key>> list_for(id_t owner_id) override;
    task<std::optional<api_key>> by_hash(std::string key_hash) override;
    task<bool> revoke(id_t owner_id, id_t key_id) override;
    task<void> touch(id_t key_id, std::int64_t last_used_ms) override;

private:
    executor& exec_;
};

class instance_repo final : public instance_repository {
public:
    explicit instance_repo(executor& exec) : exec_(exec) {}
    task<instance_settings> get() override;
    task<void> put(instance_settings s) override;

private:
    executor& exec_;
};

}  // namespace driftway::store::postgres
