// Sequence/timestamp rewriting for one outgoing leg. Output sequence numbers
// are input + delta, where delta drops by one for every packet dropped on
// purpose, so the receiver sees no gap for them (a gap would read as loss
// and trigger NACKs and concealment). Timestamps keep the source's own
// spacing (dropped packets still took time); a new source is placed at the
// last output timestamp plus the time that passed since it was sent.
#include "driftway/rtc/rewriter.hpp"

#include <bit>

namespace driftway::rtc {
namespace {

// Opus' usual packet duration; the least a timestamp advances on a switch,
// so two packets never share a timestamp (RFC 7587 section 4.1).
constexpr std::uint64_t frame_ms = 20;

}  // namespace

rtp_rewriter::rtp_rewriter(std::uint16_t first_sequence, std::uint32_t first_timestamp)
    : last_out_seq_(static_cast<std::uint16_t>(first_sequence - 1)),
      last_out_ts_(first_timestamp) {}

std::int64_t rtp_rewriter::extend(std::uint16_t sequence) const noexcept {
    const auto last16 = static_cast<std::uint16_t>(highest_in_seq_ & 0xFFFF);
    std::int64_t d = static_cast<std::uint16_t>(sequence - last16);
    if (d >= 0x8000) d -= 0x10000;
    return highest_in_seq_ + d;
}

void rtp_rewriter::advance_to(std::int64_t ext) noexcept {
    const std::int64_t shift = ext - highest_in_seq_;
    dropped_mask_ = shift >= reorder_window ? 0 : dropped_mask_ << shift;
    highest_in_seq_ = ext;
}

std::optional<rtp_rewriter::output> rtp_rewriter::forward(std::uint16_t sequence,
                                                          std::uint32_t timestamp,
                                                          std::uint64_t arrival_ms) noexcept {
    if (!have_source_) {
        // The first packet of a source: continue right after the last output.
        have_source_ = true;
        base_in_seq_ = highest_in_seq_ = sequence;
        dropped_mask_ = 0;
        seq_delta_ =
            static_cast<std::int64_t>(static_cast<std::uint16_t>(last_out_seq_ + 1)) - base_in_seq_;
        std::uint32_t out_ts = last_out_ts_;
        if (have_output_) {
            const std::uint64_t elapsed = arrival_ms > last_out_ms_ ? arrival_ms - last_out_ms_ : 0;
            const std::uint64_t frame = std::uint64_t{clock_rate_} * frame_ms / 1000;
            std::uint64_t advance = elapsed * clock_rate_ / 1000;
            if (advance < frame) advance = frame;
            out_ts = static_cast<std::uint32_t>(last_out_ts_ + advance);
        }
        ts_offset_ = out_ts - timestamp;
        have_output_ = true;
        last_out_seq_ = static_cast<std::uint16_t>(highest_in_seq_ + seq_delta_);
        last_out_ts_ = out_ts;
        last_out_ms_ = arrival_ms;
        return output{last_out_seq_, last_out_ts_};
    }

    const std::int64_t ext = extend(sequence);
    if (ext < base_in_seq_) return std::nullopt;  // from before the switch
    const std::uint32_t out_ts = timestamp + ts_offset_;
    if (ext > highest_in_seq_) {
        advance_to(ext);
        last_out_seq_ = static_cast<std::uint16_t>(ext + seq_delta_);
        last_out_ts_ = out_ts;
        last_out_ms_ = arrival_ms;
        return output{last_out_seq_, out_ts};
    }
    // Late (or repeated): place it below the packets that overtook it,
    // counting the drops between it and the highest.
    const std::int64_t back = highest_in_seq_ - ext;
    if (back >= reorder_window) return std::nullopt;
    if (dropped_mask_ >> back & 1) return std::nullopt;  // a repeat of a dropped one
    const std::uint64_t below = back == 0 ? 0 : dropped_mask_ & ((std::uint64_t{1} << back) - 1);
    const std::int64_t out = ext + seq_delta_ + std::popcount(below);
    return output{static_cast<std::uint16_t>(out), out_ts};
}

void rtp_rewriter::drop(std::uint16_t sequence) noexcept {
    // Before the source's first forwarded packet there is nothing to close:
    // that packet continues the output anyway.
    if (!have_source_) return;
    const std::int64_t ext = extend(sequence);
    // Only the newest packets can be taken out of the numbering; a late one
    // leaves its gap (the packets above it already went out).
    if (ext <= highest_in_seq_) return;
    advance_to(ext);
    dropped_mask_ |= 1;
    --seq_delta_;
}

void rtp_rewriter::switch_source() noexcept {
    have_source_ = false;
    dropped_mask_ = 0;
}

}  // namespace driftway::rtc
