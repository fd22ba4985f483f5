#include "loopback_probe.hpp"

#include "clock.hpp"

#include <driftway/rtc/bytes.hpp>
#include <driftway/rtc/rtp.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

namespace driftway::bench {

loopback_probe::~loopback_probe() {
    if (tx_ >= 0) ::close(tx_);
    if (rx_ >= 0) ::close(rx_);
}

bool loopback_probe::open(std::string& error) {
    rx_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    tx_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (rx_ < 0 || tx_ < 0) {
        error = std::string("probe socket: ") + std::strerror(errno);
        return false;
    }
    const int on = 1;
    ::setsockopt(rx_, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (::bind(rx_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
        ::getsockname(rx_, reinterpret_cast<sockaddr*>(&a), &len) != 0 ||
        ::connect(tx_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
        error = std::string("probe bind: ") + std::strerror(errno);
        return false;
    }
    // A fixed key: the probe only has to cost what a publisher's protect costs.
    std::array<std::uint8_t, 30> key{};
    for (std::size_t i = 0; i < key.size(); ++i) key[i] = static_cast<std::uint8_t>(i * 7 + 1);
    srtp_ = rtc::srtp_session::create(rtc::srtp_profile::aes128_cm_sha1_80,
                                      rtc::srtp_session::direction::outbound, key);
    if (!srtp_) {
        error = "probe SRTP session";
        return false;
    }
    return true;
}

void loopback_probe::send(std::size_t payload_size) {
    if (!srtp_ || payload_size > 1200) return;
    std::uint8_t payload[1200] = {};
    // The clock is read where a publisher reads it, before protecting.
    const auto now = static_cast<std::uint64_t>(realtime_ns());
    rtc::rtp_build b;
    b.payload_type = 111;
    b.sequence = seq_++;
    b.timestamp = ts_ += 960;
    b.ssrc = 0x50524F42;  // "PROB"
    std::uint8_t packet[1600];
    std::size_t len = rtc::build_rtp(b, {payload, payload_size}, {packet, sizeof packet - 64});
    if (len == 0 || !srtp_->protect_rtp(packet, len, sizeof packet - 8)) return;
    // The send time rides after the SRTP packet, in the clear: the receiving
    // side then reads it without decrypting (the measured path's receive
    // timestamp is also taken before any decryption).
    rtc::write_u32(packet + len, static_cast<std::uint32_t>(now >> 32));
    rtc::write_u32(packet + len + 4, static_cast<std::uint32_t>(now));
    (void)::send(tx_, packet, len + 8, 0);
}

void loopback_probe::on_readable(bool counting) {
    std::uint8_t buf[2048];
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(timespec))];
    for (;;) {
        iovec iov{buf, sizeof buf};
        msghdr msg{};
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        msg.msg_control = control;
        msg.msg_controllen = sizeof control;
        const ssize_t n = ::recvmsg(rx_, &msg, 0);
        if (n <= 0) return;
        if (!counting || n < 20) continue;
        std::int64_t recv_ns = 0;
        for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
            if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
                timespec ts{};
                std::memcpy(&ts, CMSG_DATA(c), sizeof ts);
                recv_ns = std::int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
            }
        }
        if (recv_ns == 0) recv_ns = realtime_ns();
        const std::uint8_t* t = buf + n - 8;
        const auto send_ns =
            static_cast<std::int64_t>(std::uint64_t{rtc::read_u32(t)} << 32 | rtc::read_u32(t + 4));
        latency_.add(recv_ns - send_ns);
    }
}

}  // namespace driftway::bench
