// libFuzzer target for the RTP header parser, RFC 8285 extension lookup and
// the RFC 6464 audio level; and the demultiplexer on the same bytes. The
// in-place setters must leave the parsed layout unchanged.
#include "driftway/rtc/demux.hpp"
#include "driftway/rtc/rtp.hpp"

#include <cstddef>
#include <cstdint>
#include <vector>

using namespace driftway::rtc;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const bytes_view p(data, size);
    classify(p);
    const auto h = parse_rtp(p);
    if (!h) return 0;
    if (h->payload_offset + h->payload_size > size) __builtin_trap();
    std::size_t seen = 0;
    for (int id = 0; id < 256; ++id) {
        const auto v = find_extension(p, *h, static_cast<std::uint8_t>(id));
        seen += v.size();
        read_audio_level(p, *h, static_cast<std::uint8_t>(id));
    }
    std::vector<std::uint8_t> copy(data, data + size);
    set_sequence(copy, static_cast<std::uint16_t>(seen));
    set_timestamp(copy, 0xFFFFFFFF);
    set_ssrc(copy, 1);
    set_payload_type(copy, 111);
    const auto again = parse_rtp(copy);
    if (!again || again->payload_offset != h->payload_offset ||
        again->payload_size != h->payload_size || again->extension_size != h->extension_size ||
        again->marker != h->marker)
        __builtin_trap();

    sequence_unwrapper u;
    for (std::size_t i = 0; i + 1 < size && i < 64; i += 2) u.unwrap(read_u16(data + i));
    return 0;
}
