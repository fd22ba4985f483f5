#pragma once
// Moderation of voice participants travels from where it is decided (REST
// member updates, permission changes, bans) to the voice node that holds the
// participant. In one process in_process_voice_commands calls the receiver at
// once; in the cluster shape Redis pub/sub carries them to every voice node,
// and the node holding the user acts.
#include <cstdint>
#include <functional>

namespace driftway::bus {

struct voice_command {
    enum class kind {
        server_state,  // server_mute / server_deaf changed
        can_speak,     // the speak permission changed
        disconnect,    // leave the channel (kick, ban, move elsewhere, lost connect)
        move,          // move to target_channel_id: the client is told to rejoin there
    };
    kind what = kind::server_state;
    std::uint64_t user_id = 0;
    std::uint64_t channel_id = 0;         // the channel the command is about (0: any)
    std::uint64_t target_channel_id = 0;  // move
    bool server_mute = false;
    bool server_deaf = false;
    bool can_speak = true;
};

class voice_commands {
public:
    using receiver = std::function<void(const voice_command&)>;
    virtual ~voice_commands() = default;
    // Thread-safe; never blocks.
    virtual void send(const voice_command& c) = 0;
    // The node's voice service. Called on the sending thread (in process) or
    // the bus thread (networked); the receiver must only hand off.
    virtual void set_receiver(receiver r) = 0;
};

class in_process_voice_commands final : public voice_commands {
public:
    void send(const voice_command& c) override;
    void set_receiver(receiver r) override;

private:
    receiver receiver_;
};

}  // namespace driftway::bus
