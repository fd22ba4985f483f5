#pragma once
// The middleware every HTTP request passes through, in order: request id,
// CORS (preflight answered here), routing (404/405), the handler (errors
// turned into API.md's error body), security headers, metrics and the JSON
// access log. One coroutine frame per request; no per-layer allocation.
#include "driftway/net/router.hpp"

#include <boost/asio/awaitable.hpp>

#include <string>
#include <vector>

namespace driftway::net {

struct pipeline_options {
    std::vector<std::string> cors_origins;  // exact origins; "*" allows any
    bool hsts = false;                      // set when served over TLS
    unsigned hsts_max_age = 31536000;
    bool access_log = true;
    std::string content_security_policy =
        "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; "
        "style-src 'self' 'unsafe-inline'; connect-src 'self' ws: wss:; "
        "frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
    // Answers GET and HEAD requests whose path no route knows (the web
    // client's files); empty: 404 not_found.
    handler fallback;
};

class pipeline {
public:
    pipeline(router r, pipeline_options options);

    // Runs on the connection's shard. Never throws.
    boost::asio::awaitable<response> handle(request& req);

    // Adds the headers every response carries (request id, security headers,
    // CORS); used for responses the server makes itself (413, 400, 408).
    void decorate(const request& req, response& res) const;

private:
    bool origin_allowed(std::string_view origin) const;

    router router_;
    pipeline_options options_;
};

// A request id from the client is kept when it is short and plain; otherwise
// a fresh one is made.
std::string make_request_id(std::optional<std::string_view> from_client);

}  // namespace driftway::net
