#pragma once
// The outbox of asynchronous work (notifications, webhook deliveries) and the
// dead letters it leaves behind. Jobs are stored before they run, so work
// enqueued is never lost to a crash; a node claims due jobs under a lease
// (claimed_until) so that two nodes never run the same job at once, and a job
// whose node died runs again once its lease ran out (at-least-once delivery).
//
// Every claim increments attempts, and complete/retry_later/bury only act on
// the claim they name (id and attempts): a node that lost its lease (it was
// too slow, another node claimed the job again) cannot finish a job it no
// longer owns. These calls then return false.
#include "driftway/store/repositories.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace driftway::store {

struct job {
    id_t id = 0;
    std::string kind;         // the handler that runs it ("http_post")
    std::string payload;      // JSON text, the handler's input
    std::int64_t run_at = 0;  // Unix ms: not run before
    int attempts = 0;         // claims so far (this one included, once claimed)
    std::string last_error;   // of the previous failed attempt
    std::int64_t created_at = 0;
    std::int64_t claimed_until = 0;  // Unix ms; 0 when not claimed
};

// A job that failed its last allowed attempt, or failed for good.
struct dead_letter {
    id_t id = 0;  // the job's id
    std::string kind;
    std::string payload;
    int attempts = 0;
    std::string last_error;
    std::int64_t created_at = 0;  // when the job was enqueued
    std::int64_t failed_at = 0;   // when it was moved here
};

class job_repository {
public:
    virtual ~job_repository() = default;

    // Stores a new job (id, kind, payload, run_at, created_at are used).
    virtual task<void> enqueue(job j) = 0;

    // Claims up to limit jobs due at now_ms (run_at <= now_ms) that nobody
    // holds (claimed_until <= now_ms), oldest run_at first: each gets
    // claimed_until = lease_until_ms and attempts + 1, and is returned so.
    // On PostgreSQL rows locked by another node's claim are skipped (FOR
    // UPDATE SKIP LOCKED); SQLite's single writer serializes claims.
    virtual task<std::vector<job>> claim_due(std::int64_t now_ms, std::int64_t lease_until_ms,
                                             int limit) = 0;

    // The claim (id, attempts) succeeded: the job is deleted.
    virtual task<bool> complete(id_t id, int attempts) = 0;
    // The claim failed and may be tried again at run_at: the lease is
    // released and error kept as last_error.
    virtual task<bool> retry_later(id_t id, int attempts, std::int64_t run_at,
                                   std::string error) = 0;
    // The claim failed for the last time: the job moves to the dead letters
    // with error and its attempt count.
    virtual task<bool> bury(id_t id, int attempts, std::string error, std::int64_t now_ms) = 0;

    // Jobs waiting or running, for tests and operators.
    virtual task<std::optional<job>> find(id_t id) = 0;

    // Dead letters newest first (by id), those with id < before (0: from the
    // newest), at most limit.
    virtual task<std::vector<dead_letter>> dead_letters(id_t before, int limit) = 0;
    // Moves a dead letter back to the jobs, due at run_at, with attempts and
    // last_error reset. False when there is no such dead letter.
    virtual task<bool> replay(id_t id, std::int64_t run_at) = 0;
    // replay() of every dead letter; returns how many moved.
    virtual task<std::int64_t> replay_all(std::int64_t run_at) = 0;
    // Forgets a dead letter. False when there is no such dead letter.
    virtual task<bool> remove_dead_letter(id_t id) = 0;
};

}  // namespace driftway::store
