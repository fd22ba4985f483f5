#pragma once
// JSON shapes of the text domain, shared by REST responses, gateway events
// and READY so every path shows the same object the same way. Ids are
// decimal strings; times are ISO 8601 UTC.
#include "driftway/core/json.hpp"
#include "driftway/store/text_models.hpp"
#include "driftway/text/directory.hpp"

namespace driftway::text {

std::string_view to_string(store::channel_type t) noexcept;
std::optional<store::channel_type> parse_channel_type(std::string_view s) noexcept;

json::object space_json(const store::space& s, std::int64_t member_count);
json::object role_json(const store::role& r);
json::object channel_json(const store::channel& c);
json::object member_json(const store::member& m, const store::user* u);
json::object invite_json(const store::invite& i, const store::space* s, std::int64_t member_count);
json::object audit_json(const store::audit_entry& e);
json::object read_state_json(const store::read_state& r);

json::object attachment_json(const store::attachment& a);
// author may be null (deleted user): the author object then says so.
json::object message_json(const store::message& m, const store::user* author);

}  // namespace driftway::text
