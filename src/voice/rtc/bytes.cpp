// socket_address: text form through inet_pton/inet_ntop, which never throw
// and reject anything that is not a literal address.
#include "driftway/rtc/bytes.hpp"

#include <arpa/inet.h>

namespace driftway::rtc {

socket_address socket_address::v4(std::uint32_t host_order_ip, std::uint16_t port) {
    socket_address a;
    a.family = 4;
    write_u32(a.ip.data(), host_order_ip);
    a.port = port;
    return a;
}

socket_address socket_address::parse(const std::string& ip, std::uint16_t port) {
    socket_address a;
    a.port = port;
    if (inet_pton(AF_INET, ip.c_str(), a.ip.data()) == 1) {
        a.family = 4;
    } else if (inet_pton(AF_INET6, ip.c_str(), a.ip.data()) == 1) {
        a.family = 6;
    } else {
        a.family = 0;
        a.ip.fill(0);
    }
    return a;
}

std::string socket_address::ip_string() const {
    char text[INET6_ADDRSTRLEN] = {};
    const int af = family == 6 ? AF_INET6 : AF_INET;
    if (family != 4 && family != 6) return {};
    if (inet_ntop(af, ip.data(), text, sizeof text) == nullptr) return {};
    return text;
}

}  // namespace driftway::rtc
