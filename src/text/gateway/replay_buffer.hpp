#pragma once
// The recent dispatches of one session, kept so that a client that lost its
// connection can resume and get exactly what it missed. Entries are the
// events' shared bodies (a pointer each); sequence numbers are implicit and
// consecutive. Bounded by a count; the client's heartbeat acknowledges what
// it has received, which lets the buffer forget it early. An empty buffer
// holds no memory, so idle sessions stay small.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace driftway::text::gw {

class replay_buffer {
public:
    using body = std::shared_ptr<const std::string>;

    explicit replay_buffer(std::size_t max_entries) : max_(max_entries ? max_entries : 1) {}

    // Appends the event numbered end(); the oldest entry goes when full.
    void push(body b);
    // Forgets every entry numbered <= seq.
    void trim_through(std::uint64_t seq);

    // Sequence number of the oldest entry kept (== end() when empty).
    std::uint64_t first() const noexcept { return first_; }
    // One past the newest entry: the number the next push gets.
    std::uint64_t end() const noexcept { return first_ + size_; }
    std::size_t size() const noexcept { return size_; }

    // Whether every entry numbered > seq (up to end()) is still here.
    bool covers_after(std::uint64_t seq) const noexcept { return seq + 1 >= first_ && seq < end(); }

    // Calls fn(seq, body) for each entry numbered > seq, oldest first.
    template <class Fn>
    void for_each_after(std::uint64_t seq, Fn&& fn) const {
        for (std::uint64_t s = std::max(seq + 1, first_); s < end(); ++s)
            fn(s, slots_[(head_ + (s - first_)) & (slots_.size() - 1)]);
    }

private:
    void grow();

    std::vector<body> slots_;  // capacity a power of two, or empty
    std::size_t max_;
    std::size_t head_ = 0;  // slot of entry first_
    std::size_t size_ = 0;
    std::uint64_t first_ = 1;
};

// Counts inbound frames over a sliding window, approximated from the counts
// of the current and the previous fixed window (8 bytes of state instead of
// a timestamp per frame). A client that spreads its frames evenly gets
// exactly `limit` per window; bursts at a window edge cannot double it.
class rate_window {
public:
    // Records one frame at now_ms; false when it exceeds limit per window.
    bool admit(std::int64_t now_ms, int limit, std::int64_t window_ms) noexcept {
        const std::int64_t index = now_ms / window_ms;
        if (index != window_) {
            previous_ = index == window_ + 1 ? current_ : 0;
            current_ = 0;
            window_ = index;
        }
        const double into = static_cast<double>(now_ms - index * window_ms) / window_ms;
        const double estimate = previous_ * (1.0 - into) + current_ + 1;
        if (estimate > limit) return false;
        ++current_;
        return true;
    }

private:
    std::int64_t window_ = 0;
    std::uint32_t previous_ = 0;
    std::uint32_t current_ = 0;
};

}  // namespace driftway::text::gw
