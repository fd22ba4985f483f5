#pragma once
// The JSON body of a request: 415 when a Content-Type other than JSON is
// declared, 400/413 from the bounded parser otherwise. An empty body reads
// as an empty object so that "no changes" PATCHes need no body.
#include "driftway/core/json.hpp"
#include "driftway/net/http.hpp"

namespace driftway::net {

result<json::value> json_body(const request& req, json::parse_limits limits);

}  // namespace driftway::net
