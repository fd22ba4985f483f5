#include "postgres/worker.hpp"

#include <pthread.h>

#include <algorithm>

namespace driftway::store::postgres {

namespace {

std::exception_ptr unavailable_error() {
    return std::make_exception_ptr(
        error_exception(error::unavailable("database_unavailable", "the database is unavailable")));
}

// A session the server ended (restart, failover, pg_terminate_backend) is
// noticed only by the next call on it. A BEGIN that finds it gone has changed
// nothing, so it is tried once more on a new session; a second failure is
// the job's.
void begin(connection& c, std::optional<transaction>& tx) {
    try {
        tx.emplace(c);
    } catch (const pg_error&) {
        if (c.healthy()) throw;
        c.reconnect();
        tx.emplace(c);
    }
}

constexpr std::chrono::milliseconds min_backoff{50};
constexpr std::chrono::milliseconds max_backoff{5000};

std::exception_ptr closed_error() {
    return std::make_exception_ptr(
        error_exception(error::unavailable("storage_unavailable", "storage is closed")));
}

}  // namespace

worker::worker(std::string name, std::vector<std::unique_ptr<connection>> connections,
               commit_hook before_commit)
    : before_commit_(std::move(before_commit)), connections_(std::move(connections)) {
    threads_.reserve(connections_.size());
    for (std::size_t i = 0; i < connections_.size(); ++i) {
        threads_.emplace_back([this, &c = *connections_[i]] { run(c); });
        // Linux limits thread names to 15 characters.
        const auto thread_name = (name + std::to_string(i)).substr(0, 15);
        pthread_setname_np(threads_.back().native_handle(), thread_name.c_str());
    }
}

worker::~worker() {
    close();
}

void worker::push(std::unique_ptr<job> j, mode m) {
    {
        std::lock_guard lock(mutex_);
        if (!closing_) {
            queue_.push_back({std::move(j), m});
            ready_.notify_one();
            return;
        }
    }
    j->fail(closed_error());
    j->complete();
}

void worker::close() {
    std::call_once(closed_, [this] {
        {
            std::lock_guard lock(mutex_);
            closing_ = true;
        }
        ready_.notify_all();
        for (auto& t : threads_) t.join();
        connections_.clear();
    });
}

bool worker::usable(connection& c, std::chrono::milliseconds& backoff,
                    std::chrono::steady_clock::time_point& next_attempt) {
    if (c.healthy()) return true;
    const auto now = std::chrono::steady_clock::now();
    if (now < next_attempt) return false;
    try {
        c.reconnect();
        backoff = min_backoff;
        return true;
    } catch (const pg_error&) {
        next_attempt = now + backoff;
        backoff = std::min(backoff * 2, max_backoff);
        return false;
    }
}

void worker::run(connection& c) {
    std::vector<entry> group;
    auto backoff = min_backoff;
    auto next_attempt = std::chrono::steady_clock::time_point{};
    for (;;) {
        entry next;
        {
            std::unique_lock lock(mutex_);
            ready_.wait(lock, [this] { return closing_ || !queue_.empty(); });
            if (queue_.empty()) return;  // closing and drained
            next = std::move(queue_.front());
            queue_.pop_front();
            if (next.how == mode::grouped) {
                group.push_back(std::move(next));
                take_grouped(group);
            }
        }
        if (!usable(c, backoff, next_attempt)) {
            for (auto& e : group) {
                e.work->fail(unavailable_error());
                e.work->complete();
            }
            group.clear();
            if (next.work) {
                next.work->fail(unavailable_error());
                next.work->complete();
            }
            continue;
        }
        if (!group.empty()) {
            run_group(c, group);
            for (auto& e : group) e.work->complete();
            group.clear();
            continue;
        }
        if (next.how == mode::transaction) {
            run_in_transaction(c, *next.work);
        } else {
            next.work->execute(c);
            // A read that found its session gone is read again on a new one
            // (reads change nothing, so running one twice is harmless).
            if (next.work->failed() && !c.healthy()) {
                try {
                    c.reconnect();
                    next.work->execute(c);
                } catch (const pg_error&) {
                    // Still away: the job keeps its 503.
                }
            }
        }
        next.work->complete();
    }
}

// Grouped jobs queued behind other writes run ahead of them. That is safe
// because jobs that wait in the queue together were issued concurrently: a
// caller that needs one write to follow another awaits the first before it
// issues the second, so either order is one its callers allow.
void worker::take_grouped(std::vector<entry>& group) {
    if (group.size() >= max_group) return;
    std::deque<entry> rest;
    while (!queue_.empty()) {
        auto& e = queue_.front();
        if (e.how == mode::grouped && group.size() < max_group) {
            group.push_back(std::move(e));
        } else {
            rest.push_back(std::move(e));
        }
        queue_.pop_front();
    }
    queue_.swap(rest);
}

void worker::run_in_transaction(connection& c, job& j) {
    try {
        std::optional<transaction> tx;
        begin(c, tx);
        j.execute(c);
        if (j.failed()) return;  // tx rolls back
        if (before_commit_) before_commit_(c);
        tx->commit();
    } catch (...) {
        j.fail(std::current_exception());
    }
}

// The fast way: every job's statements go out in one pipeline, inside one
// transaction and without savepoints, a sync point every pipeline_chunk jobs
// so that answers never pile up unread on either side. Nothing is committed
// until every answer came back without error; COMMIT is then sent on its own.
// On any failure the transaction is rolled back and false is returned, and
// the group is run again the careful way, so that a create that fails alone
// still fails alone.
bool worker::run_pipelined(connection& c, std::span<entry> group) {
    bool ok = true;
    try {
        c.enter_pipeline();
        c.send("BEGIN");
        std::size_t since_sync = 0;
        for (auto& e : group) {
            e.work->execute(c);
            if (e.work->failed()) {
                ok = false;
                break;
            }
            if (++since_sync == pipeline_chunk) {
                since_sync = 0;
                if (c.sync_pipeline()) {
                    ok = false;
                    break;
                }
            }
        }
        // Also drains what a failure above left unanswered.
        if (c.sync_pipeline()) ok = false;
    } catch (...) {
        ok = false;
    }
    c.exit_pipeline();
    if (!ok) {
        if (c.healthy() && c.in_transaction()) {
            try {
                c.exec("ROLLBACK");
            } catch (const pg_error&) {
                // The careful run's BEGIN will notice a session that is gone.
            }
        }
        return false;
    }
    try {
        if (before_commit_) before_commit_(c);
        c.exec("COMMIT");
    } catch (...) {
        // COMMIT's answer lost: whether it committed is unknown, so nothing
        // is run again and every job fails, as with the careful way.
        const auto e = std::current_exception();
        for (auto& g : group) g.work->fail(e);
    }
    return true;
}

void worker::run_group(connection& c, std::span<entry> group) {
    if (run_pipelined(c, group)) return;
    run_with_savepoints(c, group);
}

// A job whose function throws is rolled back to its savepoint and fails
// alone; so is a job that caught an error and returned, leaving the
// transaction aborted. When the transaction itself fails (BEGIN, a savepoint,
// COMMIT, a lost connection), nothing of the group is durable and every job
// fails. Completions are sent only after COMMIT returned: with fsync on and
// synchronous_commit at its default, the group is durable by then.
void worker::run_with_savepoints(connection& c, std::span<entry> group) {
    std::size_t ran = 0;  // jobs whose function was called
    try {
        std::optional<transaction> tx;
        begin(c, tx);
        for (auto& e : group) {
            job& j = *e.work;
            c.exec("SAVEPOINT grouped_job");
            j.execute(c);
            ++ran;
            if (j.failed() || PQtransactionStatus(c.handle()) == PQTRANS_INERROR) {
                c.exec("ROLLBACK TO SAVEPOINT grouped_job");
            }
            c.exec("RELEASE SAVEPOINT grouped_job");
        }
        if (before_commit_) before_commit_(c);
        tx->commit();
    } catch (...) {
        const auto e = std::current_exception();
        for (std::size_t k = 0; k < group.size(); ++k) {
            // Jobs that already failed keep their own, more precise, error.
            // Those not yet run hold no outcome at all and must get this one.
            if (k >= ran || !group[k].work->failed()) group[k].work->fail(e);
        }
    }
}

}  // namespace driftway::store::postgres
