#pragma once
// Publishing realtime events (API.md's dispatch types) from the services.
// Each event's body is serialized once here and shared by every recipient.
#include "driftway/bus/event_bus.hpp"
#include "driftway/core/json.hpp"

#include <string_view>
#include <vector>

namespace driftway::text {

class event_publisher {
public:
    explicit event_publisher(bus::event_bus& bus) : bus_(bus) {}

    // To everyone who can view the channel (space channel, thread or DM).
    void to_channel(std::uint64_t space_id, std::uint64_t channel_id, std::string_view type,
                    const json::value& data);
    // To every member of the space. changes_access: roles, overwrites,
    // membership and channel structure changed; sessions recompute.
    void to_space(std::uint64_t space_id, std::string_view type, const json::value& data,
                  bool changes_access = false, std::uint64_t channel_filter = 0);
    // To the listed users' sessions.
    void to_users(std::vector<std::uint64_t> users, std::string_view type, const json::value& data,
                  std::uint64_t space_id = 0, bool changes_access = false);

private:
    bus::event_bus& bus_;
};

}  // namespace driftway::text
