// The gateway's wire format, its replay buffer and its inbound rate window.
#include "gateway/frames.hpp"
#include "gateway/replay_buffer.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace driftway::text::gw {
namespace {

template <class T>
T parse_ok(std::string_view text) {
    auto r = parse_inbound(text);
    EXPECT_TRUE(std::holds_alternative<inbound>(r)) << text;
    if (!std::holds_alternative<inbound>(r)) return T{};
    const auto& in = std::get<inbound>(r);
    EXPECT_TRUE(std::holds_alternative<T>(in)) << text;
    return std::holds_alternative<T>(in) ? std::get<T>(in) : T{};
}

std::uint16_t parse_error(std::string_view text) {
    auto r = parse_inbound(text);
    if (const auto* e = std::get_if<frame_error>(&r)) {
        EXPECT_FALSE(e->reason.empty());
        EXPECT_LE(e->reason.size(), 123u) << "a close reason fits in a control frame";
        return e->code;
    }
    return 0;
}

TEST(GatewayFrames, ParsesEveryClientOp) {
    EXPECT_EQ(parse_ok<identify_op>(R"({"op":"identify","d":{"token":"abc"}})").token, "abc");

    const auto r =
        parse_ok<resume_op>(R"({"op":"resume","d":{"token":"t","session_id":"s1","seq":42}})");
    EXPECT_EQ(r.token, "t");
    EXPECT_EQ(r.session_id, "s1");
    EXPECT_EQ(r.seq, 42u);

    EXPECT_EQ(parse_ok<heartbeat_op>(R"({"op":"heartbeat","d":{"seq":7}})").seq, 7u);
    EXPECT_EQ(parse_ok<heartbeat_op>(R"({"op":"heartbeat","d":{"seq":null}})").seq, std::nullopt);
    EXPECT_EQ(parse_ok<heartbeat_op>(R"({"op":"heartbeat"})").seq, std::nullopt);
    EXPECT_EQ(parse_ok<heartbeat_op>(R"({"op":"heartbeat","d":9})").seq, 9u);

    EXPECT_EQ(parse_ok<typing_op>(R"({"op":"typing","d":{"channel_id":"123"}})").channel_id, 123u);
    EXPECT_EQ(parse_ok<presence_op>(R"({"op":"presence","d":{"status":"dnd"}})").status,
              presence_status::dnd);

    const auto m = parse_ok<request_members_op>(
        R"({"op":"request_members","d":{"space_id":"5","query":"al","limit":1000}})");
    EXPECT_EQ(m.space_id, 5u);
    EXPECT_EQ(m.query, "al");
    EXPECT_EQ(m.limit, 1000);
    EXPECT_EQ(
        parse_ok<request_members_op>(R"({"op":"request_members","d":{"space_id":"5"}})").limit,
        100);

    EXPECT_TRUE(
        parse_ok<voice_state_op>(
            R"({"op":"voice_state","d":{"channel_id":null,"self_mute":false,"self_deaf":false}})")
            .leave);
    // Joining is not done here: other values are accepted and mean no leave.
    EXPECT_FALSE(parse_ok<voice_state_op>(R"({"op":"voice_state","d":{"channel_id":"5"}})").leave);
    EXPECT_FALSE(parse_ok<voice_state_op>(R"({"op":"voice_state","d":{}})").leave);
    EXPECT_FALSE(parse_ok<voice_state_op>(R"({"op":"voice_state"})").leave);
}

TEST(GatewayFrames, UnknownOpIs4001) {
    EXPECT_EQ(parse_error(R"({"op":"dance","d":{}})"), close_code::unknown_op);
    EXPECT_EQ(parse_error(R"({"op":"dispatch","d":{}})"), close_code::unknown_op);
}

TEST(GatewayFrames, BadFramesAre4002) {
    const char* cases[] = {
        "not json",
        "",
        "[1,2]",
        R"("identify")",
        R"({"d":{}})",
        R"({"op":5,"d":{}})",
        R"({"op":"identify"})",
        R"({"op":"identify","d":"token"})",
        R"({"op":"identify","d":{}})",
        R"({"op":"identify","d":{"token":""}})",
        R"({"op":"identify","d":{"token":7}})",
        R"({"op":"resume","d":{"token":"t","session_id":"s"}})",
        R"({"op":"resume","d":{"token":"t","session_id":"s","seq":-1}})",
        R"({"op":"resume","d":{"token":"t","session_id":"s","seq":1.5}})",
        R"({"op":"resume","d":{"token":"t","seq":1}})",
        R"({"op":"heartbeat","d":{"seq":"1"}})",
        R"({"op":"heartbeat","d":"x"})",
        R"({"op":"typing","d":{"channel_id":12}})",
        R"({"op":"typing","d":{"channel_id":"012"}})",
        R"({"op":"typing","d":{}})",
        R"({"op":"presence","d":{"status":"offline"}})",
        R"({"op":"presence","d":{}})",
        R"({"op":"request_members","d":{"space_id":"1","limit":0}})",
        R"({"op":"request_members","d":{"space_id":"1","limit":1001}})",
        R"({"op":"request_members","d":{"space_id":"1","query":5}})",
        R"({"op":"request_members","d":{"limit":5}})",
        R"({"op":"identify","d":{"token":"t"},"x":[[[[[[[[[[[[1]]]]]]]]]]]]})",
    };
    for (const char* c : cases) EXPECT_EQ(parse_error(c), close_code::decode_error) << c;

    const std::string long_token(max_token_bytes + 1, 'a');
    EXPECT_EQ(parse_error(R"({"op":"identify","d":{"token":")" + long_token + "\"}}"),
              close_code::decode_error);
    const std::string long_query(max_query_chars + 1, 'q');
    EXPECT_EQ(parse_error(R"({"op":"request_members","d":{"space_id":"1","query":")" + long_query +
                          "\"}}"),
              close_code::decode_error);
}

TEST(GatewayFrames, OutboundFramesAreJsonWithOpAndD) {
    for (const auto& text :
         {hello_frame(41250), heartbeat_ack_frame(), invalid_session_frame(), reconnect_frame()}) {
        const auto v = boost::json::parse(text);
        ASSERT_TRUE(v.is_object()) << text;
        EXPECT_TRUE(v.as_object().at("op").is_string()) << text;
        EXPECT_TRUE(v.as_object().at("d").is_object()) << text;
    }
    EXPECT_EQ(boost::json::parse(hello_frame(41250)).at("d").at("heartbeat_interval_ms"), 41250);
    EXPECT_EQ(boost::json::parse(invalid_session_frame()).at("d").at("resumable"), false);
}

TEST(GatewayFrames, DispatchHeadPlusBodyIsTheFrame) {
    char buf[dispatch_head_capacity];
    const std::string body = R"("t":"MESSAGE_CREATE","d":{"id":"1"}})";
    for (const std::uint64_t seq :
         {std::uint64_t{1}, std::uint64_t{987654321}, std::numeric_limits<std::uint64_t>::max()}) {
        const std::string frame = std::string(dispatch_head(seq, buf)) + body;
        const auto v = boost::json::parse(frame);
        EXPECT_EQ(v.at("op"), "dispatch");
        EXPECT_EQ(v.at("s").to_number<std::uint64_t>(), seq);
        EXPECT_EQ(v.at("t"), "MESSAGE_CREATE");
        EXPECT_EQ(v.at("d").at("id"), "1");
    }
}

std::shared_ptr<const std::string> body(int n) {
    return std::make_shared<const std::string>(std::to_string(n));
}

std::vector<std::string> after(const replay_buffer& r, std::uint64_t seq) {
    std::vector<std::string> out;
    r.for_each_after(seq, [&](std::uint64_t s, const replay_buffer::body& b) {
        EXPECT_EQ(std::to_string(s), *b) << "entry numbered by its sequence";
        out.push_back(*b);
    });
    return out;
}

TEST(GatewayReplay, NumbersEntriesFromOneAndReplaysAfterSeq) {
    replay_buffer r(100);
    EXPECT_EQ(r.end(), 1u);
    EXPECT_TRUE(r.covers_after(0)) << "nothing sent, nothing missed";
    EXPECT_FALSE(r.covers_after(1)) << "seq ahead of the session";
    for (int i = 1; i <= 40; ++i) r.push(body(i));
    EXPECT_EQ(r.end(), 41u);
    EXPECT_EQ(after(r, 37), (std::vector<std::string>{"38", "39", "40"}));
    EXPECT_TRUE(after(r, 40).empty());
    EXPECT_EQ(after(r, 0).size(), 40u);
    EXPECT_TRUE(r.covers_after(0));
    EXPECT_TRUE(r.covers_after(40));
    EXPECT_FALSE(r.covers_after(41));
}

TEST(GatewayReplay, KeepsOnlyTheNewestMaxEntries) {
    replay_buffer r(5);
    for (int i = 1; i <= 12; ++i) r.push(body(i));
    EXPECT_EQ(r.size(), 5u);
    EXPECT_EQ(r.first(), 8u);
    EXPECT_FALSE(r.covers_after(6)) << "event 7 is gone";
    EXPECT_TRUE(r.covers_after(7));
    EXPECT_EQ(after(r, 7), (std::vector<std::string>{"8", "9", "10", "11", "12"}));
}

TEST(GatewayReplay, TrimForgetsAcknowledgedEntries) {
    replay_buffer r(1000);
    for (int i = 1; i <= 30; ++i) r.push(body(i));
    r.trim_through(25);
    EXPECT_EQ(r.first(), 26u);
    EXPECT_EQ(after(r, 25), (std::vector<std::string>{"26", "27", "28", "29", "30"}));
    EXPECT_FALSE(r.covers_after(24));
    r.trim_through(10);  // older than what is kept: no change
    EXPECT_EQ(r.first(), 26u);
    r.trim_through(30);
    EXPECT_EQ(r.size(), 0u);
    EXPECT_EQ(r.end(), 31u) << "numbering goes on after the buffer empties";
    EXPECT_TRUE(r.covers_after(30));
    r.push(body(31));
    EXPECT_EQ(after(r, 30), (std::vector<std::string>{"31"}));
}

TEST(GatewayReplay, WrapsAroundItsRing) {
    replay_buffer r(20);
    int next = 1;
    for (int round = 0; round < 10; ++round) {
        for (int i = 0; i < 7; ++i) r.push(body(next++));
        r.trim_through(static_cast<std::uint64_t>(next - 4));
        EXPECT_EQ(after(r, static_cast<std::uint64_t>(next - 4)),
                  (std::vector<std::string>{std::to_string(next - 3), std::to_string(next - 2),
                                            std::to_string(next - 1)}));
    }
}

TEST(GatewayRateWindow, AdmitsTheLimitPerWindowThenRefuses) {
    rate_window w;
    const std::int64_t t0 = 1'000'000LL * 60'000;  // the start of a window
    for (int i = 0; i < 120; ++i) EXPECT_TRUE(w.admit(t0 + i, 120, 60'000)) << i;
    EXPECT_FALSE(w.admit(t0 + 200, 120, 60'000));
}

TEST(GatewayRateWindow, ABurstAtTheWindowEdgeCannotDoubleTheLimit) {
    rate_window w;
    const std::int64_t edge = 2'000LL * 60'000;
    for (int i = 0; i < 120; ++i) ASSERT_TRUE(w.admit(edge - 10, 120, 60'000));
    // Just after the edge the previous window still counts almost fully.
    EXPECT_FALSE(w.admit(edge + 10, 120, 60'000));
    // Half a window later, about half of it has slid out.
    int admitted = 0;
    while (w.admit(edge + 30'000, 120, 60'000)) ++admitted;
    EXPECT_GE(admitted, 55);
    EXPECT_LE(admitted, 61);
}

TEST(GatewayRateWindow, EvenTrafficIsNeverRefused) {
    rate_window w;
    // A heartbeat every second for ten minutes: 60 per window, half the limit.
    for (std::int64_t t = 0; t < 600'000; t += 1000)
        EXPECT_TRUE(w.admit(5'000'000 + t, 120, 60'000));
}

}  // namespace
}  // namespace driftway::text::gw
