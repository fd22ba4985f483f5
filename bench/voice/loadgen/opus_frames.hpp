#pragma once
// One second of a 440 Hz tone encoded with libopus at start (48 kHz mono,
// 20 ms frames): publishers replay these frames in a loop, so sending costs
// no encoding and the SFU forwards real Opus packets of realistic size.
#include <cstdint>
#include <vector>

namespace driftway::bench {

struct opus_frame {
    std::vector<std::uint8_t> bytes;
    std::uint8_t level = 127;  // RFC 6464 -dBov of the frame's samples
};

// 50 frames; empty when the encoder could not be created.
std::vector<opus_frame> encode_tone_frames();

}  // namespace driftway::bench
