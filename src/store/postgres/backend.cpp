#include "driftway/store/backend.hpp"

#include "driftway/core/clock.hpp"
#include "driftway/core/log.hpp"
#include "postgres/executor.hpp"
#include "postgres/job_repo.hpp"
#include "postgres/migrations.hpp"
#include "postgres/repositories.hpp"
#include "postgres/text_repositories.hpp"

#include <algorithm>
#include <stdexcept>

namespace driftway::store {

namespace {

using postgres::connection;

// Session settings of every connection of the pool. Commits wait for the WAL
// flush (synchronous_commit = on, the default, said here so that a server
// configured otherwise cannot weaken what the API acknowledges as durable).
// Statements that hang (a lock held by a stuck session) fail after 30 s
// instead of holding a storage thread forever.
void configure(connection& c) {
    c.exec(
        "SET synchronous_commit = on;"
        "SET statement_timeout = '30s';"
        "SET client_min_messages = warning;");
}

std::unique_ptr<connection> open_connection(const std::string& conninfo) {
    auto c = std::make_unique<connection>(conninfo);
    configure(*c);
    return c;
}

class postgres_backend final : public backend {
public:
    explicit postgres_backend(const postgres_options& options) : exec_(open(options)) {}
    ~postgres_backend() override { close(); }

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

    // Read at open; another node migrating later does not change what this
    // process's code expects.
    int schema_version() override { return version_; }
    int latest_schema_version() const override { return postgres::latest_schema_version(); }

    void close() override { exec_.close(); }

private:
    postgres::executor open(const postgres_options& options);

    int version_ = 0;
    postgres::executor exec_;
    postgres::user_repo users_{exec_};
    postgres::refresh_token_repo refresh_tokens_{exec_};
    postgres::api_key_repo api_keys_{exec_};
    postgres::instance_repo instance_{exec_};
    postgres::space_repo spaces_{exec_};
    postgres::member_repo members_{exec_};
    postgres::role_repo roles_{exec_};
    postgres::ban_repo bans_{exec_};
    postgres::invite_repo invites_{exec_};
    postgres::channel_repo channels_{exec_};
    postgres::message_repo messages_{exec_};
    postgres::read_state_repo read_states_{exec_};
    postgres::attachment_repo attachments_{exec_};
    postgres::audit_repo audit_{exec_};
    postgres::job_repo jobs_{exec_};
};

// The pool: one writer connection and pool_size - 1 (at least one) readers,
// each driven by its own thread.
postgres::executor postgres_backend::open(const postgres_options& options) {
    try {
        auto writer = open_connection(options.conninfo);
        version_ = options.migrate ? postgres::migrate(*writer) : postgres::schema_version(*writer);
        if (version_ < postgres::latest_schema_version()) {
            log::warn("database schema is behind this build; run `driftway admin migrate`",
                      {{"version", version_}, {"latest", postgres::latest_schema_version()}});
        }
        std::vector<std::unique_ptr<connection>> readers;
        const unsigned reader_count = std::max(1u, options.pool_size) - 1;
        for (unsigned i = 0; i < std::max(1u, reader_count); ++i) {
            readers.push_back(open_connection(options.conninfo));
        }
        return postgres::executor(std::move(writer), std::move(readers));
    } catch (const postgres::pg_error& e) {
        // The conninfo may hold a password: only the server's message is shown.
        throw std::runtime_error("cannot open the PostgreSQL database: " + e.detail());
    }
}

}  // namespace

std::unique_ptr<backend> make_postgres(const postgres_options& options) {
    return std::make_unique<postgres_backend>(options);
}

}  // namespace driftway::store
