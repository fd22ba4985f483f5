#include "sqlite/checkpointer.hpp"

#include "driftway/core/log.hpp"

namespace driftway::store::sqlite {

checkpointer::checkpointer(const std::string& path, std::chrono::milliseconds interval)
    : conn_(path, connection::access::read_write), interval_(interval) {
    conn_.exec("PRAGMA busy_timeout = 5000;");
    thread_ = std::thread([this] { run(); });
}

checkpointer::~checkpointer() {
    stop();
}

void checkpointer::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void checkpointer::run() {
    std::unique_lock lock(mutex_);
    for (;;) {
        const bool stop = wake_.wait_for(lock, interval_, [this] { return stopping_; });
        lock.unlock();
        try {
            conn_.exec("PRAGMA wal_checkpoint(PASSIVE);");
        } catch (const sqlite_error& e) {
            // A busy database is retried at the next interval; nothing is lost.
            log::debug("wal checkpoint skipped", {{"detail", e.detail()}});
        }
        if (stop) return;
        lock.lock();
    }
}

}  // namespace driftway::store::sqlite
