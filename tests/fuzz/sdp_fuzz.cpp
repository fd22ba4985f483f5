// libFuzzer target for the SDP parser: any text parses or fails with a
// reason, never throws; a parsed description serializes into text that
// parses again, and serializing is stable from then on.
#include "driftway/rtc/sdp.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

using namespace driftway::rtc;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto r = sdp::parse(text);
    if (!r.description) {
        if (r.error.reason.empty()) __builtin_trap();
        return 0;
    }
    const auto& d = *r.description;
    for (const auto& m : d.media) {
        m.find_codec("opus", 48000);
        m.find_extmap(sdp::audio_level_uri);
        sdp::ice_ufrag_of(d, m);
        sdp::fingerprint_of(d, m);
    }
    d.bundle();
    const std::string once = sdp::serialize(d);
    // Serializing adds lines (t=, c=, a direction per section): a
    // description near the size limit may not fit it again.
    if (once.size() > 64 * 1024) return 0;
    const auto again = sdp::parse(once);
    if (!again.description || sdp::serialize(*again.description) != once) __builtin_trap();
    return 0;
}
