#include "gateway/presence.hpp"

namespace driftway::text::gw {

namespace {
std::size_t slot(presence_status s) {
    return static_cast<std::size_t>(s);
}
}  // namespace

std::string_view presence_registry::shown_of(const entry& e) noexcept {
    if (e.sessions[slot(presence_status::online)]) return "online";
    if (e.sessions[slot(presence_status::dnd)]) return "dnd";
    if (e.sessions[slot(presence_status::idle)]) return "idle";
    return "offline";
}

void presence_registry::add(id_t user, presence_status s) {
    std::lock_guard lock(mutex_);
    ++users_[user].sessions[slot(s)];
}

void presence_registry::remove(id_t user, presence_status s) {
    std::lock_guard lock(mutex_);
    const auto it = users_.find(user);
    if (it == users_.end()) return;
    auto& n = it->second.sessions[slot(s)];
    if (n) --n;
}

void presence_registry::change(id_t user, presence_status from, presence_status to) {
    std::lock_guard lock(mutex_);
    auto& e = users_[user];
    auto& n = e.sessions[slot(from)];
    if (n) --n;
    ++e.sessions[slot(to)];
}

std::string_view presence_registry::shown(id_t user) const {
    std::lock_guard lock(mutex_);
    const auto it = users_.find(user);
    return it == users_.end() ? std::string_view("offline") : shown_of(it->second);
}

void presence_registry::publish_if_changed(id_t user,
                                           const std::function<void(std::string_view)>& publish) {
    std::lock_guard lock(mutex_);
    const auto it = users_.find(user);
    if (it == users_.end()) return;
    const auto now = shown_of(it->second);
    if (now != it->second.published) {
        it->second.published = now;
        publish(now);
    }
    const auto& n = it->second.sessions;
    if (now == "offline" && n[0] + n[1] + n[2] + n[3] == 0) users_.erase(it);
}

}  // namespace driftway::text::gw
