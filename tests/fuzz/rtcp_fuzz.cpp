// libFuzzer target for the RTCP compound parser: any bytes parse or are
// rejected safely; what parses re-serializes into a compound that parses
// back to the same reports, CNAMEs and BYEs.
#include "driftway/rtc/rtcp.hpp"

#include <cstddef>
#include <cstdint>
#include <vector>

using namespace driftway::rtc;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto c = rtcp::parse(bytes_view(data, size));
    if (!c) return 0;
    std::vector<std::uint8_t> out;
    for (const auto& sr : c->sender_reports) rtcp::write_sender_report(sr, out);
    for (const auto& rr : c->receiver_reports) rtcp::write_receiver_report(rr, out);
    for (const auto& s : c->cnames) rtcp::write_sdes_cname(s, out);
    for (const auto& b : c->byes) rtcp::write_bye(b, out);
    if (out.empty()) return 0;
    const auto again = rtcp::parse(out);
    if (!again || again->sender_reports != c->sender_reports ||
        again->receiver_reports != c->receiver_reports || again->cnames != c->cnames ||
        again->byes != c->byes)
        __builtin_trap();
    return 0;
}
