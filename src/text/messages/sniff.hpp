#pragma once
// The content type of an upload, decided from its first bytes and never from
// what the client claims: a browser that trusted a claimed type could be
// made to render an HTML page from our origin. Only the types below are
// recognised; anything else is text/plain (valid UTF-8 without NUL) or
// application/octet-stream. Text is never labelled text/html.
#include <string_view>

namespace driftway::text::messages {

std::string_view sniff_content_type(std::string_view bytes) noexcept;

// Types a browser may show inline (Content-Disposition: inline): raster
// images only. SVG is not among them since it can carry script.
bool is_inline_image(std::string_view content_type) noexcept;

}  // namespace driftway::text::messages
