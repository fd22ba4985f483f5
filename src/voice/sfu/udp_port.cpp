// recvmmsg/sendmmsg batching for the SFU's media port.
#include "sfu/udp_port.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

namespace driftway::voice::detail {

namespace {

rtc::socket_address from_sockaddr(const sockaddr_storage& ss) noexcept {
    rtc::socket_address a;
    if (ss.ss_family == AF_INET) {
        const auto& s4 = reinterpret_cast<const sockaddr_in&>(ss);
        a.family = 4;
        std::memcpy(a.ip.data(), &s4.sin_addr, 4);
        a.port = ntohs(s4.sin_port);
    } else if (ss.ss_family == AF_INET6) {
        const auto& s6 = reinterpret_cast<const sockaddr_in6&>(ss);
        a.family = 6;
        std::memcpy(a.ip.data(), &s6.sin6_addr, 16);
        a.port = ntohs(s6.sin6_port);
    } else {
        a.family = 0;
    }
    return a;
}

socklen_t to_sockaddr(const rtc::socket_address& a, sockaddr_storage& ss) noexcept {
    std::memset(&ss, 0, sizeof ss);
    if (a.family == 6) {
        auto& s6 = reinterpret_cast<sockaddr_in6&>(ss);
        s6.sin6_family = AF_INET6;
        std::memcpy(&s6.sin6_addr, a.ip.data(), 16);
        s6.sin6_port = htons(a.port);
        return sizeof(sockaddr_in6);
    }
    auto& s4 = reinterpret_cast<sockaddr_in&>(ss);
    s4.sin_family = AF_INET;
    std::memcpy(&s4.sin_addr, a.ip.data(), 4);
    s4.sin_port = htons(a.port);
    return sizeof(sockaddr_in);
}

}  // namespace

std::size_t address_hash::operator()(const rtc::socket_address& a) const noexcept {
    std::size_t h = a.family * 1000003u ^ a.port;
    const std::size_t n = a.family == 6 ? 16 : 4;
    for (std::size_t i = 0; i < n; ++i) h = h * 131 + a.ip[i];
    return h;
}

udp_port::udp_port(const std::string& host, std::uint16_t port)
    : in_buffers_(batch * buffer_size),
      out_buffers_(batch * buffer_size),
      in_msgs_(batch),
      out_msgs_(batch),
      in_iov_(batch),
      out_iov_(batch),
      in_addrs_(batch),
      out_addrs_(batch) {
    sockaddr_storage ss{};
    socklen_t len = 0;
    in6_addr a6{};
    in_addr a4{};
    if (inet_pton(AF_INET, host.c_str(), &a4) == 1) {
        auto& s4 = reinterpret_cast<sockaddr_in&>(ss);
        s4.sin_family = AF_INET;
        s4.sin_addr = a4;
        s4.sin_port = htons(port);
        len = sizeof(sockaddr_in);
    } else if (inet_pton(AF_INET6, host.c_str(), &a6) == 1) {
        auto& s6 = reinterpret_cast<sockaddr_in6&>(ss);
        s6.sin6_family = AF_INET6;
        s6.sin6_addr = a6;
        s6.sin6_port = htons(port);
        len = sizeof(sockaddr_in6);
    } else {
        throw std::system_error(std::make_error_code(std::errc::invalid_argument),
                                "voice: bad media bind address " + host);
    }
    fd_ = ::socket(ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "voice: socket");
    // Bursts from many peers at once: a larger receive buffer before drops.
    int size = 4 << 20;
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&ss), len) != 0) {
        const int e = errno;
        ::close(fd_);
        throw std::system_error(e, std::generic_category(), "voice: bind " + host);
    }
    sockaddr_storage bound{};
    socklen_t bound_len = sizeof bound;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&bound), &bound_len);
    port_ = from_sockaddr(bound).port;

    for (std::size_t i = 0; i < batch; ++i) {
        in_iov_[i] = {in_buffers_.data() + i * buffer_size, buffer_size};
        out_iov_[i] = {out_buffers_.data() + i * buffer_size, 0};
    }
}

udp_port::~udp_port() {
    if (fd_ >= 0) ::close(fd_);
}

std::size_t udp_port::receive() {
    for (std::size_t i = 0; i < batch; ++i) {
        auto& h = in_msgs_[i].msg_hdr;
        h = {};
        in_iov_[i].iov_len = buffer_size;
        h.msg_iov = &in_iov_[i];
        h.msg_iovlen = 1;
        h.msg_name = &in_addrs_[i];
        h.msg_namelen = sizeof(sockaddr_storage);
        in_msgs_[i].msg_len = 0;
    }
    const int n = ::recvmmsg(fd_, in_msgs_.data(), batch, MSG_DONTWAIT, nullptr);
    return n > 0 ? static_cast<std::size_t>(n) : 0;
}

udp_port::datagram udp_port::received(std::size_t i) noexcept {
    std::size_t size = in_msgs_[i].msg_len;
    // A datagram larger than the buffer is truncated: refuse it whole.
    if ((in_msgs_[i].msg_hdr.msg_flags & MSG_TRUNC) != 0) size = 0;
    return {in_buffers_.data() + i * buffer_size, size, from_sockaddr(in_addrs_[i])};
}

std::uint8_t* udp_port::slot() noexcept {
    if (out_count_ == batch) flush();
    return out_buffers_.data() + out_count_ * buffer_size;
}

void udp_port::commit(std::size_t size, const rtc::socket_address& to) noexcept {
    if (size == 0 || size > buffer_size) return;
    auto& h = out_msgs_[out_count_].msg_hdr;
    h = {};
    out_iov_[out_count_].iov_len = size;
    h.msg_iov = &out_iov_[out_count_];
    h.msg_iovlen = 1;
    h.msg_namelen = to_sockaddr(to, out_addrs_[out_count_]);
    h.msg_name = &out_addrs_[out_count_];
    if (++out_count_ >= send_batch) flush();
}

void udp_port::send(rtc::bytes_view data, const rtc::socket_address& to) noexcept {
    if (data.empty() || data.size() > buffer_size) return;
    std::memcpy(slot(), data.data(), data.size());
    commit(data.size(), to);
}

void udp_port::flush() noexcept {
    std::size_t done = 0;
    while (done < out_count_) {
        const int n = ::sendmmsg(fd_, out_msgs_.data() + done,
                                 static_cast<unsigned>(out_count_ - done), MSG_DONTWAIT);
        if (n > 0) {
            done += static_cast<std::size_t>(n);
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
            // This datagram's destination failed (ICMP unreachable, …): skip it.
            ++send_failures_;
            ++done;
            continue;
        }
        // A full socket buffer: real-time audio is better lost than late, so
        // the rest of the batch is dropped.
        send_failures_ += out_count_ - done;
        break;
    }
    out_count_ = 0;
}

}  // namespace driftway::voice::detail
