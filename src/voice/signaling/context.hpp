#pragma once
// What every signaling connection of a node shares: the SFU, the key that
// checks voice tokens, the voice state store and event bus, and the registry
// of joined participants that moderation commands look users up in.
#include "driftway/bus/event_bus.hpp"
#include "driftway/bus/voice_states.hpp"
#include "driftway/voice/service.hpp"
#include "driftway/voice/sfu.hpp"

#include <memory>
#include <mutex>
#include <unordered_map>

namespace driftway::auth {
class jwt_verifier;
}

namespace driftway::voice {

class participant;

struct signaling_context {
    const service_options& options;
    const auth::jwt_verifier& verifier;
    bus::voice_state_store& states;
    bus::event_bus& events;
    sfu& media;

    // The participant currently joined for each user on this node.
    std::mutex mutex;
    std::unordered_map<std::uint64_t, std::weak_ptr<participant>> joined;

    void register_joined(std::uint64_t user, const std::shared_ptr<participant>& p);
    // Removes the entry only when it still points at p.
    void unregister_joined(std::uint64_t user, const participant* p);
    std::shared_ptr<participant> find_joined(std::uint64_t user);
};

}  // namespace driftway::voice
