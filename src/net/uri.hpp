#pragma once
// Percent-decoding and request-target splitting shared by the parser, the
// router and request::query_param. Never throws on malformed input.
#include <string>
#include <string_view>

namespace driftway::net::detail {

// Decodes %XX escapes. Following the WHATWG URL Standard's percent-decode, a
// '%' not followed by two hex digits is kept as it is rather than rejected, so
// a stray '%' in a query never makes a request fail. With plus_as_space, '+'
// becomes ' ' (application/x-www-form-urlencoded, used for query strings).
std::string percent_decode(std::string_view in, bool plus_as_space = false);

// "/a/b?x=1" -> path "/a/b", query "x=1" (no '?'); a target without '?' has an
// empty query. Fragments are not sent by clients (RFC 9112 section 3.2).
struct split_target {
    std::string_view path;
    std::string_view query;
};
split_target split(std::string_view target) noexcept;

}  // namespace driftway::net::detail
