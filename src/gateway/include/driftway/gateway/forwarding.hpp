#pragma once
// What the gateway changes in a request on its way up and in a response on
// its way down: hop-by-hop headers (RFC 9110 section 7.6.1) are dropped, the
// request id is kept or made, X-Forwarded-For/-Proto are added.
#include "driftway/net/http.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace driftway::gateway {

// A client's X-Request-Id is kept when it is 1..128 characters of
// [A-Za-z0-9._-]: it ends up in log lines and headers, so nothing else.
bool valid_request_id(std::string_view id) noexcept;

// The client's id when valid, else a fresh random one (32 hex digits).
std::string request_id_for(std::optional<std::string_view> from_client);

// True for Connection, Keep-Alive, Proxy-Connection, TE, Trailer,
// Transfer-Encoding, Upgrade, Proxy-Authenticate, Proxy-Authorization, and
// any header the message's own Connection header names.
bool is_hop_by_hop(std::string_view name, std::optional<std::string_view> connection) noexcept;

// The request to send upstream: same method, target and body; end-to-end
// headers only; X-Request-Id = request_id; the client address appended to
// X-Forwarded-For; X-Forwarded-Proto from an earlier proxy or the listener.
net::request upstream_request(const net::request& in, const std::string& request_id);

// The upstream's response with hop-by-hop headers removed.
net::response downstream_response(net::response in);

}  // namespace driftway::gateway
