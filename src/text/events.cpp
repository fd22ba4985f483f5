#include "driftway/text/events.hpp"

namespace driftway::text {

namespace {
std::shared_ptr<bus::event> make(bus::event::audience to, std::uint64_t target,
                                 std::uint64_t space_id, std::string_view type,
                                 const json::value& data, bool changes_access,
                                 std::vector<std::uint64_t> users = {}) {
    auto e = std::make_shared<bus::event>();
    e->to = to;
    e->target = target;
    e->users = std::move(users);
    e->space_id = space_id;
    e->type = std::string(type);
    e->body = bus::make_event_body(type, json::serialize(data));
    e->changes_access = changes_access;
    return e;
}
}  // namespace

void event_publisher::to_channel(std::uint64_t space_id, std::uint64_t channel_id,
                                 std::string_view type, const json::value& data) {
    bus_.publish(make(bus::event::audience::channel, channel_id, space_id, type, data, false));
}

void event_publisher::to_space(std::uint64_t space_id, std::string_view type,
                               const json::value& data, bool changes_access,
                               std::uint64_t channel_filter) {
    auto e = make(bus::event::audience::space, space_id, space_id, type, data, changes_access);
    e->channel_filter = channel_filter;
    bus_.publish(std::move(e));
}

void event_publisher::to_users(std::vector<std::uint64_t> users, std::string_view type,
                               const json::value& data, std::uint64_t space_id,
                               bool changes_access) {
    bus_.publish(make(bus::event::audience::users, 0, space_id, type, data, changes_access,
                      std::move(users)));
}

}  // namespace driftway::text
