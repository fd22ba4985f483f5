#pragma once
// RAII over one libpq connection and its prepared statements. A connection is
// used by one storage thread at a time (each worker thread owns one), so
// nothing here locks. Statements are prepared once per connection and cached
// by their SQL text; after a reconnect the cache starts empty again.
//
// The interface mirrors sqlite/connection.hpp on purpose (prepare, bind, step,
// typed column readers, changes()) so that the repositories of both backends
// read alike; only their SQL differs.
#include "driftway/core/error.hpp"

#include <libpq-fe.h>

#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

namespace driftway::store::postgres {

// A failed libpq call. It is an error_exception carrying the error the API
// edge should answer with (503); detail() keeps the server's message and
// sqlstate() its SQLSTATE for logs, which clients never see.
class pg_error : public error_exception {
public:
    pg_error(driftway::error e, std::string sqlstate, std::string detail)
        : error_exception(std::move(e)),
          sqlstate_(std::move(sqlstate)),
          detail_(std::move(detail)) {}
    const std::string& sqlstate() const noexcept { return sqlstate_; }
    const std::string& detail() const noexcept { return detail_; }

private:
    std::string sqlstate_;
    std::string detail_;
};

// SQLSTATE class 23: a violated UNIQUE, PRIMARY KEY, FOREIGN KEY, CHECK or NOT
// NULL constraint. Reaches the client as a plain 409 conflict unless the
// repository maps it (constraint() names the index, e.g. users_email_key).
class constraint_violation : public pg_error {
public:
    constraint_violation(std::string sqlstate, std::string constraint, std::string detail);
    const std::string& constraint() const noexcept { return constraint_; }

private:
    std::string constraint_;
};

class connection;

// A prepared statement with its parameters and, once run, its result.
// Parameters are bound by position ($1..$N) and sent as text; step() runs the
// statement on its first call and then walks the rows.
class statement {
public:
    statement(connection& c, const std::string& name) noexcept : conn_(&c), name_(&name) {}
    statement(statement&&) noexcept = default;
    statement(const statement&) = delete;
    statement& operator=(const statement&) = delete;
    statement& operator=(statement&&) = delete;

    // Integers (ids included) are sent as signed 64-bit decimal text, bools as
    // true/false, strings as they are, nullopt/nullptr as NULL.
    template <class... Args>
    statement& bind(const Args&... args) {
        (bind_one(args), ...);
        return *this;
    }

    // True when a row is available, false when there are no more.
    bool step();
    // Runs a statement whose rows are not needed.
    void run();
    // In pipeline mode (connection::enter_pipeline): sends the statement
    // without waiting for its answer. on_result is called with the statement
    // holding its result (step() walks the rows) when the pipeline is synced,
    // unless the statement or one before it failed. Consumes the statement.
    void send(std::function<void(statement&)> on_result);

    bool is_null(int column) const noexcept;
    std::int64_t int64(int column) const noexcept;
    std::uint64_t id(int column) const noexcept {
        return static_cast<std::uint64_t>(int64(column));
    }
    std::optional<std::uint64_t> optional_id(int column) const noexcept;
    bool boolean(int column) const noexcept;
    double real(int column) const noexcept;
    std::string text(int column) const;

private:
    friend class connection;
    std::vector<const char*> values() const;

    template <class T>
    void bind_one(const T& value) {
        if constexpr (std::is_same_v<T, bool>) {
            params_.emplace_back(value ? "true" : "false");
        } else if constexpr (std::is_integral_v<T>) {
            params_.emplace_back(std::to_string(static_cast<std::int64_t>(value)));
        } else if constexpr (std::is_convertible_v<const T&, std::string_view>) {
            params_.emplace_back(std::string(std::string_view(value)));
        } else if constexpr (std::is_same_v<T, std::nullopt_t> ||
                             std::is_same_v<T, std::nullptr_t>) {
            params_.emplace_back(std::nullopt);
        } else {
            static_assert(is_optional<T>::value, "unsupported parameter type");
            if (value) {
                bind_one(*value);
            } else {
                params_.emplace_back(std::nullopt);
            }
        }
    }
    template <class T>
    struct is_optional : std::false_type {};
    template <class T>
    struct is_optional<std::optional<T>> : std::true_type {};

    const char* value(int column) const noexcept;

    struct result_deleter {
        void operator()(PGresult* r) const noexcept { PQclear(r); }
    };

    connection* conn_;
    const std::string* name_;
    std::vector<std::optional<std::string>> params_;
    std::unique_ptr<PGresult, result_deleter> result_;
    int row_ = -1;
    int rows_ = 0;
};

class connection {
public:
    // Connects with a libpq conninfo string or URL. Throws pg_error (503
    // database_unavailable) when the server cannot be reached.
    explicit connection(std::string conninfo);
    ~connection();
    connection(const connection&) = delete;
    connection& operator=(const connection&) = delete;

    // Runs SQL text without parameters (transaction control, migration
    // scripts); may hold several statements.
    void exec(const char* sql);
    // A statement for sql, prepared on first use and cached by its text.
    statement prepare(std::string_view sql);
    // Rows changed (or returned) by the last statement run.
    std::int64_t changes() const noexcept { return changes_; }

    // True when the session is usable. After a lost connection, reconnect()
    // opens a new session (throwing pg_error when the server is still away).
    bool healthy() const noexcept;
    void reconnect();
    // Inside BEGIN … COMMIT (or an aborted transaction).
    bool in_transaction() const noexcept;

    PGconn* handle() const noexcept { return conn_.get(); }

    // Pipeline mode: statements (and prepares of new SQL) are sent without
    // waiting, so a batch costs one round trip instead of one per statement.
    // Synchronous calls (step(), exec()) are refused until exit_pipeline().
    bool pipelining() const noexcept { return pipelining_; }
    void enter_pipeline();
    // Sends SQL without parameters (e.g. BEGIN) into the pipeline.
    void send(const char* sql);
    // Ends the statements sent so far with a sync point, waits for their
    // answers and hands each its result. Returns the first failure (nullptr
    // when all succeeded); after one, the server skipped the rest and the
    // transaction is aborted. Statements prepared since the last successful
    // sync are then forgotten, as the server may not have them.
    std::exception_ptr sync_pipeline();
    // Leaves pipeline mode; a session left in an unknown state is reopened.
    void exit_pipeline() noexcept;

private:
    friend class statement;
    struct pending {
        std::optional<statement> st;  // nullopt: BEGIN or a prepare
        std::function<void(statement&)> on_result;
    };
    // Sends PQpipelineSync and collects the answers of pending_.
    std::exception_ptr collect_pipeline();
    // Checks a result, recording changes; throws on failure.
    void check(PGresult* r, std::string_view what);
    void open();

    struct closer {
        void operator()(PGconn* c) const noexcept { PQfinish(c); }
    };
    struct text_hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const noexcept {
            return std::hash<std::string_view>{}(s);
        }
    };

    std::string conninfo_;
    std::unique_ptr<PGconn, closer> conn_;
    // SQL text -> statement name (s1, s2, …) on this session.
    std::unordered_map<std::string, std::string, text_hash, std::equal_to<>> cache_;
    std::int64_t changes_ = 0;
    std::uint64_t next_name_ = 0;
    bool pipelining_ = false;
    std::vector<pending> pending_;
    std::vector<std::string> pipeline_prepared_;  // SQL prepared since the last sync
};

// Rolls back an open transaction when leaving a scope by an exception;
// commit() ends it normally. PostgreSQL answers COMMIT of a transaction that
// an error aborted (a job that caught a constraint violation and returned an
// error value) by rolling it back, which is what such a job wants.
class transaction {
public:
    explicit transaction(connection& c);
    ~transaction();
    transaction(const transaction&) = delete;
    transaction& operator=(const transaction&) = delete;
    void commit();

private:
    connection& conn_;
    bool open_ = true;
};

}  // namespace driftway::store::postgres
