#include "ws/frame.hpp"
#include "ws/reader.hpp"
#include "ws/utf8.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

namespace driftway::net::ws::detail {
namespace {

using bytes = std::vector<std::uint8_t>;

constexpr std::uint8_t fin = 0x80;
constexpr std::uint8_t op_cont = 0x0;
constexpr std::uint8_t op_text = 0x1;
constexpr std::uint8_t op_binary = 0x2;
constexpr std::uint8_t op_close = 0x8;
constexpr std::uint8_t op_ping = 0x9;
constexpr std::uint8_t op_pong = 0xA;
constexpr mask_key test_key{0x37, 0xfa, 0x21, 0x3d};

// How a test frame writes its length: the minimal form, or a forced one
// (to build the non-minimal encodings RFC 6455 section 5.2 forbids).
enum class length_form { minimal, forced16, forced64 };

// A frame as a client sends it: first byte (FIN, RSV, opcode) as given,
// payload masked with test_key unless unmasked.
bytes client_frame(std::uint8_t first, std::string_view payload, bool masked = true,
                   length_form form = length_form::minimal) {
    bytes out{first};
    const std::uint8_t mask_bit = masked ? 0x80 : 0x00;
    const std::uint64_t n = payload.size();
    if (form == length_form::forced64 || (form == length_form::minimal && n > 0xFFFF)) {
        out.push_back(mask_bit | 127);
        for (int i = 7; i >= 0; --i) out.push_back(static_cast<std::uint8_t>(n >> (8 * i)));
    } else if (form == length_form::forced16 || (form == length_form::minimal && n >= 126)) {
        out.push_back(mask_bit | 126);
        out.push_back(static_cast<std::uint8_t>(n >> 8));
        out.push_back(static_cast<std::uint8_t>(n));
    } else {
        out.push_back(static_cast<std::uint8_t>(mask_bit | n));
    }
    if (masked) out.insert(out.end(), test_key.begin(), test_key.end());
    for (std::size_t i = 0; i < payload.size(); ++i) {
        const auto b = static_cast<std::uint8_t>(payload[i]);
        out.push_back(masked ? static_cast<std::uint8_t>(b ^ test_key[i % 4]) : b);
    }
    return out;
}

std::string close_payload(std::uint16_t code, std::string_view reason = {}) {
    std::string p;
    p += static_cast<char>(code >> 8);
    p += static_cast<char>(code & 0xFF);
    p += reason;
    return p;
}

bytes concat(std::initializer_list<bytes> parts) {
    bytes out;
    for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
    return out;
}

// ---------------------------------------------------------------- headers

TEST(WsFrameHeader, ParsesEveryLengthEncoding) {
    struct row {
        std::size_t length;
        std::size_t header_length;
    };
    for (const row r : {row{0, 6}, row{1, 6}, row{125, 6}, row{126, 8}, row{65535, 8},
                        row{65536, 14}, row{100000, 14}}) {
        const bytes frame = client_frame(fin | op_text, std::string(r.length, 'x'));
        const auto result = parse_client_header(frame);
        ASSERT_EQ(result.state, header_result::status::complete) << r.length;
        EXPECT_TRUE(result.header.fin);
        EXPECT_EQ(result.header.op, opcode::text);
        EXPECT_EQ(result.header.payload_length, r.length);
        EXPECT_EQ(result.header.header_length, r.header_length);
        EXPECT_EQ(result.header.mask, test_key);
    }
}

TEST(WsFrameHeader, AsksForTheBytesItNeeds) {
    const bytes frame = client_frame(fin | op_text, std::string(70000, 'x'));
    EXPECT_EQ(parse_client_header({frame.data(), 0}).needed, 2u);
    EXPECT_EQ(parse_client_header({frame.data(), 1}).needed, 2u);
    for (std::size_t n = 2; n < 14; ++n) {
        const auto r = parse_client_header({frame.data(), n});
        EXPECT_EQ(r.state, header_result::status::incomplete) << n;
        EXPECT_EQ(r.needed, 14u) << n;
    }
    EXPECT_EQ(parse_client_header({frame.data(), 14}).state, header_result::status::complete);
}

TEST(WsFrameHeader, RejectsWhatNoHeaderMayCarry) {
    struct row {
        const char* what;
        bytes frame;
    };
    bytes top_bit_set = client_frame(fin | op_text, std::string(70000, 'x'));
    top_bit_set[2] |= 0x80;
    const std::vector<row> rows{
        {"RSV1 without an extension", client_frame(fin | 0x40 | op_text, "x")},
        {"RSV2", client_frame(fin | 0x20 | op_text, "x")},
        {"RSV3", client_frame(fin | 0x10 | op_text, "x")},
        {"opcode 3", client_frame(fin | 0x3, "x")},
        {"opcode 7", client_frame(fin | 0x7, "x")},
        {"opcode 0xB", client_frame(fin | 0xB, "x")},
        {"opcode 0xF", client_frame(fin | 0xF, "x")},
        {"fragmented ping", client_frame(op_ping, "x")},
        {"fragmented close", client_frame(op_close, close_payload(1000))},
        {"ping of 126 bytes", client_frame(fin | op_ping, std::string(126, 'p'))},
        {"unmasked text", client_frame(fin | op_text, "hello", false)},
        {"unmasked close", client_frame(fin | op_close, "", false)},
        {"16-bit length for 100 bytes",
         client_frame(fin | op_text, std::string(100, 'x'), true, length_form::forced16)},
        {"64-bit length for 1000 bytes",
         client_frame(fin | op_text, std::string(1000, 'x'), true, length_form::forced64)},
        {"64-bit length with the top bit set", top_bit_set},
    };
    for (const auto& r : rows) {
        const auto result = parse_client_header(r.frame);
        EXPECT_EQ(result.state, header_result::status::invalid) << r.what;
        EXPECT_EQ(result.close_code, 1002) << r.what;
    }
}

TEST(WsFrameHeader, EncodesServerHeadersUnmaskedInTheMinimalForm) {
    struct row {
        std::uint64_t length;
        bytes expected;
    };
    const std::vector<row> rows{
        {0, {0x81, 0x00}},
        {125, {0x81, 125}},
        {126, {0x81, 126, 0x00, 126}},
        {65535, {0x81, 126, 0xFF, 0xFF}},
        {65536, {0x81, 127, 0, 0, 0, 0, 0, 1, 0, 0}},
        {0x0102030405ULL, {0x81, 127, 0, 0, 0, 0x01, 0x02, 0x03, 0x04, 0x05}},
    };
    for (const auto& r : rows) {
        std::array<std::uint8_t, max_server_header_bytes> out{};
        const std::size_t n = encode_header(out, opcode::text, true, r.length);
        EXPECT_EQ(bytes(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(n)), r.expected)
            << r.length;
    }
    std::array<std::uint8_t, max_server_header_bytes> out{};
    ASSERT_EQ(encode_header(out, opcode::close, true, 2), 2u);
    EXPECT_EQ(out[0], 0x88);
    ASSERT_EQ(encode_header(out, opcode::continuation, false, 2), 2u);
    EXPECT_EQ(out[0], 0x00);
}

TEST(WsFrame, MaskingMatchesTheBytewiseDefinition) {
    for (std::size_t n = 0; n < 40; ++n) {
        bytes data(n);
        for (std::size_t i = 0; i < n; ++i) data[i] = static_cast<std::uint8_t>(i * 7 + 1);
        bytes expected = data;
        for (std::size_t i = 0; i < n; ++i) expected[i] ^= test_key[i % 4];
        apply_mask(data, test_key);
        EXPECT_EQ(data, expected) << n;
    }
}

TEST(WsFrame, CloseCodes) {
    for (const std::uint16_t ok : {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013,
                                   1014, 3000, 3999, 4000, 4010, 4999}) {
        EXPECT_TRUE(valid_close_code(ok)) << ok;
    }
    for (const std::uint16_t bad :
         {0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535}) {
        EXPECT_FALSE(valid_close_code(bad)) << bad;
    }
}

TEST(WsFrame, ClosePayloadKeepsTheReasonWithinAControlFrame) {
    std::array<std::uint8_t, max_control_payload> out{};
    ASSERT_EQ(encode_close_payload(out, 4010, "slow"), 6u);
    EXPECT_EQ(out[0], 0x0F);
    EXPECT_EQ(out[1], 0xAA);
    EXPECT_EQ(std::string(out.begin() + 2, out.begin() + 6), "slow");
    EXPECT_EQ(encode_close_payload(out, close_no_status, "ignored"), 0u);

    // 61 two-byte characters: the cut falls inside the 62nd, which is dropped whole.
    std::string long_reason;
    for (int i = 0; i < 70; ++i) long_reason += "\xc3\xa9";
    const std::size_t n = encode_close_payload(out, 1000, long_reason);
    EXPECT_EQ(n, 2u + 122u);
    EXPECT_TRUE(valid_utf8({reinterpret_cast<const char*>(out.data()) + 2, n - 2}));
}

// ------------------------------------------------------------------ UTF-8

TEST(WsUtf8, AcceptsWellFormedText) {
    for (const std::string& ok : {
             std::string(""), std::string("plain ascii, long enough for the eight-byte path"),
             std::string("caf\xc3\xa9"),                  // U+00E9
             std::string("\xe2\x82\xac"),                 // U+20AC
             std::string("\xed\x9f\xbf"),                 // U+D7FF, last before surrogates
             std::string("\xee\x80\x80"),                 // U+E000
             std::string("\xf0\x9f\x98\x80"),             // U+1F600
             std::string("\xf4\x8f\xbf\xbf"),             // U+10FFFF
             std::string("12345678\xf0\x9f\x98\x80xyz"),  // after a fast-path block
         }) {
        EXPECT_TRUE(valid_utf8(ok)) << ok;
    }
}

TEST(WsUtf8, RejectsIllFormedText) {
    for (const std::string& bad : {
             std::string("\x80"),                          // stray continuation
             std::string("\xc0\x80"),                      // overlong NUL
             std::string("\xc1\xbf"),                      // overlong
             std::string("\xe0\x80\x80"),                  // overlong
             std::string("\xe0\x9f\xbf"),                  // overlong
             std::string("\xed\xa0\x80"),                  // U+D800 surrogate
             std::string("\xed\xbf\xbf"),                  // U+DFFF surrogate
             std::string("\xf0\x80\x80\x80"),              // overlong
             std::string("\xf4\x90\x80\x80"),              // past U+10FFFF
             std::string("\xf5\x80\x80\x80"),              // past U+10FFFF
             std::string("\xff"),                          //
             std::string("\xc3"),                          // truncated
             std::string("\xe2\x82"),                      // truncated
             std::string("\xf0\x9f\x98"),                  // truncated
             std::string("abcdefgh\xe2\x28\xa1"),          // bad continuation
             std::string("0123456789abcdef\xed\xa0\x80"),  // surrogate after ASCII blocks
         }) {
        EXPECT_FALSE(valid_utf8(bad)) << testing::PrintToString(bad);
    }
}

// ----------------------------------------------------------------- reader

struct event {
    std::string kind;
    std::string data;
    std::uint16_t code = 0;
    bool operator==(const event&) const = default;
};

std::ostream& operator<<(std::ostream& os, const event& e) {
    return os << e.kind << "(" << e.code << "," << testing::PrintToString(e.data) << ")";
}

class recording_sink : public reader_sink {
public:
    bool on_text(std::string_view message) noexcept override {
        events.push_back({"text", std::string(message)});
        return keep_going();
    }
    bool on_ping(std::string_view payload) noexcept override {
        events.push_back({"ping", std::string(payload)});
        return keep_going();
    }
    void on_peer_close(std::uint16_t code, std::string_view reason) noexcept override {
        events.push_back({"close", std::string(reason), code});
    }

    std::vector<event> events;
    std::size_t stop_after = SIZE_MAX;

private:
    bool keep_going() const { return events.size() < stop_after; }
};

struct outcome {
    std::vector<event> events;
    std::uint16_t code = 0;
    std::size_t buffered_after = 0;
};

constexpr std::size_t test_max_message = 1 << 20;

// Feeds stream in pieces cut at the given positions (each piece a copy, as a
// socket read would deliver it).
outcome feed_split(const bytes& stream, const std::vector<std::size_t>& cuts,
                   std::size_t max_message = test_max_message) {
    reader r(max_message);
    recording_sink sink;
    outcome o;
    std::size_t from = 0;
    auto feed_piece = [&](std::size_t to) {
        bytes piece(stream.begin() + static_cast<std::ptrdiff_t>(from),
                    stream.begin() + static_cast<std::ptrdiff_t>(to));
        const std::uint16_t code = r.feed(piece, sink);
        if (code != 0 && o.code == 0) o.code = code;
        from = to;
    };
    for (const std::size_t cut : cuts) feed_piece(cut);
    feed_piece(stream.size());
    o.events = sink.events;
    o.buffered_after = r.buffered_bytes();
    return o;
}

outcome feed_whole(const bytes& stream, std::size_t max_message = test_max_message) {
    return feed_split(stream, {}, max_message);
}

outcome feed_bytewise(const bytes& stream, std::size_t max_message = test_max_message) {
    std::vector<std::size_t> cuts;
    for (std::size_t i = 1; i < stream.size(); ++i) cuts.push_back(i);
    return feed_split(stream, cuts, max_message);
}

// A conversation with every kind of frame a client may send: lengths in the
// 7-bit and 16-bit forms, a fragmented message with control frames between
// its fragments, an empty message, and a close frame.
bytes conversation() {
    return concat({
        client_frame(fin | op_text, "hello"),
        client_frame(fin | op_ping, "p!"),
        client_frame(op_text, "frag"),
        client_frame(fin | op_pong, "unsolicited"),
        client_frame(op_cont, "men"),
        client_frame(fin | op_ping, ""),
        client_frame(fin | op_cont, "ted \xc3\xa9"),
        client_frame(fin | op_text, std::string(300, 'm')),
        client_frame(fin | op_text, ""),
        client_frame(fin | op_close, close_payload(1000, "bye")),
    });
}

std::vector<event> conversation_events() {
    return {
        {"text", "hello"},
        {"ping", "p!"},
        {"ping", ""},
        {"text", "fragmented \xc3\xa9"},
        {"text", std::string(300, 'm')},
        {"text", ""},
        {"close", "bye", 1000},
    };
}

TEST(WsReader, ReportsMessagesAndControlFramesInOrder) {
    const outcome o = feed_whole(conversation());
    EXPECT_EQ(o.code, 0);
    EXPECT_EQ(o.events, conversation_events());
    EXPECT_EQ(o.buffered_after, 0u);
}

TEST(WsReader, GivesTheSameResultWhereverTheInputIsCut) {
    const bytes stream = conversation();
    for (std::size_t cut = 0; cut <= stream.size(); ++cut) {
        const outcome o = feed_split(stream, {cut});
        ASSERT_EQ(o.code, 0) << "cut at " << cut;
        ASSERT_EQ(o.events, conversation_events()) << "cut at " << cut;
    }
    for (std::size_t a = 0; a <= stream.size(); a += 7) {
        for (std::size_t b = a; b <= stream.size(); b += 5) {
            ASSERT_EQ(feed_split(stream, {a, b}).events, conversation_events())
                << "cuts at " << a << " and " << b;
        }
    }
    const outcome one_by_one = feed_bytewise(stream);
    EXPECT_EQ(one_by_one.code, 0);
    EXPECT_EQ(one_by_one.events, conversation_events());
    EXPECT_EQ(one_by_one.buffered_after, 0u);
}

TEST(WsReader, ReassemblesLargeMessagesFromPieces) {
    std::string big(100000, '\0');
    for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>('a' + i % 26);
    // A 64-bit length, then the same message as 16-bit and 7-bit fragments.
    const bytes stream = concat({
        client_frame(fin | op_text, big),
        client_frame(op_text, big.substr(0, 70000)),
        client_frame(op_cont, big.substr(70000, 29900)),
        client_frame(fin | op_cont, big.substr(99900)),
    });
    const std::vector<event> expected{{"text", big}, {"text", big}};
    EXPECT_EQ(feed_whole(stream).events, expected);
    EXPECT_EQ(feed_bytewise(stream).events, expected);
    for (const std::size_t cut : {1, 2, 9, 10, 13, 14, 15, 50000, 100014, 100015, 100030}) {
        EXPECT_EQ(feed_split(stream, {cut}).events, expected) << cut;
    }
}

TEST(WsReader, HoldsNoMemoryBetweenCompleteFrames) {
    reader r(test_max_message);
    recording_sink sink;
    bytes frame = client_frame(fin | op_text, std::string(1000, 'x'));
    bytes first(frame.begin(), frame.begin() + 500);
    bytes rest(frame.begin() + 500, frame.end());
    ASSERT_EQ(r.feed(first, sink), 0);
    EXPECT_GE(r.buffered_bytes(), 500u);
    ASSERT_EQ(r.feed(rest, sink), 0);
    EXPECT_EQ(r.buffered_bytes(), 0u);

    bytes start = client_frame(op_text, "part");
    ASSERT_EQ(r.feed(start, sink), 0);
    EXPECT_GT(r.buffered_bytes(), 0u);
    bytes end = client_frame(fin | op_cont, "s");
    ASSERT_EQ(r.feed(end, sink), 0);
    EXPECT_EQ(r.buffered_bytes(), 0u);
    EXPECT_EQ(sink.events,
              (std::vector<event>{{"text", std::string(1000, 'x')}, {"text", "parts"}}));
}

TEST(WsReader, BadFramesFailWithTheirCloseCode) {
    struct row {
        const char* what;
        bytes stream;
        std::uint16_t code;
        std::size_t max_message = test_max_message;
    };
    std::string split_char_first = "caf\xc3";
    const std::vector<row> rows{
        {"unmasked", client_frame(fin | op_text, "hi", false), 1002},
        {"reserved bit", client_frame(fin | 0x40 | op_text, "hi"), 1002},
        {"unknown opcode", client_frame(fin | 0x3, "hi"), 1002},
        {"ping over 125 bytes", client_frame(fin | op_ping, std::string(126, 'x')), 1002},
        {"fragmented ping", client_frame(op_ping, "x"), 1002},
        {"continuation without a message", client_frame(fin | op_cont, "x"), 1002},
        {"text inside a fragmented message",
         concat({client_frame(op_text, "a"), client_frame(fin | op_text, "b")}), 1002},
        {"binary", client_frame(fin | op_binary, "\x01\x02"), 1003},
        {"binary fragment", client_frame(op_binary, "\x01"), 1003},
        {"text over the limit", client_frame(fin | op_text, std::string(1025, 'x')), 1009, 1024},
        {"fragments over the limit",
         concat({client_frame(op_text, std::string(600, 'x')),
                 client_frame(fin | op_cont, std::string(600, 'x'))}),
         1009, 1024},
        {"invalid UTF-8", client_frame(fin | op_text, "\xc0\x80"), 1007},
        {"invalid UTF-8 across fragments",
         concat({client_frame(op_text, "ok"), client_frame(fin | op_cont, "\xed\xa0\x80")}), 1007},
        {"truncated character at the end", client_frame(fin | op_text, split_char_first), 1007},
        {"close with one byte", client_frame(fin | op_close, "\x03"), 1002},
        {"close with 1005", client_frame(fin | op_close, close_payload(1005)), 1002},
        {"close with 999", client_frame(fin | op_close, close_payload(999)), 1002},
        {"close with 2000", client_frame(fin | op_close, close_payload(2000)), 1002},
        {"close with 5000", client_frame(fin | op_close, close_payload(5000)), 1002},
        {"close reason not UTF-8", client_frame(fin | op_close, close_payload(1000, "\xff")), 1007},
    };
    for (const auto& r : rows) {
        EXPECT_EQ(feed_whole(r.stream, r.max_message).code, r.code) << r.what;
        EXPECT_EQ(feed_bytewise(r.stream, r.max_message).code, r.code) << r.what << ", bytewise";
    }
}

TEST(WsReader, ACharacterSplitAcrossFragmentsIsValid) {
    const bytes stream =
        concat({client_frame(op_text, "caf\xc3"), client_frame(fin | op_cont, "\xa9")});
    const outcome o = feed_whole(stream);
    EXPECT_EQ(o.code, 0);
    EXPECT_EQ(o.events, (std::vector<event>{{"text", "caf\xc3\xa9"}}));
}

TEST(WsReader, RefusesAnOversizedMessageBeforeItsPayloadArrives) {
    reader r(1024);
    recording_sink sink;
    bytes frame = client_frame(fin | op_text, std::string(1 << 20, 'x'));
    bytes header(frame.begin(), frame.begin() + 14);
    EXPECT_EQ(r.feed(header, sink), 1009);
    EXPECT_EQ(r.buffered_bytes(), 0u);
    EXPECT_TRUE(r.stopped());
}

TEST(WsReader, CloseWithoutPayloadIsReportedAs1005) {
    const outcome o = feed_whole(client_frame(fin | op_close, ""));
    EXPECT_EQ(o.events, (std::vector<event>{{"close", "", 1005}}));
}

TEST(WsReader, IgnoresEverythingAfterTheCloseFrame) {
    const bytes stream =
        concat({client_frame(fin | op_close, close_payload(4001)),
                client_frame(fin | op_text, "late"), client_frame(fin | op_text, "hi", false)});
    const outcome o = feed_whole(stream);
    EXPECT_EQ(o.code, 0);
    EXPECT_EQ(o.events, (std::vector<event>{{"close", "", 4001}}));
}

TEST(WsReader, StopsWhenTheSinkSaysSo) {
    reader r(test_max_message);
    recording_sink sink;
    sink.stop_after = 1;
    bytes stream = concat({client_frame(fin | op_text, "one"), client_frame(fin | op_text, "two")});
    EXPECT_EQ(r.feed(stream, sink), 0);
    EXPECT_TRUE(r.stopped());
    bytes more = client_frame(fin | op_text, "three");
    EXPECT_EQ(r.feed(more, sink), 0);
    EXPECT_EQ(sink.events, (std::vector<event>{{"text", "one"}}));
}

}  // namespace
}  // namespace driftway::net::ws::detail
