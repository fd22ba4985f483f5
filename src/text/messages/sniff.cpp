#include "messages/sniff.hpp"

#include "driftway/core/json.hpp"

#include <algorithm>
#include <array>

namespace driftway::text::messages {

namespace {

bool starts_with(std::string_view s, std::string_view prefix) noexcept {
    return s.substr(0, prefix.size()) == prefix;
}

bool at(std::string_view s, std::size_t offset, std::string_view what) noexcept {
    return s.size() >= offset + what.size() && s.substr(offset, what.size()) == what;
}

// An MPEG-1/2 audio frame header (ISO/IEC 11172-3 2.4.2.3): 11 sync bits, a
// version other than "reserved", layer III, a bitrate index other than
// "bad" and a sampling rate other than "reserved".
bool mpeg_layer3_frame(std::string_view s) noexcept {
    if (s.size() < 4) return false;
    const auto b1 = static_cast<unsigned char>(s[1]);
    const auto b2 = static_cast<unsigned char>(s[2]);
    if (static_cast<unsigned char>(s[0]) != 0xff || (b1 & 0xe0) != 0xe0) return false;
    const auto version = (b1 >> 3) & 0x3;
    const auto layer = (b1 >> 1) & 0x3;
    const auto bitrate = b2 >> 4;
    const auto rate = (b2 >> 2) & 0x3;
    return version != 1 && layer == 1 && bitrate != 0xf && rate != 3;
}

// WebM is Matroska (EBML) whose DocType element says "webm"; it sits in the
// EBML header, within the first few dozen bytes.
bool webm(std::string_view s) noexcept {
    if (!starts_with(s, std::string_view("\x1a\x45\xdf\xa3", 4))) return false;
    const auto head = s.substr(0, 64);
    // DocType element id 0x4282, then a one-byte size 0x84 (4 bytes).
    return head.find(std::string_view("\x42\x82\x84webm", 7)) != std::string_view::npos;
}

}  // namespace

std::string_view sniff_content_type(std::string_view s) noexcept {
    // Signatures: PNG (RFC 2083 3.1), JPEG SOI + marker, GIF87a/89a,
    // RIFF WEBP/WAVE, %PDF-, ZIP local/end/spanned headers, OggS (RFC 3533),
    // ID3v2 or an MPEG audio frame, ISO BMFF `ftyp` box, EBML DocType webm.
    if (starts_with(s, "\x89PNG\r\n\x1a\n")) return "image/png";
    if (starts_with(s, "\xff\xd8\xff")) return "image/jpeg";
    if (starts_with(s, "GIF87a") || starts_with(s, "GIF89a")) return "image/gif";
    if (starts_with(s, "RIFF") && at(s, 8, "WEBP")) return "image/webp";
    if (starts_with(s, "RIFF") && at(s, 8, "WAVE")) return "audio/wav";
    if (starts_with(s, "%PDF-")) return "application/pdf";
    if (starts_with(s, "PK\x03\x04") || starts_with(s, "PK\x05\x06") ||
        starts_with(s, "PK\x07\x08"))
        return "application/zip";
    if (starts_with(s, "OggS")) return "audio/ogg";
    if (starts_with(s, "ID3") || mpeg_layer3_frame(s)) return "audio/mpeg";
    if (at(s, 4, "ftyp")) return "video/mp4";
    if (webm(s)) return "video/webm";
    if (s.find('\0') == std::string_view::npos && json::valid_utf8(s))
        return "text/plain; charset=utf-8";
    return "application/octet-stream";
}

bool is_inline_image(std::string_view content_type) noexcept {
    static constexpr std::array<std::string_view, 4> images{"image/png", "image/jpeg", "image/gif",
                                                            "image/webp"};
    return std::find(images.begin(), images.end(), content_type) != images.end();
}

}  // namespace driftway::text::messages
