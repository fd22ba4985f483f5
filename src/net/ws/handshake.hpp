#pragma once
// The server side of the opening handshake (RFC 6455 section 4.2).
#include "driftway/net/http.hpp"

#include <string>
#include <string_view>

namespace driftway::net::ws::detail {

// Sec-WebSocket-Accept for a Sec-WebSocket-Key (section 4.2.2, step 5.4):
// base64 of the SHA-1 of the key followed by the protocol's GUID.
std::string accept_key(std::string_view client_key);

struct upgrade_check {
    int status = 0;         // 0 when the request is a valid upgrade, else 400 or 426
    std::string_view code;  // error code and message of the refusal (API.md)
    std::string_view message;
    std::string_view key;  // Sec-WebSocket-Key when valid; a view into the request
    bool ok() const noexcept { return status == 0; }
};

// Checks an opening handshake (section 4.2.1). A request that does not ask
// for a WebSocket at all gets 426 (RFC 9110 section 15.5.22), as does one
// asking for a version other than 13 (section 4.4); a malformed one gets 400.
// http_version is Beast's (11 for HTTP/1.1); has_body when the request
// announced a body.
upgrade_check check_upgrade(const request& req, unsigned http_version, bool has_body) noexcept;

// The refusal of a failed check, with the headers that tell the client what
// would be accepted.
response refusal(const upgrade_check& check);

// The 101 response header block accepting the upgrade. No extension and no
// subprotocol is agreed: permessage-deflate offers are declined by leaving
// them unanswered (RFC 7692 section 5).
std::string switching_protocols(std::string_view client_key);

}  // namespace driftway::net::ws::detail
