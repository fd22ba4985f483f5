#pragma once
// The pure parts of static file serving, apart so that tests reach them.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace driftway::net::detail {

// The segments of a decoded URL path that may name a file under the web
// root, or nullopt when the path must not reach the file system: a "." or
// ".." segment, a hidden name, a backslash or a NUL. Empty segments ("//",
// a trailing slash) are dropped.
std::optional<std::vector<std::string>> web_path_segments(std::string_view path);

// Content-Type for a file name, by its extension (case-insensitive).
std::string_view content_type_for(std::string_view filename) noexcept;

// An ETag (RFC 9110 section 8.8.3) from the file's size and modification time.
std::string make_etag(std::uintmax_t size, long long mtime_ns);

// Whether an If-None-Match value matches etag (RFC 9110 section 13.1.2:
// weak comparison, a list of tags, or "*").
bool if_none_match_matches(std::string_view header, std::string_view etag) noexcept;

}  // namespace driftway::net::detail
