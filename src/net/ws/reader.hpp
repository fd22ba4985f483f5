#pragma once
// Turns the bytes a client sends into messages and control frames: frames are
// parsed and unmasked in place in the caller's buffer, and a text message in
// one frame reaches the sink as a view into that buffer, without a copy. Only
// what is unfinished when the input runs out (part of a frame, the fragments
// of a message) is copied, and that memory is freed as soon as it has been
// used: an idle connection holds nothing here but a null pointer.
#include "frame.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

namespace driftway::net::ws::detail {

// What the reader reports, in the order the frames arrived. The views are
// valid during the call only.
class reader_sink {
public:
    virtual ~reader_sink() = default;
    // A complete text message, valid UTF-8. Returning false stops the reader.
    virtual bool on_text(std::string_view message) noexcept = 0;
    // A ping; the answer is a pong with the same payload (section 5.5.2).
    virtual bool on_ping(std::string_view payload) noexcept = 0;
    // The peer's close frame, validated (section 7.4); code is 1005 when it
    // carried none. The reader stops after it.
    virtual void on_peer_close(std::uint16_t code, std::string_view reason) noexcept = 0;
};

class reader {
public:
    explicit reader(std::size_t max_message_bytes) noexcept
        : max_message_bytes_(max_message_bytes) {}

    // Parses data (unmasking it in place). Returns 0 while the connection can
    // go on, or the close code to fail it with (section 7.1.7): 1002 for a
    // protocol violation, 1003 for a binary message, 1007 for text that is not
    // UTF-8, 1009 for a message over the limit. Once the reader has stopped
    // (close frame, error, or a sink returning false) input is ignored.
    std::uint16_t feed(std::span<std::uint8_t> data, reader_sink& sink) noexcept;

    bool stopped() const noexcept { return stopped_; }
    // Bytes kept between calls.
    std::size_t buffered_bytes() const noexcept;

private:
    struct pending {
        std::string frame;    // an incomplete frame, from its first byte
        std::string message;  // payload of the fragments received so far
        bool in_message = false;
    };

    // 0: go on; stop_parsing: stop quietly; otherwise a close code.
    static constexpr std::uint16_t stop_parsing = 1;

    std::uint16_t check(const frame_header& h) const noexcept;
    std::uint16_t process(const frame_header& h, std::span<std::uint8_t> payload,
                          reader_sink& sink);
    std::uint16_t feed_partial(std::span<std::uint8_t> data, std::size_t& used, reader_sink& sink);
    std::uint16_t stop(std::uint16_t code) noexcept;
    pending& ensure_pending();
    void release_if_unused() noexcept;

    std::unique_ptr<pending> pending_;
    std::size_t max_message_bytes_;
    bool stopped_ = false;
};

}  // namespace driftway::net::ws::detail
