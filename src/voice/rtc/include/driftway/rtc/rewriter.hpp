#pragma once
// Sequence number and timestamp rewriting for one outgoing leg (one SSRC the
// SFU sends to one receiver). The leg starts at random values, stays
// continuous when the SFU drops packets it decided not to forward (muted or
// silent senders: the receiver must not see them as loss), and when the
// source behind the leg changes (a transceiver reused for another speaker):
// the new source's timestamps continue from the last one plus the time that
// passed. Works across 16-bit sequence and 32-bit timestamp wrap-around.
#include <cstdint>
#include <optional>

namespace driftway::rtc {

class rtp_rewriter {
public:
    rtp_rewriter(std::uint16_t first_sequence, std::uint32_t first_timestamp);

    struct output {
        std::uint16_t sequence;
        std::uint32_t timestamp;
    };

    // A packet of the current source to forward. nullopt for a packet too
    // old to place (before a source switch, or a duplicate of a dropped one).
    // `arrival_ms` is the arrival time, used to continue timestamps across a
    // source switch (clock_rate Hz).
    std::optional<output> forward(std::uint16_t sequence, std::uint32_t timestamp,
                                  std::uint64_t arrival_ms) noexcept;
    // A packet of the current source that is dropped on purpose: later
    // packets close the gap it leaves in the sequence.
    void drop(std::uint16_t sequence) noexcept;
    // The next packet comes from a different source (a different SSRC, or
    // the same one restarted).
    void switch_source() noexcept;

    void set_clock_rate(std::uint32_t hz) noexcept { clock_rate_ = hz; }
    std::uint32_t last_timestamp() const noexcept { return last_out_ts_; }
    std::uint16_t last_sequence() const noexcept { return last_out_seq_; }

private:
    // The input sequence extended to 64 bits against the highest seen.
    std::int64_t extend(std::uint16_t sequence) const noexcept;
    // Moves the highest input sequence forward to `ext`, shifting the
    // record of dropped packets.
    void advance_to(std::int64_t ext) noexcept;

    // How far back a late packet may still be placed (the width of dropped_mask_).
    static constexpr std::int64_t reorder_window = 64;

    std::uint32_t clock_rate_ = 48000;
    bool have_source_ = false;
    bool have_output_ = false;
    std::int64_t base_in_seq_ = 0;     // extended input seq of the source's first packet
    std::int64_t highest_in_seq_ = 0;  // extended
    // Bit i: input highest_in_seq_ - i was dropped on purpose.
    std::uint64_t dropped_mask_ = 0;
    // Output = input + seq_delta_ (mod 2^16) for packets above every drop;
    // each drop lowers it by one.
    std::int64_t seq_delta_ = 0;
    std::uint32_t ts_offset_ = 0;  // output = input + ts_offset_ (mod 2^32)
    std::uint16_t last_out_seq_ = 0;
    std::uint32_t last_out_ts_ = 0;
    std::uint64_t last_out_ms_ = 0;
};

}  // namespace driftway::rtc
