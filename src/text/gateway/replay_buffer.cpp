#include "gateway/replay_buffer.hpp"

#include <algorithm>

namespace driftway::text::gw {

void replay_buffer::grow() {
    const std::size_t capacity = slots_.empty() ? 4 : slots_.size() * 2;
    std::vector<body> next(capacity);
    for (std::size_t i = 0; i < size_; ++i)
        next[i] = std::move(slots_[(head_ + i) & (slots_.size() - 1)]);
    slots_ = std::move(next);
    head_ = 0;
}

void replay_buffer::push(body b) {
    if (size_ == max_) {
        slots_[head_].reset();
        head_ = (head_ + 1) & (slots_.size() - 1);
        --size_;
        ++first_;
    }
    if (size_ == slots_.size()) grow();
    slots_[(head_ + size_) & (slots_.size() - 1)] = std::move(b);
    ++size_;
}

void replay_buffer::trim_through(std::uint64_t seq) {
    if (seq < first_) return;
    const std::uint64_t last = end();
    const std::size_t drop = static_cast<std::size_t>(std::min(seq + 1, last) - first_);
    for (std::size_t i = 0; i < drop; ++i) {
        slots_[head_].reset();
        head_ = (head_ + 1) & (slots_.size() - 1);
    }
    size_ -= drop;
    first_ += drop;
    if (size_ == 0) {
        // An acknowledged, idle session gives its memory back.
        std::vector<body>().swap(slots_);
        head_ = 0;
    }
}

}  // namespace driftway::text::gw
