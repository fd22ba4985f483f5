#include "voice_placement.hpp"

namespace driftway::app {

namespace {

// SplitMix64's finalizer: a bijection on 64 bits with full avalanche, so
// consecutive snowflake ids spread over the whole range.
constexpr std::uint64_t mix(std::uint64_t x) noexcept {
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

}  // namespace

std::uint64_t placement_weight(std::uint64_t channel_id, std::uint64_t node_id) noexcept {
    return mix(mix(channel_id) ^ mix(node_id + 0x9e3779b97f4a7c15ULL));
}

const voice_node* choose_voice_node(std::uint64_t channel_id,
                                    std::span<const voice_node> nodes) noexcept {
    const voice_node* best = nullptr;
    std::uint64_t best_weight = 0;
    for (const auto& n : nodes) {
        const auto w = placement_weight(channel_id, n.id);
        if (!best || w > best_weight || (w == best_weight && n.endpoint < best->endpoint)) {
            best = &n;
            best_weight = w;
        }
    }
    return best;
}

}  // namespace driftway::app
