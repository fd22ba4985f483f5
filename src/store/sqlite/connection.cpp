#include "sqlite/connection.hpp"

#include "driftway/core/log.hpp"

namespace driftway::store::sqlite {

namespace {

// Every connection sees the same limits; 5 s covers a checkpoint or a long
// write without turning a busy database into an error.
constexpr int busy_timeout_ms = 5000;

std::string errmsg(sqlite3* db, int rc) {
    if (db != nullptr) return sqlite3_errmsg(db);
    return sqlite3_errstr(rc);
}

}  // namespace

constraint_violation::constraint_violation(int code, std::string detail)
    : sqlite_error(error::conflict("conflict", "the change conflicts with existing data"), code,
                   std::move(detail)) {}

int check(int rc, sqlite3* db, std::string_view what) {
    if (rc == SQLITE_OK || rc == SQLITE_ROW || rc == SQLITE_DONE) return rc;
    // An extended code when the connection asked for them, the primary one
    // otherwise; the low byte is the primary code either way.
    const int code = db != nullptr ? sqlite3_extended_errcode(db) : rc;
    std::string detail = errmsg(db, rc);
    if ((rc & 0xff) == SQLITE_CONSTRAINT) throw constraint_violation(code, std::move(detail));
    log::error("sqlite call failed", {{"what", what}, {"code", code}, {"detail", detail}});
    throw sqlite_error(error::unavailable("storage_unavailable", "storage is unavailable"), code,
                       std::move(detail));
}

statement::~statement() {
    if (stmt_ == nullptr) return;
    // reset() repeats the last step's error code, which was already reported.
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
}

bool statement::step() {
    return check(sqlite3_step(stmt_), db_, "step") == SQLITE_ROW;
}

void statement::run() {
    while (step()) {
    }
}

bool statement::is_null(int column) const noexcept {
    return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

std::int64_t statement::int64(int column) const noexcept {
    return sqlite3_column_int64(stmt_, column);
}

double statement::real(int column) const noexcept {
    return sqlite3_column_double(stmt_, column);
}

std::optional<std::uint64_t> statement::optional_id(int column) const noexcept {
    if (is_null(column)) return std::nullopt;
    return id(column);
}

std::string statement::text(int column) const {
    const auto* data = sqlite3_column_text(stmt_, column);
    const int size = sqlite3_column_bytes(stmt_, column);
    if (data == nullptr) return {};
    return {reinterpret_cast<const char*>(data), static_cast<std::size_t>(size)};
}

void statement::bind_int64(int index, std::int64_t value) {
    check(sqlite3_bind_int64(stmt_, index, value), db_, "bind");
}

void statement::bind_text(int index, std::string_view value) {
    check(sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT,
                              SQLITE_UTF8),
          db_, "bind");
}

void statement::bind_null(int index) {
    check(sqlite3_bind_null(stmt_, index), db_, "bind");
}

connection::connection(const std::string& path, access mode) {
    int flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
    flags |= mode == access::read_only ? SQLITE_OPEN_READONLY
                                       : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    sqlite3* raw = nullptr;
    const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
    // SQLite hands out a handle even when opening fails; it must be closed too.
    db_.reset(raw);
    check(rc, db_.get(), "open");
    check(sqlite3_busy_timeout(db_.get(), busy_timeout_ms), db_.get(), "busy_timeout");
}

connection::~connection() = default;

void connection::exec(const char* sql) {
    check(sqlite3_exec(db_.get(), sql, nullptr, nullptr, nullptr), db_.get(), "exec");
}

statement connection::prepare(std::string_view sql) {
    auto it = cache_.find(sql);
    if (it == cache_.end()) {
        sqlite3_stmt* raw = nullptr;
        const int rc = sqlite3_prepare_v3(db_.get(), sql.data(), static_cast<int>(sql.size()),
                                          SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
        std::unique_ptr<sqlite3_stmt, finalizer> stmt(raw);
        check(rc, db_.get(), "prepare");
        it = cache_.emplace(std::string(sql), std::move(stmt)).first;
    }
    return statement(it->second.get(), db_.get());
}

std::int64_t connection::changes() const noexcept {
    return sqlite3_changes64(db_.get());
}

transaction::transaction(connection& c, const char* begin) : conn_(c) {
    conn_.prepare(begin).run();
}

transaction::~transaction() {
    if (!open_) return;
    // Best effort: when ROLLBACK itself fails SQLite has already rolled back
    // (or will on close), and an exception is in flight.
    sqlite3_exec(conn_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void transaction::commit() {
    conn_.prepare("COMMIT").run();
    open_ = false;
}

}  // namespace driftway::store::sqlite
