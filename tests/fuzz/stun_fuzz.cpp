// libFuzzer target for the STUN parser: any datagram must parse or be
// rejected without crashing or reading out of bounds; the integrity and
// fingerprint checks must be safe on whatever the parser accepted; and a
// message rebuilt from the parsed fields must parse back to them.
#include "driftway/rtc/stun.hpp"

#include <cstddef>
#include <cstdint>

using namespace driftway::rtc;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const bytes_view d(data, size);
    stun::is_stun(d);
    const auto m = stun::parse(d);
    if (!m) return 0;
    stun::check_integrity(d, *m, "VOkJxbRl1RmTxUk/WvJxBt");
    stun::check_integrity(d, *m, "");
    stun::check_fingerprint(d, *m);
    if (m->username) stun::split_username(*m->username);

    stun::builder b(m->cls, m->method, m->tid);
    if (m->username) b.username(*m->username);
    if (m->priority) b.priority(*m->priority);
    if (m->use_candidate) b.use_candidate();
    if (m->xor_mapped_address) b.xor_mapped_address(*m->xor_mapped_address);
    const auto out = b.finish("key");
    const auto again = stun::parse(out);
    if (!again || again->username != m->username || again->priority != m->priority ||
        again->xor_mapped_address != m->xor_mapped_address ||
        !stun::check_integrity(out, *again, "key") || !stun::check_fingerprint(out, *again))
        __builtin_trap();
    return 0;
}
