#include "sqlite/worker.hpp"

#include <pthread.h>

namespace driftway::store::sqlite {

namespace {

std::exception_ptr closed_error() {
    return std::make_exception_ptr(
        error_exception(error::unavailable("storage_unavailable", "storage is closed")));
}

}  // namespace

worker::worker(std::string name, std::vector<std::unique_ptr<connection>> connections)
    : connections_(std::move(connections)) {
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

void worker::push(std::unique_ptr<job> j, bool transactional) {
    {
        std::lock_guard lock(mutex_);
        if (!closing_) {
            queue_.push_back({std::move(j), transactional});
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
    for (;;) {
        entry next;
        {
            std::unique_lock lock(mutex_);
            ready_.wait(lock, [this] { return closing_ || !queue_.empty(); });
            if (queue_.empty()) return;  // closing and drained
            next = std::move(queue_.front());
            queue_.pop_front();
        }
        // Group commit for message inserts belongs here: instead of one job,
        // take every queued transactional job (up to a bound), run each inside
        // a SAVEPOINT of a single BEGIN IMMEDIATE … COMMIT (a failing job rolls
        // back to its savepoint only), and complete them all after the COMMIT,
        // so that one fsync makes the whole batch durable.
        if (next.transactional) {
            run_in_transaction(c, *next.work);
        } else {
            next.work->execute(c);
        }
        next.work->complete();
    }
}

void worker::run_in_transaction(connection& c, job& j) {
    try {
        transaction tx(c);
        j.execute(c);
        if (j.failed()) return;  // tx rolls back
        tx.commit();
    } catch (...) {
        j.fail(std::current_exception());
    }
}

}  // namespace driftway::store::sqlite
