#pragma once
// A small multipart/form-data reader (RFC 7578 over RFC 2046 5.1) for
// uploads: enough for browsers' FormData and curl -F, and strict about
// everything else. Parts are views into the body; nothing is copied.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace driftway::text::messages {

struct form_part {
    std::string name;                     // Content-Disposition name
    std::optional<std::string> filename;  // filename, or filename* (RFC 5987) when UTF-8
    std::string content_type;             // as declared (informative only)
    std::string_view data;                // a view into the parsed body
};

inline constexpr std::size_t max_form_parts = 16;
inline constexpr std::size_t max_part_header_bytes = 8 << 10;

// The boundary parameter of a multipart/form-data Content-Type, or nullopt
// when the type is another one or the boundary is not 1..70 characters
// (RFC 2046 5.1.1).
std::optional<std::string> form_data_boundary(std::string_view content_type) noexcept;

// The parts of body, or nullopt when it is not well-formed multipart with
// that boundary (missing close delimiter, a part without
// Content-Disposition: form-data and a name, too many parts or header bytes).
std::optional<std::vector<form_part>> parse_form_data(std::string_view body,
                                                      std::string_view boundary) noexcept;

}  // namespace driftway::text::messages
