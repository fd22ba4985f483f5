#pragma once
// Presence of the users connected to this node, aggregated over their
// sessions: online if any session is online, else dnd, else idle; a user
// whose sessions are all invisible, or who has none, is shown offline. A
// session counts from READY until it is dropped (after the resume grace),
// so a reconnecting client does not flicker offline. Thread-safe.
#include "gateway/frames.hpp"

#include <array>
#include <functional>
#include <mutex>
#include <string_view>
#include <unordered_map>

namespace driftway::text::gw {

class presence_registry {
public:
    void add(id_t user, presence_status s);
    void remove(id_t user, presence_status s);
    void change(id_t user, presence_status from, presence_status to);

    // "online" | "idle" | "dnd" | "offline".
    std::string_view shown(id_t user) const;

    // When the shown status differs from the one last published, records it
    // and calls publish(status) under the registry's lock, so two changes
    // racing to publish cannot reach peers in the wrong order.
    void publish_if_changed(id_t user, const std::function<void(std::string_view)>& publish);

private:
    struct entry {
        std::array<std::uint32_t, 4> sessions{};  // by presence_status
        std::string_view published = "offline";
    };
    static std::string_view shown_of(const entry& e) noexcept;

    mutable std::mutex mutex_;
    std::unordered_map<id_t, entry> users_;
};

}  // namespace driftway::text::gw
