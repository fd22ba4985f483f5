#pragma once
// What the gateway needs from the rest of the node: token checks, the READY
// snapshot, who may see which channels of a space, member lists and the
// presence audience. store_data.cpp answers from storage and the directory;
// tests answer from memory. Every call resumes on the caller's executor.
#include "driftway/core/error.hpp"
#include "driftway/core/json.hpp"
#include "driftway/store/models.hpp"

#include <boost/asio/awaitable.hpp>

#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace driftway::text::gw {

using store::id_t;
template <class T>
using task = boost::asio::awaitable<T>;

// A space in READY, and what the session subscribes to for it.
struct ready_space {
    id_t id = 0;
    std::vector<id_t> channels;  // visible channel ids
    // Members whose presences READY shows: every member of a small space,
    // none of a large one (the client asks with request_members).
    std::vector<id_t> members;
    bool small = false;
};

struct ready_state {
    json::object user;   // the private user
    std::string status;  // the user's chosen status (online | idle | dnd | invisible)
    json::array spaces;  // space objects with roles, channels, voice_states, member_count, members?
    std::vector<ready_space> subscriptions;  // one per entry of spaces, same order
    json::array private_channels;
    std::vector<id_t> private_channel_ids;
    json::array read_states;
    // Cluster: members of small spaces online on other nodes only -> status.
    std::unordered_map<id_t, std::string> cluster_presences;
};

// What a user may see of one space right now.
struct space_access {
    bool member = false;
    std::vector<id_t> channels;  // visible channel ids
};

struct member_page {
    json::array members;
    std::vector<id_t> user_ids;
};

class gateway_data {
public:
    virtual ~gateway_data() = default;

    // An access JWT, or an API key with the gateway scope -> its user.
    virtual task<result<id_t>> authenticate(std::string token) = 0;
    // nullopt when the user no longer exists.
    virtual task<std::optional<ready_state>> ready(id_t user_id, int large_space_threshold) = 0;
    virtual task<space_access> access(id_t user_id, id_t space_id) = 0;
    // The channel as JSON text (the channel shape), empty when it is gone.
    virtual task<std::string> channel_json(id_t channel_id) = 0;
    // nullopt when user_id is not a member of the space.
    virtual task<std::optional<member_page>> members(id_t user_id, id_t space_id, std::string query,
                                                     int limit) = 0;
    // Everyone who may see user_id's presence: people sharing a space or a DM.
    virtual task<std::vector<id_t>> presence_audience(id_t user_id) = 0;
    // TYPING_START in the channel, if the user may type there.
    virtual task<void> typing(id_t user_id, id_t channel_id) = 0;
    // The voice_state op with channel_id null: take the user out of voice.
    // Never blocks (it only sends a command).
    virtual void leave_voice(id_t /*user_id*/) {}
};

}  // namespace driftway::text::gw
