#include "messages/sniff.hpp"

#include <gtest/gtest.h>

#include <string>

namespace driftway::text::messages {
namespace {

std::string bytes(std::initializer_list<int> b) {
    std::string s;
    for (int c : b) s.push_back(static_cast<char>(c));
    return s;
}

struct sample {
    const char* what;
    std::string data;
    std::string_view type;
};

TEST(sniff, known_signatures) {
    const sample samples[] = {
        {"png", bytes({0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13}), "image/png"},
        {"jpeg", bytes({0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 'J', 'F', 'I', 'F'}), "image/jpeg"},
        {"gif87", "GIF87a\x01\x00", "image/gif"},
        {"gif89", "GIF89a\x01\x00", "image/gif"},
        {"webp", std::string("RIFF\x24\x00\x00\x00WEBPVP8 ", 16), "image/webp"},
        {"wav", std::string("RIFF\x24\x00\x00\x00WAVEfmt ", 16), "audio/wav"},
        {"pdf", "%PDF-1.7\n", "application/pdf"},
        {"zip", std::string("PK\x03\x04\x14\x00", 6), "application/zip"},
        {"empty zip", std::string("PK\x05\x06\x00\x00", 6), "application/zip"},
        {"ogg", std::string("OggS\x00\x02", 6), "audio/ogg"},
        {"mp3 id3", "ID3\x04\x00", "audio/mpeg"},
        // MPEG-1 layer III, 128 kbit/s, 44.1 kHz.
        {"mp3 frame", bytes({0xff, 0xfb, 0x90, 0x64}), "audio/mpeg"},
        {"mp4",
         std::string("\x00\x00\x00\x20"
                     "ftypisom",
                     12),
         "video/mp4"},
        {"webm",
         bytes({0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81, 0x01, 0x42, 0x82, 0x84, 'w', 'e',
                'b', 'm'}),
         "video/webm"},
    };
    for (const auto& s : samples) EXPECT_EQ(sniff_content_type(s.data), s.type) << s.what;
}

TEST(sniff, html_and_svg_are_plain_text_never_markup) {
    EXPECT_EQ(sniff_content_type("<!doctype html><script>alert(1)</script>"),
              "text/plain; charset=utf-8");
    EXPECT_EQ(sniff_content_type("<svg xmlns=\"http://www.w3.org/2000/svg\"><script/></svg>"),
              "text/plain; charset=utf-8");
}

TEST(sniff, text_needs_valid_utf8_without_nul) {
    EXPECT_EQ(sniff_content_type("héllo wörld\n"), "text/plain; charset=utf-8");
    EXPECT_EQ(sniff_content_type(""), "text/plain; charset=utf-8");
    EXPECT_EQ(sniff_content_type(std::string("ab\0cd", 5)), "application/octet-stream");
    EXPECT_EQ(sniff_content_type("\xc3\x28"), "application/octet-stream");
}

TEST(sniff, near_misses_are_not_the_type) {
    // A truncated PNG signature, RIFF of another kind, AAC ADTS (layer bits 00)
    // and a JPEG-looking sync without the third byte.
    EXPECT_EQ(sniff_content_type(bytes({0x89, 'P', 'N', 'G', 0x0d, 0x0a})),
              "application/octet-stream");
    EXPECT_EQ(sniff_content_type(std::string("RIFF\x24\x00\x00\x00"
                                             "AVI ",
                                             12)),
              "application/octet-stream");
    EXPECT_EQ(sniff_content_type(bytes({0xff, 0xf1, 0x50, 0x80})), "application/octet-stream");
    EXPECT_EQ(sniff_content_type(bytes({0xff, 0xd8})), "application/octet-stream");
    // EBML that is Matroska, not WebM.
    EXPECT_EQ(sniff_content_type(bytes({0x1a, 0x45, 0xdf, 0xa3, 0x42, 0x82, 0x88, 'm', 'a', 't',
                                        'r', 'o', 's', 'k', 'a'})),
              "application/octet-stream");
}

TEST(sniff, only_raster_images_are_inline) {
    for (auto t : {"image/png", "image/jpeg", "image/gif", "image/webp"})
        EXPECT_TRUE(is_inline_image(t)) << t;
    for (auto t : {"image/svg+xml", "text/plain; charset=utf-8", "application/pdf", "text/html",
                   "video/mp4", ""})
        EXPECT_FALSE(is_inline_image(t)) << t;
}

}  // namespace
}  // namespace driftway::text::messages
