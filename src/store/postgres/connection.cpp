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

error pipeline_misuse() {
    return error::unavailable("storage_unavailable", "storage is unavailable");
}

}  // namespace

constraint_violation::constraint_violation(std::string sqlstate, std::string constraint,
                                           std::string detail)
    : pg_error(error::conflict("conflict", "the change conflicts with existing data"),
               std::move(sqlstate), std::move(detail)),
      constraint_(std::move(constraint)) {}

std::vector<const char*> statement::values() const {
    std::vector<const char*> out;
    out.reserve(params_.size());
    for (const auto& p : params_) out.push_back(p ? p->c_str() : nullptr);
    return out;
}

bool statement::step() {
    if (!result_) {
        // A synchronous call in pipeline mode would be refused by libpq; the
        // caller (a grouped job) is then run again outside the pipeline.
        if (conn_->pipelining()) {
            throw pg_error(pipeline_misuse(), "", "synchronous statement in pipeline mode");
        }
        const auto values = this->values();
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

void statement::send(std::function<void(statement&)> on_result) {
    connection& c = *conn_;
    const auto values = this->values();
    if (!c.pipelining() ||
        PQsendQueryPrepared(c.handle(), name_->c_str(), static_cast<int>(values.size()),
                            values.data(), nullptr, nullptr, 0) == 0) {
        throw pg_error(database_unavailable(), "", PQerrorMessage(c.handle()));
    }
    c.pending_.push_back({std::move(*this), std::move(on_result)});
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
    pending_.clear();
    pipeline_prepared_.clear();
    pipelining_ = false;
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
    if (pipelining_) throw pg_error(pipeline_misuse(), "", "exec in pipeline mode");
    std::unique_ptr<PGresult, decltype(&PQclear)> r(PQexec(conn_.get(), sql), &PQclear);
    check(r.get(), "exec");
}

statement connection::prepare(std::string_view sql) {
    auto it = cache_.find(sql);
    if (it == cache_.end()) {
        // Names are never reused: a statement forgotten after a failed
        // pipeline may still exist on the server.
        std::string name = "s" + std::to_string(++next_name_);
        if (pipelining_) {
            // Prepared ahead of its first use in the same pipeline; the
            // server runs both in order.
            if (PQsendPrepare(conn_.get(), name.c_str(), std::string(sql).c_str(), 0, nullptr) ==
                0) {
                throw pg_error(database_unavailable(), "", PQerrorMessage(conn_.get()));
            }
            pending_.push_back({});
            pipeline_prepared_.emplace_back(sql);
        } else {
            std::unique_ptr<PGresult, decltype(&PQclear)> r(
                PQprepare(conn_.get(), name.c_str(), std::string(sql).c_str(), 0, nullptr),
                &PQclear);
            check(r.get(), "prepare");
        }
        it = cache_.emplace(std::string(sql), std::move(name)).first;
    }
    return statement(*this, it->second);
}

void connection::enter_pipeline() {
    if (PQenterPipelineMode(conn_.get()) == 0) {
        throw pg_error(database_unavailable(), "", PQerrorMessage(conn_.get()));
    }
    pipelining_ = true;
}

void connection::send(const char* sql) {
    if (!pipelining_ ||
        PQsendQueryParams(conn_.get(), sql, 0, nullptr, nullptr, nullptr, nullptr, 0) == 0) {
        throw pg_error(database_unavailable(), "", PQerrorMessage(conn_.get()));
    }
    pending_.push_back({});
}

std::exception_ptr connection::sync_pipeline() {
    auto failure = collect_pipeline();
    pending_.clear();
    if (failure) {
        for (const auto& sql : pipeline_prepared_) cache_.erase(sql);
    }
    pipeline_prepared_.clear();
    return failure;
}

std::exception_ptr connection::collect_pipeline() {
    using result_ptr = std::unique_ptr<PGresult, decltype(&PQclear)>;
    if (PQpipelineSync(conn_.get()) == 0) {
        return std::make_exception_ptr(
            pg_error(database_unavailable(), "", PQerrorMessage(conn_.get())));
    }
    std::exception_ptr failure;
    for (auto& p : pending_) {
        // A lost session answers nothing more; PQgetResult would not block.
        if (!healthy()) break;
        PGresult* raw = PQgetResult(conn_.get());
        if (raw == nullptr) {
            if (!failure) {
                failure = std::make_exception_ptr(
                    pg_error(database_unavailable(), "", "pipeline answer missing"));
            }
            continue;
        }
        const auto status = PQresultStatus(raw);
        if (status == PGRES_PIPELINE_ABORTED) {
            PQclear(raw);
        } else if (failure) {
            PQclear(raw);
        } else {
            try {
                if (p.st) {
                    // The statement owns its result from here on.
                    p.st->result_.reset(raw);
                    check(raw, "pipeline");
                    p.st->rows_ = PQntuples(raw);
                    if (p.on_result) p.on_result(*p.st);
                } else {
                    result_ptr r(raw, &PQclear);
                    check(raw, "pipeline");
                }
            } catch (...) {
                failure = std::current_exception();
            }
        }
        // Each statement's answers end with a null result.
        while (PGresult* extra = PQgetResult(conn_.get())) PQclear(extra);
    }
    // The sync point's own answer.
    if (healthy()) {
        result_ptr r(PQgetResult(conn_.get()), &PQclear);
        if (!r || PQresultStatus(r.get()) != PGRES_PIPELINE_SYNC) {
            if (!failure) {
                failure = std::make_exception_ptr(
                    pg_error(database_unavailable(), "", "pipeline sync missing"));
            }
        }
    }
    if (!failure && !healthy()) {
        failure = std::make_exception_ptr(
            pg_error(database_unavailable(), "", PQerrorMessage(conn_.get())));
    }
    return failure;
}

void connection::exit_pipeline() noexcept {
    if (!pipelining_) return;
    pipelining_ = false;
    pending_.clear();
    if (healthy() && PQexitPipelineMode(conn_.get()) != 0) return;
    // Answers still pending, or the session is gone: start over on a new one
    // (nothing was committed, COMMIT is never pipelined).
    try {
        open();
    } catch (const pg_error&) {
        conn_.reset();
    }
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
