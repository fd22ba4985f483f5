#pragma once
// Untrusted names that end up in URLs and headers: reaction emoji (a path
// segment) and upload file names (a path segment and Content-Disposition).
#include <optional>
#include <string>
#include <string_view>

namespace driftway::text::messages {

// A unicode emoji as a reaction key: 1..32 bytes of valid UTF-8 without
// ASCII letters, digits, whitespace or control characters (so that custom
// emoji names, plain words and path tricks are refused). Not a full
// emoji-sequence check: any non-ASCII symbol passes.
bool valid_reaction_emoji(std::string_view emoji) noexcept;

inline constexpr std::size_t max_filename_bytes = 255;

// A stored file name from what a client sent: the last path component (after
// '/' or '\\'), without control characters (C0, DEL, C1), surrounding spaces
// and dots-only names, cut to 255 bytes on a code point boundary. nullopt
// when nothing usable is left or the name is not valid UTF-8.
std::optional<std::string> sanitize_filename(std::string_view name) noexcept;

// Percent-encodes everything but RFC 3986 unreserved characters, for a path segment.
std::string percent_encode_segment(std::string_view s);

// Content-Disposition value (RFC 6266): `inline` or `attachment`, with an
// ASCII fallback filename and filename* carrying the UTF-8 name (RFC 8187).
std::string content_disposition(bool inline_display, std::string_view filename);

}  // namespace driftway::text::messages
