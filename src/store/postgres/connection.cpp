#include "postgres/connection.hpp"

#include "driftway/core/log.hpp"

#include <charconv>
#include <cstdlib>

namespace driftway::store::postgres {

namespace {

std::string field(const PGresult* r, int code) {
    const char* v = r != nullptr ? PQresultErrorField(r, code) : nullptr;
    return v != nullptr ? v : "";
}

// Notices (e.g. "query contains only stop words") are expected; libpq would
// print them on stderr.
void ignore_notice(void*, const char*) {}

error database_unavailable() {
    return error::unavailable("database_unavailable", "the database is unavailable");
}

}  // namespace

constraint_violation::constraint_violation(std::string sqlstate, std::string constraint,
                                           std::string detail)
    : pg_error(error::conflict("conflict", "the change conflicts with existing data"),
               std::move(sqlstate), std::move(detail)),
      constraint_(std::move(constraint)) {}

bool statement::step() {
    if (!result_) {
        std::vector<const char*> values;
        values.reserve(params_.size());
        for (const auto& p : params_) values.push_back(p ? p->c_str() : nullptr);
        result_.reset(PQexecPrepared(conn_->handle(), name_->c_str(),
                                     static_cast<int>(values.size()), values.data(), nullptr,
                                     nullptr, 0));
        conn_->check(result_.get(), "step");
        rows_ = PQntuples(result_.get());
    }
    return ++row_ < rows_;
}

void statement::run() {
    step();
}

const char* statement::value(int column) const noexcept {
    if (!result_ || row_ < 0 || row_ >= rows_ || column >= PQnfields(result_.get())) return nullptr;
    if (PQgetisnull(result_.get(), row_, column)) return nullptr;
    return PQgetvalue(result_.get(), row_, column);
}

bool statement::is_null(int column) const noexcept {
    return value(column) == nullptr;
}

std::int64_t statement::int64(int column) const noexcept {
    const char* v = value(column);
    if (v == nullptr) return 0;
    std::int64_t out = 0;
    std::from_chars(v, v + std::char_traits<char>::length(v), out);
    return out;
}

std::optional<std::uint64_t> statement::optional_id(int column) const noexcept {
    if (is_null(column)) return std::nullopt;
    return id(column);
}

bool statement::boolean(int column) const noexcept {
    const char* v = value(column);
    // Text format of boolean is t/f; integer columns read as non-zero.
    return v != nullptr && (v[0] == 't' || (v[0] >= '1' && v[0] <= '9'));
}

double statement::real(int column) const noexcept {
    const char* v = value(column);
    return v != nullptr ? std::strtod(v, nullptr) : 0.0;
}

std::string statement::text(int column) const {
    const char* v = value(column);
    if (v == nullptr) return {};
    return {v, static_cast<std::size_t>(PQgetlength(result_.get(), row_, column))};
}

connection::connection(std::string conninfo) : conninfo_(std::move(conninfo)) {
    open();
}

connection::~connection() = default;

void connection::open() {
    cache_.clear();
    conn_.reset(PQconnectdb(conninfo_.c_str()));
    if (!conn_ || PQstatus(conn_.get()) != CONNECTION_OK) {
        std::string detail = conn_ ? PQerrorMessage(conn_.get()) : "out of memory";
        throw pg_error(database_unavailable(), "08001", std::move(detail));
    }
    PQsetNoticeProcessor(conn_.get(), ignore_notice, nullptr);
}

bool connection::healthy() const noexcept {
    return conn_ && PQstatus(conn_.get()) == CONNECTION_OK;
}

void connection::reconnect() {
    open();
}

bool connection::in_transaction() const noexcept {
    const auto s = PQtransactionStatus(conn_.get());
    return s == PQTRANS_INTRANS || s == PQTRANS_INERROR;
}

void connection::check(PGresult* r, std::string_view what) {
    const auto status = r != nullptr ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
        const char* n = PQcmdTuples(r);
        changes_ = (n != nullptr && *n != '\0') ? std::strtoll(n, nullptr, 10) : 0;
        return;
    }
    changes_ = 0;
    std::string sqlstate = field(r, PG_DIAG_SQLSTATE);
    std::string detail = r != nullptr ? PQresultErrorMessage(r) : PQerrorMessage(conn_.get());
    if (sqlstate.starts_with("23")) {
        throw constraint_violation(std::move(sqlstate), field(r, PG_DIAG_CONSTRAINT_NAME),
                                   std::move(detail));
    }
    // A lost session (server gone, network cut) or a server shutting down.
    if (!healthy() || sqlstate.starts_with("08") || sqlstate.starts_with("57P")) {
        log::warn("postgres connection lost", {{"what", what}, {"detail", detail}});
        throw pg_error(database_unavailable(), std::move(sqlstate), std::move(detail));
    }
    log::error("postgres call failed",
               {{"what", what}, {"sqlstate", sqlstate}, {"detail", detail}});
    throw pg_error(error::unavailable("storage_unavailable", "storage is unavailable"),
                   std::move(sqlstate), std::move(detail));
}

void connection::exec(const char* sql) {
    std::unique_ptr<PGresult, decltype(&PQclear)> r(PQexec(conn_.get(), sql), &PQclear);
    check(r.get(), "exec");
}

statement connection::prepare(std::string_view sql) {
    auto it = cache_.find(sql);
    if (it == cache_.end()) {
        std::string name = "s" + std::to_string(cache_.size() + 1);
        std::unique_ptr<PGresult, decltype(&PQclear)> r(
            PQprepare(conn_.get(), name.c_str(), std::string(sql).c_str(), 0, nullptr), &PQclear);
        check(r.get(), "prepare");
        it = cache_.emplace(std::string(sql), std::move(name)).first;
    }
    return statement(*this, it->second);
}

transaction::transaction(connection& c) : conn_(c) {
    conn_.exec("BEGIN");
}

transaction::~transaction() {
    if (!open_) return;
    // Best effort: an exception is in flight, and a lost session has no
    // transaction left to roll back.
    if (conn_.healthy()) PQclear(PQexec(conn_.handle(), "ROLLBACK"));
}

void transaction::commit() {
    open_ = false;
    conn_.exec("COMMIT");
}

}  // namespace driftway::store::postgres
