#pragma once
// The SFU's one UDP socket (RFC 8843 BUNDLE: every peer, every stream on one
// port). Datagrams come in and go out in batches with recvmmsg/sendmmsg so a
// burst costs one system call per direction; the buffers are allocated once.
// Used only on the SFU thread.
#include "driftway/rtc/bytes.hpp"

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace driftway::voice::detail {

struct address_hash {
    std::size_t operator()(const rtc::socket_address& a) const noexcept;
};

class udp_port {
public:
    static constexpr std::size_t batch = 64;
    // Outgoing datagrams are sent once this many wait: one packet fanned out
    // to a large room then reaches its first receivers while the rest are
    // still being protected, instead of all of them waiting for the last
    // SRTP protect. 16 per sendmmsg keeps the system call well amortised.
    static constexpr std::size_t send_batch = 16;
    static constexpr std::size_t buffer_size = 2048;

    // Binds host:port (port 0: ephemeral), non-blocking. Throws std::system_error.
    udp_port(const std::string& host, std::uint16_t port);
    ~udp_port();
    udp_port(const udp_port&) = delete;
    udp_port& operator=(const udp_port&) = delete;

    int fd() const noexcept { return fd_; }
    std::uint16_t port() const noexcept { return port_; }

    struct datagram {
        std::uint8_t* data;
        std::size_t size;
        rtc::socket_address from;
    };
    // Reads what is queued, up to `batch` datagrams, without blocking. The
    // buffers stay valid (and writable: SRTP unprotects in place) until the
    // next call.
    std::size_t receive();
    datagram received(std::size_t i) noexcept;

    // Outgoing: fill slot() (buffer_size bytes), then commit(). A full batch
    // is flushed first, so slot() never fails.
    std::uint8_t* slot() noexcept;
    void commit(std::size_t size, const rtc::socket_address& to) noexcept;
    void send(rtc::bytes_view data, const rtc::socket_address& to) noexcept;
    void flush() noexcept;

    std::uint64_t send_failures() const noexcept { return send_failures_; }

private:
    int fd_ = -1;
    std::uint16_t port_ = 0;
    std::vector<std::uint8_t> in_buffers_, out_buffers_;
    std::vector<mmsghdr> in_msgs_, out_msgs_;
    std::vector<iovec> in_iov_, out_iov_;
    std::vector<sockaddr_storage> in_addrs_, out_addrs_;
    std::size_t out_count_ = 0;
    std::uint64_t send_failures_ = 0;
};

}  // namespace driftway::voice::detail
