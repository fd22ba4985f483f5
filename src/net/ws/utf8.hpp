#pragma once
// UTF-8 validation for text messages and close reasons (RFC 6455 section
// 8.1): well-formed per RFC 3629, so no overlong forms, no surrogates and
// nothing past U+10FFFF.
#include <string_view>

namespace driftway::net::ws::detail {

bool valid_utf8(std::string_view text) noexcept;

// The longest prefix of text, at most max_bytes long, that does not cut a
// character in two (text being valid UTF-8).
std::string_view utf8_prefix(std::string_view text, std::size_t max_bytes) noexcept;

}  // namespace driftway::net::ws::detail
