#include "driftway/core/snowflake.hpp"

#include <chrono>
#include <stdexcept>

namespace driftway {

static std::int64_t system_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

snowflake_generator::snowflake_generator(std::uint32_t node_id, clock_fn clock)
    : node_(node_id), clock_(clock ? std::move(clock) : clock_fn(system_ms)) {
    if (node_id > max_node) throw std::invalid_argument("snowflake node id must be 0..1023");
}

std::uint64_t snowflake_generator::next() {
    std::int64_t now = clock_() - epoch_ms;
    if (now < 0) now = 0;
    const std::uint64_t candidate = static_cast<std::uint64_t>(now) << sequence_bits;
    std::uint64_t last = last_.load(std::memory_order_relaxed);
    std::uint64_t chosen;
    do {
        // Same or earlier millisecond than the last id: take the next sequence
        // (which rolls into the next millisecond when it overflows).
        chosen = candidate > last ? candidate : last + 1;
    } while (!last_.compare_exchange_weak(last, chosen, std::memory_order_relaxed));
    const std::uint64_t ms = chosen >> sequence_bits;
    const std::uint64_t seq = chosen & ((1u << sequence_bits) - 1);
    return (ms << (node_bits + sequence_bits)) | (std::uint64_t{node_} << sequence_bits) | seq;
}

std::uint64_t snowflake_generator::first_id_at(std::int64_t unix_ms) noexcept {
    const std::int64_t ms = unix_ms - epoch_ms;
    return ms <= 0 ? 0 : static_cast<std::uint64_t>(ms) << (node_bits + sequence_bits);
}

}  // namespace driftway
