#pragma once
// A WebSocket endpoint registered with server::add_websocket. Routes are fixed
// at start(); every connection points at its route for its options.
#include "driftway/net/websocket.hpp"

#include <string>

namespace driftway::net::ws::detail {

struct route {
    std::string path;  // matched exactly against the decoded request path
    acceptor accept;
    options opts;
};

}  // namespace driftway::net::ws::detail
