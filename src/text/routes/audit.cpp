#include "routes/audit.hpp"

#include "driftway/core/clock.hpp"
#include "driftway/core/log.hpp"
#include "routes/common.hpp"

#include <exception>

namespace driftway::text::routes {

task<void> append_audit(text_services& s, audit_record r) {
    store::audit_entry e;
    e.id = s.ids.next();
    e.space_id = r.space_id;
    e.actor_id = r.actor_id;
    e.action = std::string(r.action);
    e.target_id = r.target_id;
    e.changes = json::serialize(r.changes);
    e.reason = std::move(r.reason);
    e.created_at = clock::unix_ms();
    try {
        co_await s.db.audit().append(std::move(e));
    } catch (const std::exception& x) {
        log::error("audit append failed", {{"space_id", json::id_string(r.space_id)},
                                           {"action", std::string(r.action)},
                                           {"error", x.what()}});
    }
}

namespace {

int hex(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace

std::string audit_reason(const net::request& req) {
    auto raw = req.header("x-audit-log-reason");
    if (!raw || raw->empty()) return {};
    // Header values are ASCII; clients percent-encode anything else (as Discord's do).
    std::string out;
    out.reserve(raw->size());
    for (std::size_t i = 0; i < raw->size(); ++i) {
        const char c = (*raw)[i];
        if (c == '%' && i + 2 < raw->size()) {
            const int hi = hex((*raw)[i + 1]);
            const int lo = hex((*raw)[i + 2]);
            if (hi >= 0 && lo >= 0) {
                out.push_back(static_cast<char>(hi * 16 + lo));
                i += 2;
                continue;
            }
        }
        out.push_back(c);
    }
    const auto bad = [] {
        fail(error::validation("X-Audit-Log-Reason",
                               "must be percent-encoded UTF-8 text of at most " +
                                   std::to_string(max_audit_reason) + " characters"));
    };
    if (!json::valid_utf8(out) || json::utf8_length(out) > max_audit_reason) bad();
    for (unsigned char c : out)
        if (c < 0x20 || c == 0x7f) bad();
    return out;
}

json::object change(json::value before, json::value after) {
    json::object o;
    o["old"] = std::move(before);
    o["new"] = std::move(after);
    return o;
}

}  // namespace driftway::text::routes
