#pragma once
// The voice service of one node: the SFU plus its signaling WebSocket
// (`GET /voice`, docs/voice.md). It authenticates a participant with the
// voice token issued by `POST /voice/{channel_id}/join`, so it needs only
// the instance's public key — no database — and runs the same inside
// `driftway serve` and as `driftway voice`. Voice states it learns are
// written to the voice state store and published as VOICE_STATE_UPDATE;
// moderation reaches it as bus::voice_command.
#include "driftway/bus/event_bus.hpp"
#include "driftway/bus/voice_commands.hpp"
#include "driftway/bus/voice_states.hpp"
#include "driftway/net/websocket.hpp"
#include "driftway/voice/sfu.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace driftway::auth {
class jwt_verifier;
}

namespace driftway::voice {

struct service_options {
    sfu_options media;
    // TURN servers offered in `ready` (coturn with use-auth-secret).
    std::vector<std::string> turn_urls;
    std::string turn_secret;
    std::int64_t turn_ttl_seconds = 86400;
    // A connection that has not sent `join` by then is closed (4003).
    std::chrono::milliseconds join_timeout{10000};
};

class service {
public:
    service(service_options options, const auth::jwt_verifier& verifier,
            bus::voice_state_store& states, bus::event_bus& events, bus::voice_commands& commands);
    ~service();
    service(const service&) = delete;
    service& operator=(const service&) = delete;

    // For server::add_websocket("/voice", …).
    net::ws::acceptor acceptor();
    static net::ws::options socket_options();

    sfu& media();

    struct impl;

private:
    std::shared_ptr<impl> impl_;
};

}  // namespace driftway::voice
