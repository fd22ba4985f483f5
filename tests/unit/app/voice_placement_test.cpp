// Voice node assignment by rendezvous hashing (docs/decisions/0014).
#include "voice_placement.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <vector>

namespace driftway::app {
namespace {

std::vector<voice_node> nodes_of(std::initializer_list<std::uint64_t> ids) {
    std::vector<voice_node> out;
    for (auto id : ids) out.push_back({id, "wss://voice-" + std::to_string(id) + "/voice"});
    return out;
}

// Snowflake-like channel ids: a timestamp in the high bits, node and
// sequence below, so consecutive ids differ only in their low bits.
std::vector<std::uint64_t> channel_ids(std::size_t n) {
    std::vector<std::uint64_t> out;
    std::uint64_t ms = 1'700'000'000'000ULL;
    for (std::size_t i = 0; i < n; ++i)
        out.push_back(((ms + i / 7) << 22) | ((i % 7) << 12) | i % 5);
    return out;
}

TEST(VoicePlacement, NoNodesMeansNoChoice) {
    EXPECT_EQ(choose_voice_node(42, {}), nullptr);
}

TEST(VoicePlacement, EveryTextNodeChoosesTheSameNodeWhateverTheOrder) {
    const auto nodes = nodes_of({1, 2, 3, 4, 5});
    std::mt19937 rng(7);
    for (const auto channel : channel_ids(500)) {
        const auto* first = choose_voice_node(channel, nodes);
        ASSERT_NE(first, nullptr);
        // Another text node lists the same registry entries in another order.
        auto shuffled = nodes;
        std::shuffle(shuffled.begin(), shuffled.end(), rng);
        const auto* second = choose_voice_node(channel, shuffled);
        ASSERT_NE(second, nullptr);
        EXPECT_EQ(first->id, second->id) << channel;
        EXPECT_EQ(first->endpoint, second->endpoint);
    }
}

TEST(VoicePlacement, RemovingANodeMovesOnlyItsChannels) {
    const auto all = nodes_of({11, 12, 13, 14});
    auto without = all;
    std::erase_if(without, [](const voice_node& n) { return n.id == 13; });
    std::size_t moved = 0;
    for (const auto channel : channel_ids(4000)) {
        const auto before = choose_voice_node(channel, all)->id;
        const auto after = choose_voice_node(channel, without)->id;
        if (before != 13) {
            EXPECT_EQ(before, after) << "channel " << channel << " moved off a healthy node";
        } else {
            EXPECT_NE(after, 13u);
            ++moved;
        }
    }
    // The removed node held about a quarter of them.
    EXPECT_GT(moved, 4000u / 4 * 8 / 10);
    EXPECT_LT(moved, 4000u / 4 * 12 / 10);
}

TEST(VoicePlacement, AddingANodeTakesOnlyChannelsItNowWins) {
    const auto before_nodes = nodes_of({1, 2, 3});
    const auto after_nodes = nodes_of({1, 2, 3, 4});
    for (const auto channel : channel_ids(2000)) {
        const auto before = choose_voice_node(channel, before_nodes)->id;
        const auto after = choose_voice_node(channel, after_nodes)->id;
        if (after != 4) EXPECT_EQ(before, after) << channel;
    }
}

TEST(VoicePlacement, DistributionIsEvenWithinBounds) {
    for (const std::size_t count : {2u, 3u, 5u, 8u}) {
        std::vector<voice_node> nodes;
        for (std::size_t i = 0; i < count; ++i)
            nodes.push_back({i, "ws://n" + std::to_string(i) + "/voice"});
        std::map<std::uint64_t, std::size_t> load;
        const std::size_t channels = 20000;
        for (const auto channel : channel_ids(channels))
            ++load[choose_voice_node(channel, nodes)->id];
        ASSERT_EQ(load.size(), count);
        const double fair = static_cast<double>(channels) / static_cast<double>(count);
        for (const auto& [node, n] : load) {
            EXPECT_GT(static_cast<double>(n), fair * 0.9) << count << " nodes, node " << node;
            EXPECT_LT(static_cast<double>(n), fair * 1.1) << count << " nodes, node " << node;
        }
    }
}

TEST(VoicePlacement, WeightsDependOnBothIds) {
    EXPECT_NE(placement_weight(1, 2), placement_weight(2, 1));
    EXPECT_NE(placement_weight(1, 2), placement_weight(1, 3));
    EXPECT_NE(placement_weight(1, 2), placement_weight(4, 2));
}

}  // namespace
}  // namespace driftway::app
