#pragma once
// Moves WAL checkpoints off the writer thread. With SQLite's automatic
// checkpoints the commit that crosses the threshold copies the WAL into the
// database file and fsyncs it, stalling every message waiting on that commit
// for tens of milliseconds. Here the writer never checkpoints
// (wal_autocheckpoint = 0) and this thread runs PASSIVE checkpoints on its own
// connection, which proceed beside the writer and the readers.
#include "sqlite/connection.hpp"

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

namespace driftway::store::sqlite {

class checkpointer {
public:
    checkpointer(const std::string& path, std::chrono::milliseconds interval);
    ~checkpointer();  // stops
    checkpointer(const checkpointer&) = delete;
    checkpointer& operator=(const checkpointer&) = delete;

    // Stops the thread after a last checkpoint. Idempotent.
    void stop();

private:
    void run();

    connection conn_;
    std::chrono::milliseconds interval_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;  // guarded by mutex_
    std::thread thread_;
};

}  // namespace driftway::store::sqlite
