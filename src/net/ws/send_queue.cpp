#include "send_queue.hpp"

#include <algorithm>
#include <cstring>
#include <limits>
#include <stdexcept>

namespace driftway::net::ws::detail {

namespace {
// Enough for a burst of a few messages without growing.
constexpr std::uint32_t initial_capacity = 8;
}  // namespace

void send_queue::grow() {
    if (capacity_ > std::numeric_limits<std::uint32_t>::max() / 2) {
        throw std::length_error("send queue too long");
    }
    const std::uint32_t capacity = capacity_ == 0 ? initial_capacity : capacity_ * 2;
    auto ring = std::make_unique<entry[]>(capacity);
    for (std::uint32_t i = 0; i < count_; ++i) ring[i] = std::move(at(i));
    ring_ = std::move(ring);
    capacity_ = capacity;
    head_ = 0;
}

void send_queue::push(std::span<const std::uint8_t> header, std::string_view head,
                      std::shared_ptr<const std::string> body) {
    const std::size_t prefix = header.size() + head.size();
    if (prefix > std::numeric_limits<std::uint32_t>::max()) {
        throw std::length_error("frame prefix too long");
    }
    std::unique_ptr<char[]> large;
    if (prefix > inline_prefix_bytes) large = std::make_unique_for_overwrite<char[]>(prefix);
    if (count_ == capacity_) grow();

    entry& e = at(count_);
    e.large_prefix = std::move(large);
    char* out = e.large_prefix ? e.large_prefix.get() : e.small_prefix.data();
    std::memcpy(out, header.data(), header.size());
    if (!head.empty()) std::memcpy(out + header.size(), head.data(), head.size());
    e.prefix_size = static_cast<std::uint32_t>(prefix);
    e.body = std::move(body);
    ++count_;
    bytes_ += e.size();
}

send_queue::gathered send_queue::gather(std::span<iovec> out,
                                        std::size_t max_bytes) const noexcept {
    gathered g;
    std::size_t skip = front_written_;
    for (std::uint32_t i = 0; i < count_; ++i) {
        if (g.buffers + 2 > out.size() || g.bytes >= max_bytes) break;
        const entry& e = at(i);
        if (skip < e.prefix_size) {
            const std::size_t n = e.prefix_size - skip;
            // iovec has no const; sendmsg only reads.
            out[g.buffers++] = {const_cast<char*>(e.prefix()) + skip, n};
            g.bytes += n;
            skip = 0;
        } else {
            skip -= e.prefix_size;
        }
        if (e.body_size() > skip) {
            const std::size_t n = e.body_size() - skip;
            out[g.buffers++] = {const_cast<char*>(e.body->data()) + skip, n};
            g.bytes += n;
        }
        skip = 0;
    }
    return g;
}

void send_queue::pop_front() noexcept {
    entry& e = at(0);
    e.body.reset();
    e.large_prefix.reset();
    e.prefix_size = 0;
    head_ = (head_ + 1) & (capacity_ - 1);
    --count_;
}

void send_queue::consume(std::size_t n) noexcept {
    while (n > 0 && count_ > 0) {
        const std::size_t left = at(0).size() - front_written_;
        if (n < left) {
            front_written_ += n;
            bytes_ -= n;
            return;
        }
        n -= left;
        bytes_ -= left;
        front_written_ = 0;
        pop_front();
    }
    // Frames of zero bytes cannot exist (every frame has a header), so an
    // empty queue here means everything went out.
    if (count_ == 0) clear();
}

void send_queue::drop_unstarted() noexcept {
    const std::uint32_t keep = front_started() ? 1 : 0;
    while (count_ > keep) {
        entry& e = at(count_ - 1);
        bytes_ -= e.size();
        e.body.reset();
        e.large_prefix.reset();
        e.prefix_size = 0;
        --count_;
    }
    if (count_ == 0) clear();
}

void send_queue::clear() noexcept {
    ring_.reset();
    capacity_ = 0;
    head_ = 0;
    count_ = 0;
    bytes_ = 0;
    front_written_ = 0;
}

}  // namespace driftway::net::ws::detail
