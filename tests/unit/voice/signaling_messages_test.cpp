// The signaling socket's frames: every client op parsed, and what is not a
// valid frame mapped to the close code docs/voice.md gives.
#include "signaling/messages.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace driftway::voice::signaling {
namespace {

template <class T>
T parsed(std::string_view text) {
    auto r = parse_inbound(text);
    EXPECT_TRUE(std::holds_alternative<inbound>(r)) << text;
    if (!std::holds_alternative<inbound>(r)) return {};
    const auto& in = std::get<inbound>(r);
    EXPECT_TRUE(std::holds_alternative<T>(in)) << text;
    return std::holds_alternative<T>(in) ? std::get<T>(in) : T{};
}

std::uint16_t refused(std::string_view text) {
    auto r = parse_inbound(text);
    if (!std::holds_alternative<frame_error>(r)) {
        ADD_FAILURE() << "accepted: " << text;
        return 0;
    }
    return std::get<frame_error>(r).code;
}

TEST(SignalingMessages, ParsesEveryClientOp) {
    EXPECT_EQ(parsed<join_op>(R"({"op":"join","d":{"token":"abc"}})").token, "abc");
    EXPECT_EQ(parsed<answer_op>(R"({"op":"answer","d":{"sdp":"v=0\r\n"}})").sdp, "v=0\r\n");
    EXPECT_EQ(parsed<offer_op>(R"({"op":"offer","d":{"sdp":"v=0"}})").sdp, "v=0");
    EXPECT_EQ(
        parsed<candidate_op>(
            R"({"op":"candidate","d":{"candidate":"candidate:1 1 udp 1 127.0.0.1 9 typ host"}})")
            .candidate,
        "candidate:1 1 udp 1 127.0.0.1 9 typ host");
    // The end-of-candidates marker browsers send.
    EXPECT_TRUE(
        parsed<candidate_op>(R"({"op":"candidate","d":{"candidate":null}})").candidate.empty());
    const auto m = parsed<mute_op>(R"({"op":"mute","d":{"self_mute":true,"self_deaf":false}})");
    EXPECT_TRUE(m.self_mute);
    EXPECT_FALSE(m.self_deaf);
    parsed<stats_op>(R"({"op":"stats","d":{}})");
    parsed<leave_op>(R"({"op":"leave"})");
}

TEST(SignalingMessages, RefusesMalformedFrames) {
    EXPECT_EQ(refused("not json"), close_code::decode_error);
    EXPECT_EQ(refused("[1,2]"), close_code::decode_error);
    EXPECT_EQ(refused(R"({"d":{}})"), close_code::decode_error);
    EXPECT_EQ(refused(R"({"op":"join","d":{}})"), close_code::decode_error);
    EXPECT_EQ(refused(R"({"op":"join","d":{"token":""}})"), close_code::decode_error);
    EXPECT_EQ(refused(R"({"op":"join","d":"x"})"), close_code::decode_error);
    EXPECT_EQ(refused(R"({"op":"answer","d":{"sdp":7}})"), close_code::decode_error);
    EXPECT_EQ(refused(R"({"op":"mute","d":{"self_mute":"yes"}})"), close_code::decode_error);
    EXPECT_EQ(refused(R"({"op":"dance","d":{}})"), close_code::unknown_op);
}

TEST(SignalingMessages, RefusesOversizedDescriptions) {
    const std::string big(40 << 10, 'a');
    EXPECT_EQ(refused(R"({"op":"answer","d":{"sdp":")" + big + R"("}})"), close_code::decode_error);
}

TEST(SignalingMessages, FramesCarryOpAndData) {
    const auto f = boost::json::parse(frame("speaking", {{"user_id", "7"}, {"speaking", true}}));
    EXPECT_EQ(f.at("op").as_string(), "speaking");
    EXPECT_EQ(f.at("d").at("user_id").as_string(), "7");
    EXPECT_TRUE(f.at("d").at("speaking").as_bool());
}

}  // namespace
}  // namespace driftway::voice::signaling
