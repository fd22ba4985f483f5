#pragma once
// The PostgreSQL implementations of the text domain's repositories. Each holds a
// reference to the backend's executor, which outlives it.
#include "driftway/store/text_repositories.hpp"
#include "postgres/executor.hpp"

namespace driftway::store::postgres {

class space_repo final : public space_repository {
public:
    explicit space_repo(executor& exec) : exec_(exec) {}
    task<void> create(space s, role everyone, std::vector<channel> channels, member owner) override;
    task<std::optional<space>> get(id_t id) override;
    task<void> update(space s) override;
    task<void> remove(id_t id) override;
    task<std::vector<space>> for_user(id_t user_id) override;

private:
    executor& exec_;
};

class member_repo final : public member_repository {
public:
    explicit member_repo(executor& exec) : exec_(exec) {}
    task<result<member>> add(member m) override;
    task<std::optional<member>> get(id_t space_id, id_t user_id) override;
    task<std::vector<member>> list(id_t space_id, id_t after, int limit) override;
    task<std::vector<member>> search(id_t space_id, std::string prefix, int limit) override;
    task<result<member>> update(id_t space_id, id_t user_id, member_update u) override;
    task<bool> remove(id_t space_id, id_t user_id) override;
    task<std::int64_t> count(id_t space_id) override;
    task<std::vector<id_t>> space_peers(id_t user_id) override;

private:
    executor& exec_;
};

class role_repo final : public role_repository {
public:
    explicit role_repo(executor& exec) : exec_(exec) {}
    task<void> create(role r) override;
    task<std::vector<role>> list(id_t space_id) override;
    task<void> update(role r) override;
    task<bool> remove(id_t space_id, id_t role_id) override;
    task<void> set_positions(id_t space_id, std::vector<std::pair<id_t, int>> positions) override;

private:
    executor& exec_;
};

class ban_repo final : public ban_repository {
public:
    explicit ban_repo(executor& exec) : exec_(exec) {}
    task<void> put(ban b) override;
    task<bool> remove(id_t space_id, id_t user_id) override;
    task<std::optional<ban>> get(id_t space_id, id_t user_id) override;
    task<std::vector<ban>> list(id_t space_id) override;

private:
    executor& exec_;
};

class invite_repo final : public invite_repository {
public:
    explicit invite_repo(executor& exec) : exec_(exec) {}
    task<void> create(invite i) override;
    task<std::optional<invite>> get(std::string code) override;
    task<std::vector<invite>> list(id_t space_id) override;
    task<bool> remove(std::string code) override;
    task<result<member>> redeem(std::string code, id_t user_id, std::int64_t now_ms) override;

private:
    executor& exec_;
};

class channel_repo final : public channel_repository {
public:
    explicit channel_repo(executor& exec) : exec_(exec) {}
    task<void> create(channel c) override;
    task<std::optional<channel>> get(id_t id) override;
    task<std::vector<channel>> list(id_t space_id) override;
    task<result<channel>> update(id_t id, channel_update u) override;
    task<bool> remove(id_t id) override;
    task<void> put_overwrite(id_t channel_id, overwrite_row o) override;
    task<bool> remove_overwrite(id_t channel_id, id_t target_id) override;
    task<std::optional<channel>> find_dm(id_t a, id_t b) override;
    task<std::vector<channel>> private_channels(id_t user_id) override;

private:
    executor& exec_;
};

class message_repo final : public message_repository {
public:
    explicit message_repo(executor& exec) : exec_(exec) {}
    task<message> create(message m, std::vector<id_t> attachment_ids,
                         std::vector<id_t> mention_counts_for, bool* created) override;
    task<std::optional<message>> get(id_t channel_id, id_t id, id_t viewer) override;
    task<std::vector<message>> page(id_t channel_id, message_page p, id_t viewer) override;
    task<result<message>> edit(id_t channel_id, id_t id, std::string content,
                               std::int64_t edited_at, id_t viewer) override;
    task<bool> remove(id_t channel_id, id_t id) override;
    task<std::vector<std::pair<id_t, id_t>>> remove_recent_by(id_t space_id, id_t author_id,
                                                              std::int64_t since_ms) override;
    task<bool> set_pinned(id_t channel_id, id_t id, bool pinned) override;
    task<std::vector<message>> pins(id_t channel_id, id_t viewer) override;
    task<bool> add_reaction(id_t channel_id, id_t id, id_t user_id, std::string emoji) override;
    task<bool> remove_reaction(id_t channel_id, id_t id, id_t user_id, std::string emoji) override;
    task<void> set_thread(id_t channel_id, id_t id, id_t thread_id) override;
    // In message_search.cpp.
    task<std::vector<search_hit>> search(std::string query, std::vector<id_t> channel_ids,
                                         id_t author_id, id_t before, int limit,
                                         id_t viewer) override;

private:
    executor& exec_;
};

class read_state_repo final : public read_state_repository {
public:
    explicit read_state_repo(executor& exec) : exec_(exec) {}
    task<read_state> ack(id_t user_id, id_t channel_id, id_t message_id) override;
    task<std::vector<read_state>> for_user(id_t user_id) override;

private:
    executor& exec_;
};

class attachment_repo final : public attachment_repository {
public:
    explicit attachment_repo(executor& exec) : exec_(exec) {}
    task<void> create(attachment a) override;
    task<std::optional<attachment>> get(id_t id) override;

private:
    executor& exec_;
};

class audit_repo final : public audit_repository {
public:
    explicit audit_repo(executor& exec) : exec_(exec) {}
    task<void> append(audit_entry e) override;
    task<std::vector<audit_entry>> list(id_t space_id, id_t before, int limit) override;

private:
    executor& exec_;
};

}  // namespace driftway::store::postgres
