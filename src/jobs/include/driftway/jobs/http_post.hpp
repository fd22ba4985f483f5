#pragma once
// The `http_post` job kind: POST a JSON document to a URL, the building block
// of webhook deliveries. The job's payload is
//
//     {"url": "http://host:port/path?query", "body": <any JSON>}
//
// A 2xx answer is success; any other status, a connection failure or the
// timeout is a failure that the runner retries (the status or the failure is
// the recorded error). A payload that cannot be delivered at all (not JSON,
// no url, a scheme other than http) fails for good.
//
// Plain http only for now: net::http_client speaks no TLS yet.
#include "driftway/jobs/runner.hpp"

#include <boost/json/value.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace driftway::net {
class http_client;
}

namespace driftway::jobs {

inline constexpr std::string_view http_post_kind = "http_post";

struct http_url {
    std::string host;  // name or address; IPv6 without brackets
    std::uint16_t port = 80;
    std::string target;  // path and query, "/" at least
};

// Parses an absolute http:// URL (no userinfo, no fragment). Never throws;
// nullopt when it is not one.
std::optional<http_url> parse_http_url(std::string_view url) noexcept;

// The payload of an http_post job.
std::string http_post_payload(std::string_view url, const boost::json::value& body);

struct http_post_options {
    std::chrono::milliseconds timeout{10000};
    std::size_t max_error_body = 200;  // bytes of a failed answer kept in the error
};

// The handler; client must outlive it. Requests carry the job id in
// Idempotency-Key so that a receiver can drop repeats (delivery is at least
// once).
handler make_http_post_handler(net::http_client& client, http_post_options options = {});

}  // namespace driftway::jobs
