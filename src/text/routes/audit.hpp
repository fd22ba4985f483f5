#pragma once
// Appending entries to a space's audit log (API.md's action names:
// space_update, channel_create, member_ban_add, …). Call after the change is
// stored and before its events are published. The log records what happened;
// failing to write it does not undo the change, so a storage failure here is
// logged and swallowed rather than turned into an error for a change that
// already took effect.
#include "driftway/core/json.hpp"
#include "driftway/net/http.hpp"
#include "driftway/text/services.hpp"

#include <string>
#include <string_view>

namespace driftway::text::routes {

struct audit_record {
    id_t space_id = 0;
    id_t actor_id = 0;
    std::string_view action;
    id_t target_id = 0;    // 0: none
    json::object changes;  // e.g. {"name": {"old": "a", "new": "b"}}
    std::string reason;    // empty: none
};

task<void> append_audit(text_services& s, audit_record r);

// The reason a moderator gave in the X-Audit-Log-Reason header
// (percent-decoded, at most max_audit_reason code points, valid UTF-8 and
// single-line) or empty. A bad header is 400 validation_failed.
inline constexpr std::size_t max_audit_reason = 512;
std::string audit_reason(const net::request& req);

// {"old": before, "new": after}, the shape of one entry of `changes`.
json::object change(json::value before, json::value after);

}  // namespace driftway::text::routes
