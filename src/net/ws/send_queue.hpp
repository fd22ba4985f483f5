#pragma once
// The frames waiting to be written to one connection. A frame is a prefix
// (its header, and the per-connection head of a message) kept inline in the
// entry, followed by a body shared with every other recipient of the same
// message. The writer gathers the queued frames into one iovec list, so a
// wake-up costs one system call however many frames are waiting. The ring's
// storage is freed whenever the queue empties.
#include <sys/uio.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

namespace driftway::net::ws::detail {

class send_queue {
public:
    static constexpr std::size_t inline_prefix_bytes = 64;

    // Appends a frame: header, then head, then *body (which may be null).
    void push(std::span<const std::uint8_t> header, std::string_view head,
              std::shared_ptr<const std::string> body);

    bool empty() const noexcept { return count_ == 0; }
    std::size_t frames() const noexcept { return count_; }
    // Bytes not yet written.
    std::size_t bytes() const noexcept { return bytes_; }
    // Whether the first frame is partly written: it must then be finished
    // before anything else goes out.
    bool front_started() const noexcept { return front_written_ > 0; }

    struct gathered {
        std::size_t buffers = 0;
        std::size_t bytes = 0;
    };
    // Describes the unwritten bytes of the first frames in out, stopping once
    // max_bytes are described or out is full.
    gathered gather(std::span<iovec> out, std::size_t max_bytes) const noexcept;
    // The first n unwritten bytes have been written.
    void consume(std::size_t n) noexcept;
    // Drops every frame that has not started to go out.
    void drop_unstarted() noexcept;
    void clear() noexcept;

private:
    struct entry {
        std::shared_ptr<const std::string> body;
        std::unique_ptr<char[]> large_prefix;  // when the prefix does not fit inline
        std::uint32_t prefix_size = 0;
        std::array<char, inline_prefix_bytes> small_prefix;

        const char* prefix() const noexcept {
            return large_prefix ? large_prefix.get() : small_prefix.data();
        }
        std::size_t body_size() const noexcept { return body ? body->size() : 0; }
        std::size_t size() const noexcept { return prefix_size + body_size(); }
    };

    entry& at(std::size_t i) const noexcept { return ring_[(head_ + i) & (capacity_ - 1)]; }
    void grow();
    void pop_front() noexcept;

    std::unique_ptr<entry[]> ring_;
    std::uint32_t capacity_ = 0;  // a power of two
    std::uint32_t head_ = 0;
    std::uint32_t count_ = 0;
    std::size_t bytes_ = 0;
    std::size_t front_written_ = 0;
};

}  // namespace driftway::net::ws::detail
