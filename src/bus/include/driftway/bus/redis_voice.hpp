#pragma once
// Voice states and voice commands across nodes.
//
// redis_voice_states: Redis holds a hash per user (voice:state:{user_id})
// with an expiry, and sets voice:channel:{id} / voice:space:{id}; the node
// holding a participant (the one that put it) refreshes them every ttl/3, so
// a dead node's participants expire. Reads (of_user, in_space, in_channel)
// stay synchronous, as the interface asks (READY calls them): every node
// keeps a local mirror fed by pub/sub on voice:states; entries in the mirror
// expire like the hashes unless their node's refresh arrives. The refresh
// republishes every state, so a node that starts (or reconnects) knows all of
// them within ttl/3.
//
// redis_voice_commands: PUBLISH on voice:commands; the sending node's receiver
// gets the command at once and skips the echo.
#include "driftway/bus/redis_connection.hpp"
#include "driftway/bus/redis_subscriber.hpp"
#include "driftway/bus/voice_commands.hpp"
#include "driftway/bus/voice_states.hpp"

#include <chrono>
#include <memory>

namespace driftway::bus {

class redis_voice_states final : public voice_state_store {
public:
    static constexpr std::string_view topic = "voice:states";

    // The connections must outlive this object; its timer runs on the
    // commands connection's executor.
    redis_voice_states(redis_connection& commands, redis_subscriber& subscriber,
                       std::uint64_t node_id,
                       std::chrono::milliseconds ttl = std::chrono::seconds(30));
    ~redis_voice_states() override;

    void put(const voice_state& s) override;
    void remove(std::uint64_t user_id) override;
    std::optional<voice_state> of_user(std::uint64_t user_id) const override;
    std::vector<voice_state> in_space(std::uint64_t space_id) const override;
    std::vector<voice_state> in_channel(std::uint64_t channel_id) const override;

    bool ready() const;

    struct impl;

private:
    std::shared_ptr<impl> impl_;
};

class redis_voice_commands final : public voice_commands {
public:
    static constexpr std::string_view topic = "voice:commands";

    redis_voice_commands(redis_connection& commands, redis_subscriber& subscriber,
                         std::uint64_t node_id);
    ~redis_voice_commands() override;
    void send(const voice_command& c) override;
    void set_receiver(receiver r) override;
    bool ready() const;

    struct impl;

private:
    std::shared_ptr<impl> impl_;
};

}  // namespace driftway::bus
