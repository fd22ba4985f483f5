#pragma once
// The PostgreSQL implementation of job_repository (driftway/store/job_repository.hpp).
#include "driftway/store/job_repository.hpp"
#include "postgres/executor.hpp"

namespace driftway::store::postgres {

class job_repo final : public job_repository {
public:
    explicit job_repo(executor& exec) : exec_(exec) {}
    task<void> enqueue(store::job j) override;
    task<std::vector<store::job>> claim_due(std::int64_t now_ms, std::int64_t lease_until_ms,
                                            int limit) override;
    task<bool> complete(id_t id, int attempts) override;
    task<bool> retry_later(id_t id, int attempts, std::int64_t run_at, std::string error) override;
    task<bool> bury(id_t id, int attempts, std::string error, std::int64_t now_ms) override;
    task<std::optional<store::job>> find(id_t id) override;
    task<std::vector<dead_letter>> dead_letters(id_t before, int limit) override;
    task<bool> replay(id_t id, std::int64_t run_at) override;
    task<std::int64_t> replay_all(std::int64_t run_at) override;
    task<bool> remove_dead_letter(id_t id) override;

private:
    executor& exec_;
};

}  // namespace driftway::store::postgres
