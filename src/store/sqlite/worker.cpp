#include "sqlite/worker.hpp"

#include <pthread.h>

namespace driftway::store::sqlite {

namespace {

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
        // Finalizes each connection's statements, then closes it; a WAL
        // database is checkpointed by the last connection to close.
        connections_.clear();
    });
}

void worker::run(connection& c) {
    std::vector<entry> group;
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
        transaction tx(c);
        j.execute(c);
        if (j.failed()) return;  // tx rolls back
        if (before_commit_) before_commit_(c);
        tx.commit();
    } catch (...) {
        j.fail(std::current_exception());
    }
}

// A job whose function throws is rolled back to its savepoint and fails
// alone. When the transaction itself fails (BEGIN, a savepoint, COMMIT, or an
// error after which SQLite rolled everything back, so ROLLBACK TO finds no
// savepoint), nothing of the group is durable and every job fails.
void worker::run_group(connection& c, std::span<entry> group) {
    std::size_t ran = 0;  // jobs whose function was called
    try {
        transaction tx(c);
        for (auto& e : group) {
            job& j = *e.work;
            c.prepare("SAVEPOINT grouped_job").run();
            j.execute(c);
            ++ran;
            if (j.failed()) c.prepare("ROLLBACK TO grouped_job").run();
            c.prepare("RELEASE grouped_job").run();
        }
        if (before_commit_) before_commit_(c);
        tx.commit();
    } catch (...) {
        const auto e = std::current_exception();
        for (std::size_t k = 0; k < group.size(); ++k) {
            // Jobs that already failed keep their own, more precise, error.
            // Those not yet run hold no outcome at all and must get this one.
            if (k >= ran || !group[k].work->failed()) group[k].work->fail(e);
        }
    }
}

}  // namespace driftway::store::sqlite
