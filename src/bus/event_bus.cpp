#include "driftway/bus/event_bus.hpp"

namespace driftway::bus {

std::shared_ptr<const std::string> make_event_body(std::string_view type,
                                                   std::string_view data_json) {
    auto body = std::make_shared<std::string>();
    body->reserve(type.size() + data_json.size() + 12);
    body->append("\"t\":\"").append(type).append("\",\"d\":").append(data_json).push_back('}');
    return body;
}

void in_process_event_bus::publish(event_ptr e) {
    if (receiver_) receiver_(e);
}

void in_process_event_bus::set_receiver(receiver r) {
    receiver_ = std::move(r);
}

}  // namespace driftway::bus
