#include "postgres/job_repo.hpp"

#include <algorithm>
#include <limits>

namespace driftway::store::postgres {

namespace {

constexpr const char* job_columns =
    "id, kind, payload, run_at, attempts, last_error, created_at, claimed_until";

// Columns in the order of job_columns.
store::job read_job(const statement& st) {
    return {.id = st.id(0),
            .kind = st.text(1),
            .payload = st.text(2),
            .run_at = st.int64(3),
            .attempts = static_cast<int>(st.int64(4)),
            .last_error = st.text(5),
            .created_at = st.int64(6),
            .claimed_until = st.int64(7)};
}

}  // namespace

task<void> job_repo::enqueue(store::job j) {
    co_await exec_.write([&](connection& c) {
        c.prepare(
             "INSERT INTO jobs (id, kind, payload, run_at, attempts, last_error, created_at,"
             " claimed_until) VALUES ($1, $2, $3, $4, 0, '', $5, 0)")
            .bind(j.id, j.kind, j.payload, j.run_at, j.created_at)
            .run();
    });
}

// Every node has its own writer connection, so claims of two nodes do run at
// once: FOR UPDATE locks the rows this claim picks and SKIP LOCKED makes a
// concurrent claim pass over them (to the next due jobs) instead of waiting
// and then claiming them again.
task<std::vector<store::job>> job_repo::claim_due(std::int64_t now_ms, std::int64_t lease_until_ms,
                                                  int limit) {
    co_return co_await exec_.write([&](connection& c) {
        std::vector<store::job> out;
        auto st = c.prepare(
            "UPDATE jobs SET claimed_until = $2, attempts = attempts + 1 WHERE id IN"
            " (SELECT id FROM jobs WHERE run_at <= $1 AND claimed_until <= $1"
            " ORDER BY run_at, id LIMIT $3 FOR UPDATE SKIP LOCKED)"
            " RETURNING id, kind, payload, run_at, attempts, last_error, created_at,"
            " claimed_until");
        st.bind(now_ms, lease_until_ms, limit);
        while (st.step()) out.push_back(read_job(st));
        // RETURNING does not promise an order.
        std::sort(out.begin(), out.end(), [](const store::job& a, const store::job& b) {
            return a.run_at != b.run_at ? a.run_at < b.run_at : a.id < b.id;
        });
        return out;
    });
}

task<bool> job_repo::complete(id_t id, int attempts) {
    co_return co_await exec_.write([&](connection& c) {
        c.prepare("DELETE FROM jobs WHERE id = $1 AND attempts = $2").bind(id, attempts).run();
        return c.changes() > 0;
    });
}

task<bool> job_repo::retry_later(id_t id, int attempts, std::int64_t run_at, std::string error) {
    co_return co_await exec_.write([&](connection& c) {
        c.prepare(
             "UPDATE jobs SET run_at = $3, last_error = $4, claimed_until = 0"
             " WHERE id = $1 AND attempts = $2")
            .bind(id, attempts, run_at, error)
            .run();
        return c.changes() > 0;
    });
}

task<bool> job_repo::bury(id_t id, int attempts, std::string error, std::int64_t now_ms) {
    co_return co_await exec_.write([&](connection& c) {
        c.prepare(
             "INSERT INTO dead_letters (id, kind, payload, attempts, last_error, created_at,"
             " failed_at) SELECT id, kind, payload, attempts, $3::text, created_at, $4::bigint "
             "FROM jobs"
             " WHERE id = $1 AND attempts = $2"
             " ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, payload = excluded.payload,"
             " attempts = excluded.attempts, last_error = excluded.last_error,"
             " created_at = excluded.created_at, failed_at = excluded.failed_at")
            .bind(id, attempts, error, now_ms)
            .run();
        if (c.changes() == 0) return false;
        c.prepare("DELETE FROM jobs WHERE id = $1").bind(id).run();
        return true;
    });
}

task<std::optional<store::job>> job_repo::find(id_t id) {
    co_return co_await exec_.read([&](connection& c) -> std::optional<store::job> {
        auto st = c.prepare(std::string("SELECT ") + job_columns + " FROM jobs WHERE id = $1");
        if (!st.bind(id).step()) return std::nullopt;
        return read_job(st);
    });
}

task<std::vector<dead_letter>> job_repo::dead_letters(id_t before, int limit) {
    co_return co_await exec_.read([&](connection& c) {
        std::vector<dead_letter> out;
        auto st = c.prepare(
            "SELECT id, kind, payload, attempts, last_error, created_at, failed_at"
            " FROM dead_letters WHERE id < $1 ORDER BY id DESC LIMIT $2");
        st.bind(before != 0 ? static_cast<std::int64_t>(before)
                            : std::numeric_limits<std::int64_t>::max(),
                limit);
        while (st.step()) {
            out.push_back({.id = st.id(0),
                           .kind = st.text(1),
                           .payload = st.text(2),
                           .attempts = static_cast<int>(st.int64(3)),
                           .last_error = st.text(4),
                           .created_at = st.int64(5),
                           .failed_at = st.int64(6)});
        }
        return out;
    });
}

// A job with the same id still queued (replayed twice) is left as it is.
task<bool> job_repo::replay(id_t id, std::int64_t run_at) {
    co_return co_await exec_.write([&](connection& c) {
        c.prepare(
             "INSERT INTO jobs (id, kind, payload, run_at, attempts, last_error, created_at,"
             " claimed_until) SELECT id, kind, payload, $2::bigint, 0, '', created_at, 0"
             " FROM dead_letters WHERE id = $1 ON CONFLICT (id) DO NOTHING")
            .bind(id, run_at)
            .run();
        c.prepare("DELETE FROM dead_letters WHERE id = $1").bind(id).run();
        return c.changes() > 0;
    });
}

task<std::int64_t> job_repo::replay_all(std::int64_t run_at) {
    co_return co_await exec_.write([&](connection& c) {
        c.prepare(
             "INSERT INTO jobs (id, kind, payload, run_at, attempts, last_error, created_at,"
             " claimed_until) SELECT id, kind, payload, $1::bigint, 0, '', created_at, 0"
             " FROM dead_letters ON CONFLICT (id) DO NOTHING")
            .bind(run_at)
            .run();
        c.prepare("DELETE FROM dead_letters").run();
        return c.changes();
    });
}

task<bool> job_repo::remove_dead_letter(id_t id) {
    co_return co_await exec_.write([&](connection& c) {
        c.prepare("DELETE FROM dead_letters WHERE id = $1").bind(id).run();
        return c.changes() > 0;
    });
}

}  // namespace driftway::store::postgres
