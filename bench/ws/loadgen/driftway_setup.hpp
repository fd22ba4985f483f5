#pragma once
// The Driftway side of a run, made through the REST API: users, one space
// per channel group (a session receives the events of every space it is a
// member of, so a group of clients that must see only its own channel gets
// a space of its own), a text channel in each, and invites to join them.
#include "event_loop.hpp"

#include <netinet/in.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace loadgen {

struct driftway_world {
    std::string owner_token;               // owns (and may post in) every space
    std::vector<std::string> user_tokens;  // the clients' users
    std::vector<std::string> channel_ids;  // one text channel per group
    // Users of each group, members of that group's space only.
    std::vector<std::vector<std::uint32_t>> group_users;
};

struct driftway_setup_options {
    sockaddr_in server{};
    std::string host;  // Host header
    unsigned users = 1;
    unsigned groups = 1;
    unsigned connections = 32;  // concurrent REST requests
    std::int64_t deadline = 0;
};

// nullopt with error set when a step fails or the deadline passes.
std::optional<driftway_world> build_driftway_world(event_loop& loop,
                                                   const driftway_setup_options& options,
                                                   std::string& error);

}  // namespace loadgen
