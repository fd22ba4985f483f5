#pragma once
// RAII over one sqlite3 connection and its prepared statements. A connection
// is used by one thread at a time (it is opened SQLITE_OPEN_NOMUTEX and owned
// by one storage thread), so nothing here locks.
#include "driftway/core/error.hpp"

#include <sqlite3.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <utility>

namespace driftway::store::sqlite {

// A failed SQLite call. It is an error_exception carrying the error the API
// edge should answer with (503 storage_unavailable); detail() keeps SQLite's
// own message for logs and start-up diagnostics, which clients never see.
class sqlite_error : public error_exception {
public:
    sqlite_error(driftway::error e, int code, std::string detail)
        : error_exception(std::move(e)), code_(code), detail_(std::move(detail)) {}
    int code() const noexcept { return code_; }  // extended result code
    const std::string& detail() const noexcept { return detail_; }

private:
    int code_;
    std::string detail_;
};

// A violated UNIQUE, PRIMARY KEY, FOREIGN KEY, CHECK or NOT NULL constraint.
// Repositories map the ones they expect to specific codes (username_taken);
// any other reaches the client as a plain 409 conflict.
class constraint_violation : public sqlite_error {
public:
    constraint_violation(int code, std::string detail);
};

// Returns rc when it is OK, ROW or DONE; otherwise throws constraint_violation
// or sqlite_error (503), logging the latter with `what`.
int check(int rc, sqlite3* db, std::string_view what);

// A prepared statement borrowed from a connection's cache. Parameters are
// bound by position; the destructor resets it so that the cached statement can
// be reused and holds no read snapshot open.
class statement {
public:
    statement(sqlite3_stmt* stmt, sqlite3* db) noexcept : stmt_(stmt), db_(db) {}
    ~statement();
    statement(statement&& other) noexcept
        : stmt_(std::exchange(other.stmt_, nullptr)), db_(other.db_) {}
    statement(const statement&) = delete;
    statement& operator=(const statement&) = delete;
    statement& operator=(statement&&) = delete;

    // Binds args to parameters ?1..?N. Integers (ids included) are stored as
    // INTEGER, bools as 0/1, strings as TEXT, nullopt/nullptr as NULL.
    template <class... Args>
    statement& bind(const Args&... args) {
        int index = 0;
        (bind_one(++index, args), ...);
        return *this;
    }

    // True when a row is available, false when the statement is done.
    bool step();
    // Runs a statement that returns no rows (or whose rows are not needed).
    void run();

    bool is_null(int column) const noexcept;
    std::int64_t int64(int column) const noexcept;
    std::uint64_t id(int column) const noexcept {
        return static_cast<std::uint64_t>(int64(column));
    }
    std::optional<std::uint64_t> optional_id(int column) const noexcept;
    bool boolean(int column) const noexcept { return int64(column) != 0; }
    double real(int column) const noexcept;
    std::string text(int column) const;

private:
    template <class T>
    void bind_one(int index, const T& value) {
        if constexpr (std::is_same_v<T, bool>) {
            bind_int64(index, value ? 1 : 0);
        } else if constexpr (std::is_integral_v<T>) {
            bind_int64(index, static_cast<std::int64_t>(value));
        } else if constexpr (std::is_convertible_v<const T&, std::string_view>) {
            bind_text(index, std::string_view(value));
        } else if constexpr (std::is_same_v<T, std::nullopt_t> ||
                             std::is_same_v<T, std::nullptr_t>) {
            bind_null(index);
        } else {
            static_assert(is_optional<T>::value, "unsupported parameter type");
            if (value) {
                bind_one(index, *value);
            } else {
                bind_null(index);
            }
        }
    }
    template <class T>
    struct is_optional : std::false_type {};
    template <class T>
    struct is_optional<std::optional<T>> : std::true_type {};

    void bind_int64(int index, std::int64_t value);
    void bind_text(int index, std::string_view value);
    void bind_null(int index);

    sqlite3_stmt* stmt_;
    sqlite3* db_;
};

class connection {
public:
    enum class access { read_write, read_only };

    // Opens (creating when read_write) the database at path; ":memory:" gives
    // a private in-memory database. Throws sqlite_error.
    connection(const std::string& path, access mode);
    ~connection();
    connection(const connection&) = delete;
    connection& operator=(const connection&) = delete;

    // Runs SQL text without parameters (pragmas, transaction control,
    // migration scripts); may hold several statements.
    void exec(const char* sql);
    // A statement for sql, compiled on first use and cached by its text.
    statement prepare(std::string_view sql);
    // Rows changed by the last INSERT, UPDATE or DELETE.
    std::int64_t changes() const noexcept;
    sqlite3* handle() const noexcept { return db_.get(); }

private:
    struct closer {
        void operator()(sqlite3* db) const noexcept { sqlite3_close_v2(db); }
    };
    struct finalizer {
        void operator()(sqlite3_stmt* stmt) const noexcept { sqlite3_finalize(stmt); }
    };
    struct text_hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const noexcept {
            return std::hash<std::string_view>{}(s);
        }
    };

    // Declared first so that it is destroyed last, after every cached
    // statement has been finalized.
    std::unique_ptr<sqlite3, closer> db_;
    std::unordered_map<std::string, std::unique_ptr<sqlite3_stmt, finalizer>, text_hash,
                       std::equal_to<>>
        cache_;
};

// Rolls back an open transaction when leaving a scope by an exception;
// commit() ends it normally.
class transaction {
public:
    explicit transaction(connection& c, const char* begin = "BEGIN IMMEDIATE");
    ~transaction();
    transaction(const transaction&) = delete;
    transaction& operator=(const transaction&) = delete;
    void commit();

private:
    connection& conn_;
    bool open_ = true;
};

}  // namespace driftway::store::sqlite
