#include "messages/multipart.hpp"

#include <gtest/gtest.h>

#include <string>

namespace driftway::text::messages {
namespace {

TEST(multipart, boundary_from_content_type) {
    EXPECT_EQ(form_data_boundary("multipart/form-data; boundary=abc123"), "abc123");
    EXPECT_EQ(form_data_boundary("Multipart/Form-Data;boundary=\"quoted b\""), "quoted b");
    EXPECT_EQ(form_data_boundary("multipart/form-data; charset=utf-8; BOUNDARY=x"), "x");
    EXPECT_FALSE(form_data_boundary("multipart/form-data"));
    EXPECT_FALSE(form_data_boundary("multipart/mixed; boundary=abc"));
    EXPECT_FALSE(form_data_boundary("application/json"));
    EXPECT_FALSE(form_data_boundary("multipart/form-data; boundary="));
    EXPECT_FALSE(form_data_boundary("multipart/form-data; boundary=" + std::string(71, 'a')));
    EXPECT_TRUE(form_data_boundary("multipart/form-data; boundary=" + std::string(70, 'a')));
    EXPECT_FALSE(form_data_boundary("multipart/form-data; boundary=\"a\r\nb\""));
    EXPECT_FALSE(form_data_boundary("multipart/form-data; boundary=\"unterminated"));
}

// What curl -F and browsers send.
const std::string browser_body =
    "--XyZ\r\n"
    "Content-Disposition: form-data; name=\"file\"; filename=\"cat.png\"\r\n"
    "Content-Type: image/png\r\n"
    "\r\n"
    "\x89PNG\r\n--not-a-boundary\r\n"
    "\r\n--XyZ--\r\n";

TEST(multipart, one_file_part) {
    auto parts = parse_form_data(browser_body, "XyZ");
    ASSERT_TRUE(parts);
    ASSERT_EQ(parts->size(), 1u);
    const auto& p = (*parts)[0];
    EXPECT_EQ(p.name, "file");
    EXPECT_EQ(p.filename, "cat.png");
    EXPECT_EQ(p.content_type, "image/png");
    // The data keeps its own CRLFs; only the CRLF before the delimiter goes.
    EXPECT_EQ(p.data, "\x89PNG\r\n--not-a-boundary\r\n");
    EXPECT_EQ(p.data.data(), browser_body.data() + browser_body.find("\x89PNG"))
        << "parts are views into the body";
}

TEST(multipart, several_parts_preamble_and_epilogue) {
    const std::string body =
        "preamble to ignore\r\n"
        "--b\r\n"
        "content-disposition: form-data; name=\"a\"\r\n\r\n"
        "first\r\n"
        "--b  \r\n"
        "Content-Disposition: form-data; name=\"file\"; filename=\"x.txt\"\r\n\r\n"
        "\r\n"
        "--b--\r\nepilogue";
    auto parts = parse_form_data(body, "b");
    ASSERT_TRUE(parts);
    ASSERT_EQ(parts->size(), 2u);
    EXPECT_EQ((*parts)[0].name, "a");
    EXPECT_FALSE((*parts)[0].filename);
    EXPECT_EQ((*parts)[0].data, "first");
    EXPECT_EQ((*parts)[1].filename, "x.txt");
    EXPECT_EQ((*parts)[1].data, "");
}

TEST(multipart, filename_star_wins_when_utf8) {
    const std::string body =
        "--b\r\n"
        "Content-Disposition: form-data; name=\"file\"; filename=\"fallback.txt\"; "
        "filename*=UTF-8''%E2%82%AC%20rates.txt\r\n\r\n"
        "x\r\n--b--";
    auto parts = parse_form_data(body, "b");
    ASSERT_TRUE(parts);
    EXPECT_EQ((*parts)[0].filename, "\xE2\x82\xAC rates.txt");

    const std::string latin1 =
        "--b\r\n"
        "Content-Disposition: form-data; name=\"file\"; filename=\"plain.txt\"; "
        "filename*=iso-8859-1''%A3.txt\r\n\r\n"
        "x\r\n--b--";
    parts = parse_form_data(latin1, "b");
    ASSERT_TRUE(parts);
    EXPECT_EQ((*parts)[0].filename, "plain.txt");
}

TEST(multipart, quoted_filename_escapes) {
    const std::string body =
        "--b\r\n"
        "Content-Disposition: form-data; name=\"file\"; filename=\"a \\\"b\\\" c;d.txt\"\r\n\r\n"
        "x\r\n--b--";
    auto parts = parse_form_data(body, "b");
    ASSERT_TRUE(parts);
    EXPECT_EQ((*parts)[0].filename, "a \"b\" c;d.txt");
}

TEST(multipart, malformed_bodies_are_refused) {
    const char* bodies[] = {
        "",
        "--b",                                                         // no part, no close
        "--b\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\nx",  // no closing delimiter
        "--b\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\nx\r\n--b",  // neither -- nor CRLF
        "--b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b--",  // no Content-Disposition
        "--b\r\nContent-Disposition: attachment; name=\"f\"\r\n\r\nx\r\n--b--",
        "--b\r\nContent-Disposition: form-data\r\n\r\nx\r\n--b--",  // no name
        "--b\r\nContent-Disposition: form-data; name=\"f\r\n\r\nx\r\n--b--",
        "--b\r\nno colon here\r\n\r\nx\r\n--b--",
        "--c\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\nx\r\n--c--",  // other boundary
    };
    for (const char* b : bodies) EXPECT_FALSE(parse_form_data(b, "b")) << b;
    EXPECT_FALSE(parse_form_data("--\r\n", ""));
}

TEST(multipart, limits_on_parts_and_headers) {
    std::string body;
    for (std::size_t i = 0; i <= max_form_parts; ++i)
        body += "--b\r\nContent-Disposition: form-data; name=\"p\"\r\n\r\nx\r\n";
    body += "--b--";
    EXPECT_FALSE(parse_form_data(body, "b"));

    const std::string huge_header = "--b\r\nContent-Disposition: form-data; name=\"f\"\r\nX: " +
                                    std::string(max_part_header_bytes, 'a') + "\r\n\r\nx\r\n--b--";
    EXPECT_FALSE(parse_form_data(huge_header, "b"));
}

TEST(multipart, arbitrary_bytes_never_throw) {
    std::string junk = "--b\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\n";
    for (int i = 0; i < 2048; ++i) junk.push_back(static_cast<char>((i * 7919) >> 2));
    for (std::size_t cut = 0; cut < junk.size(); cut += 37)
        EXPECT_NO_THROW(parse_form_data(std::string_view(junk).substr(0, cut), "b"));
}

}  // namespace
}  // namespace driftway::text::messages
