#pragma once
#include <netinet/in.h>

#include <cstdint>
#include <optional>
#include <string>

namespace loadgen {

// 127.0.0.1 + offset: the extra loopback sources that lift the ~28k
// ephemeral ports per (source, destination) pair.
in_addr_t loopback_address(unsigned offset);

std::optional<sockaddr_in> parse_ipv4(const std::string& host, std::uint16_t port);

// A non-blocking TCP socket with TCP_NODELAY whose connect() has started
// (completion is signalled by EPOLLOUT). source 0: let the kernel choose.
// Returns -1 with errno set on failure.
int start_connect(const sockaddr_in& server, in_addr_t source);

// The pending error of a socket whose connect() completed (0: connected).
int socket_error(int fd);

}  // namespace loadgen
