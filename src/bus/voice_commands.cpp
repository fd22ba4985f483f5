#include "driftway/bus/voice_commands.hpp"

namespace driftway::bus {

// Like in_process_event_bus: the receiver is set once at start-up, before any
// thread sends, so reading it needs no lock.
void in_process_voice_commands::send(const voice_command& c) {
    if (receiver_) receiver_(c);
}

void in_process_voice_commands::set_receiver(receiver r) {
    receiver_ = std::move(r);
}

}  // namespace driftway::bus
