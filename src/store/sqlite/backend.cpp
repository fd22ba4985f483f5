#include "driftway/store/backend.hpp"

#include "driftway/core/clock.hpp"
#include "driftway/core/log.hpp"
#include "sqlite/checkpointer.hpp"
#include "sqlite/executor.hpp"
#include "sqlite/job_repo.hpp"
#include "sqlite/migrations.hpp"
#include "sqlite/repositories.hpp"
#include "sqlite/search_index.hpp"
#include "sqlite/text_repositories.hpp"

#include <sqlite3.h>

#include <mutex>
#include <stdexcept>

namespace driftway::store {

namespace {

using sqlite::connection;

// ":memory:" (and "", a private temporary database) exist only inside the
// connection that opened them, so such a database gets no readers.
bool in_memory(const std::string& path) {
    return path.empty() || path == ":memory:";
}

// The writer commits each acknowledged write durably: with WAL and
// synchronous=NORMAL a commit is not fsynced and a power loss can undo it,
// while the API acknowledges a message only once it is durable (DESIGN.md).
// FULL fsyncs the WAL at every commit; group commit amortizes that fsync over
// a batch instead of weakening it.
void configure_writer(connection& c, bool memory) {
    if (!memory) {
        auto st = c.prepare("PRAGMA journal_mode = WAL");
        if (!st.step() || st.text(0) != "wal") {
            throw std::runtime_error("the database cannot use write-ahead logging");
        }
    }
    // Checkpoints run on their own thread (sqlite/checkpointer.hpp).
    if (!memory) c.exec("PRAGMA wal_autocheckpoint = 0;");
    c.exec(
        "PRAGMA synchronous = FULL;"
        "PRAGMA foreign_keys = ON;"
        "PRAGMA temp_store = MEMORY;"
        "PRAGMA cache_size = -16384;");  // KiB
}

// SQLite keeps process-wide memory statistics by default, taking a global
// mutex on every allocation of every connection; nothing here reads them. The
// setting only takes before SQLite initializes: when something else in the
// process initialized it first, the call fails and the default stays.
void skip_memory_statistics() {
    static std::once_flag once;
    std::call_once(once, [] { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
}

void configure_reader(connection& c) {
    c.exec(
        "PRAGMA query_only = ON;"
        "PRAGMA temp_store = MEMORY;"
        "PRAGMA cache_size = -8192;"       // KiB, per reader
        "PRAGMA mmap_size = 268435456;");  // reads straight from the page cache
}

class sqlite_backend final : public backend {
public:
    explicit sqlite_backend(const sqlite_options& options) : exec_(open(options)) {
        if (!in_memory(options.path))
            checkpointer_.emplace(options.path, std::chrono::milliseconds(200));
    }
    ~sqlite_backend() override { close(); }

    user_repository& users() override { return users_; }
    refresh_token_repository& refresh_tokens() override { return refresh_tokens_; }
    api_key_repository& api_keys() override { return api_keys_; }
    instance_repository& instance() override { return instance_; }

    space_repository& spaces() override { return spaces_; }
    member_repository& members() override { return members_; }
    role_repository& roles() override { return roles_; }
    ban_repository& bans() override { return bans_; }
    invite_repository& invites() override { return invites_; }
    channel_repository& channels() override { return channels_; }
    message_repository& messages() override { return messages_; }
    read_state_repository& read_states() override { return read_states_; }
    attachment_repository& attachments() override { return attachments_; }
    audit_repository& audit() override { return audit_; }
    job_repository& jobs() override { return jobs_; }

    task<health> ping() override {
        health h;
        const auto start = clock::mono_ns();
        try {
            co_await exec_.read([](connection& c) { c.prepare("SELECT 1").step(); });
            h.ok = true;
            h.detail = "ok";
        } catch (const error_exception& e) {
            h.detail = e.get().message;
        }
        h.latency_ms = static_cast<double>(clock::mono_ns() - start) / 1e6;
        co_return h;
    }

    // This process migrates only at open, so the version read then stays
    // true; reading it here never touches the database or blocks.
    int schema_version() override { return version_; }
    int latest_schema_version() const override { return sqlite::latest_schema_version(); }

    void close() override {
        exec_.close();
        if (checkpointer_) checkpointer_->stop();
    }

private:
    sqlite::executor open(const sqlite_options& options);

    int version_ = 0;
    sqlite::executor exec_;
    sqlite::user_repo users_{exec_};
    sqlite::refresh_token_repo refresh_tokens_{exec_};
    sqlite::api_key_repo api_keys_{exec_};
    sqlite::instance_repo instance_{exec_};
    sqlite::space_repo spaces_{exec_};
    sqlite::member_repo members_{exec_};
    sqlite::role_repo roles_{exec_};
    sqlite::ban_repo bans_{exec_};
    sqlite::invite_repo invites_{exec_};
    sqlite::channel_repo channels_{exec_};
    sqlite::message_repo messages_{exec_};
    sqlite::read_state_repo read_states_{exec_};
    sqlite::attachment_repo attachments_{exec_};
    sqlite::audit_repo audit_{exec_};
    sqlite::job_repo jobs_{exec_};
    std::optional<sqlite::checkpointer> checkpointer_;
};

sqlite::executor sqlite_backend::open(const sqlite_options& options) {
    skip_memory_statistics();
    const bool memory = in_memory(options.path);
    try {
        auto writer = std::make_unique<connection>(options.path, connection::access::read_write);
        configure_writer(*writer, memory);
        version_ = options.migrate ? sqlite::migrate(*writer) : sqlite::schema_version(*writer);
        if (version_ < sqlite::latest_schema_version()) {
            log::warn("database schema is behind this build; run `driftway admin migrate`",
                      {{"version", version_}, {"latest", sqlite::latest_schema_version()}});
        }
        std::vector<std::unique_ptr<connection>> readers;
        if (!memory) {
            for (unsigned i = 0; i < options.read_threads; ++i) {
                readers.push_back(
                    std::make_unique<connection>(options.path, connection::access::read_only));
                configure_reader(*readers.back());
            }
        }
        sqlite::worker::commit_hook before_commit;
        // Migration 2 created the full-text index; an older schema has none.
        if (version_ >= 2) before_commit = sqlite::index_pending_messages;
        return sqlite::executor(std::move(writer), std::move(readers), std::move(before_commit));
    } catch (const sqlite::sqlite_error& e) {
        throw std::runtime_error("cannot open database '" + options.path + "': " + e.detail());
    }
}

}  // namespace

std::unique_ptr<backend> make_sqlite(const sqlite_options& options) {
    return std::make_unique<sqlite_backend>(options);
}

}  // namespace driftway::store
