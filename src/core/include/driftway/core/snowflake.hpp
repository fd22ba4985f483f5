#pragma once
// 64-bit time-sortable ids: 42 bits of milliseconds since 2025-01-01T00:00:00Z,
// 10 bits of node id, 12 bits of sequence. Monotonic even when the wall clock
// steps backwards: the generator keeps using the last millisecond it issued
// and borrows from the future when a millisecond's sequence runs out.
#include <atomic>
#include <cstdint>
#include <functional>

namespace driftway {

class snowflake_generator {
public:
    static constexpr std::int64_t epoch_ms = 1735689600000;  // 2025-01-01T00:00:00Z
    static constexpr int node_bits = 10;
    static constexpr int sequence_bits = 12;
    static constexpr std::uint64_t max_node = (1u << node_bits) - 1;

    using clock_fn = std::function<std::int64_t()>;  // Unix milliseconds

    explicit snowflake_generator(std::uint32_t node_id, clock_fn clock = {});

    // Thread-safe; never returns the same or a smaller id twice.
    std::uint64_t next();

    static std::int64_t timestamp_ms(std::uint64_t id) noexcept {
        return static_cast<std::int64_t>(id >> (node_bits + sequence_bits)) + epoch_ms;
    }
    static std::uint32_t node_of(std::uint64_t id) noexcept {
        return static_cast<std::uint32_t>((id >> sequence_bits) & max_node);
    }
    // The smallest id that can be issued at or after a Unix time (for range queries).
    static std::uint64_t first_id_at(std::int64_t unix_ms) noexcept;

private:
    std::uint32_t node_;
    clock_fn clock_;
    std::atomic<std::uint64_t> last_{0};  // (ms_since_epoch << 12) | sequence
};

}  // namespace driftway
