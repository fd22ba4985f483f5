#pragma once
// The two halves of RFC 6455 framing a client needs: writing masked frames
// (section 5.3: every client frame is masked) and finding the boundaries of
// the server's unmasked frames without copying their payloads.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace loadgen::ws {

enum opcode : std::uint8_t {
    op_continuation = 0x0,
    op_text = 0x1,
    op_binary = 0x2,
    op_close = 0x8,
    op_ping = 0x9,
    op_pong = 0xA,
};

// The masking key is fixed: the load generator is the only client, and
// masking exists to protect intermediaries, not the endpoints.
void append_frame(std::string& out, opcode op, std::string_view payload);

struct frame_view {
    bool fin = false;
    std::uint8_t op = 0;
    std::string_view payload;
    std::size_t size = 0;  // header plus payload
};

enum class parse_status { complete, incomplete, invalid };

// Parses the frame at the start of data. invalid: a masked server frame, a
// reserved bit, or a length past max_payload.
parse_status parse_frame(std::string_view data, std::size_t max_payload, frame_view& frame);

}  // namespace loadgen::ws
