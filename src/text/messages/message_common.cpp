#include "messages/message_common.hpp"

#include "driftway/text/json_shapes.hpp"
#include "routes/common.hpp"

#include <algorithm>
#include <unordered_map>

namespace driftway::text::messages {

using store::channel_type;

bool holds_messages(const store::channel& c) noexcept {
    return c.type == channel_type::text || c.type == channel_type::thread ||
           c.type == channel_type::dm || c.type == channel_type::group_dm;
}

auth::permission_set send_permission(const store::channel& c) noexcept {
    return c.type == channel_type::thread ? auth::perm::send_messages_in_threads
                                          : auth::perm::send_messages;
}

void require_not_timed_out(const channel_access& a) {
    if (a.timed_out)
        routes::fail(error::forbidden("communication_disabled",
                                      "you are timed out in this space and cannot do this yet"));
}

void require_can_send(const channel_access& a) {
    if (!holds_messages(*a.channel))
        routes::fail(
            error::bad_request("invalid_channel_type",
                               "messages live in text channels, threads and direct messages only"));
    require_not_timed_out(a);
    routes::require(a.permissions, send_permission(*a.channel));
}

task<store::message> load_message(text_services& s, id_t channel_id, id_t message_id, id_t viewer) {
    auto m = co_await s.db.messages().get(channel_id, message_id, viewer);
    if (!m) routes::fail(error::not_found("message"));
    co_return std::move(*m);
}

task<json::object> message_payload(text_services& s, const store::message& m) {
    auto author = co_await s.dir.user(m.author_id);
    co_return message_json(m, author.get());
}

task<json::array> messages_payload(text_services& s, std::span<const store::message> ms) {
    std::unordered_map<id_t, std::shared_ptr<const store::user>> authors;
    for (const auto& m : ms) {
        if (authors.contains(m.author_id)) continue;
        auto author = co_await s.dir.user(m.author_id);
        authors.emplace(m.author_id, std::move(author));
    }
    json::array out;
    out.reserve(ms.size());
    for (const auto& m : ms) out.push_back(message_json(m, authors[m.author_id].get()));
    co_return out;
}

store::message for_event(store::message m) {
    for (auto& r : m.reactions) r.me = false;
    return m;
}

}  // namespace driftway::text::messages
