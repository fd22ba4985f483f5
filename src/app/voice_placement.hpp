#pragma once
// Which voice node serves a voice channel (docs/decisions/0014): rendezvous
// (highest random weight) hashing of the channel id over the healthy nodes.
// Every text node that sees the same set of nodes picks the same one, with
// no coordination; when a node leaves, only its channels move (each to the
// node with its next-highest weight), and when one joins it takes only the
// channels it now wins, about 1/N of them.
#include <cstdint>
#include <span>
#include <string>

namespace driftway::app {

struct voice_node {
    std::uint64_t id = 0;  // the node's [server] node_id
    std::string endpoint;  // its public signaling URL ([voice] endpoint)
};

// The weight of `node` for `channel`: a 64-bit mix of both, so weights of
// one channel over different nodes are independent and uniform.
std::uint64_t placement_weight(std::uint64_t channel_id, std::uint64_t node_id) noexcept;

// The node with the highest weight (ties, which need two nodes with the same
// id, go to the smaller endpoint); null when `nodes` is empty. The order of
// `nodes` does not matter.
const voice_node* choose_voice_node(std::uint64_t channel_id,
                                    std::span<const voice_node> nodes) noexcept;

}  // namespace driftway::app
