#pragma once
// STUN (RFC 5389) as ICE-lite (RFC 8445) needs it: parse a Binding request,
// check MESSAGE-INTEGRITY (HMAC-SHA1 with the short-term password) and
// FINGERPRINT (CRC-32 xor 0x5354554e), and build the success response with
// XOR-MAPPED-ADDRESS. The builder also makes requests, for peers and the
// load client. Parsers never throw on untrusted bytes.
#include "driftway/rtc/bytes.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace driftway::rtc::stun {

inline constexpr std::uint32_t magic_cookie = 0x2112A442;
using transaction_id = std::array<std::uint8_t, 12>;

enum class message_class : std::uint8_t { request = 0, indication = 1, success = 2, error = 3 };
inline constexpr std::uint16_t method_binding = 0x001;

namespace attr {
inline constexpr std::uint16_t mapped_address = 0x0001;
inline constexpr std::uint16_t username = 0x0006;
inline constexpr std::uint16_t message_integrity = 0x0008;
inline constexpr std::uint16_t error_code = 0x0009;
inline constexpr std::uint16_t unknown_attributes = 0x000A;
inline constexpr std::uint16_t realm = 0x0014;
inline constexpr std::uint16_t nonce = 0x0015;
inline constexpr std::uint16_t xor_mapped_address = 0x0020;
inline constexpr std::uint16_t priority = 0x0024;
inline constexpr std::uint16_t use_candidate = 0x0025;
inline constexpr std::uint16_t software = 0x8022;
inline constexpr std::uint16_t fingerprint = 0x8028;
inline constexpr std::uint16_t ice_controlled = 0x8029;
inline constexpr std::uint16_t ice_controlling = 0x802A;
}  // namespace attr

// A parsed message. Offsets point into the datagram it was parsed from.
struct message {
    message_class cls = message_class::request;
    std::uint16_t method = 0;
    transaction_id tid{};
    std::optional<std::string> username;
    std::optional<std::uint32_t> priority;
    bool use_candidate = false;
    std::optional<std::uint64_t> ice_controlling;
    std::optional<std::uint64_t> ice_controlled;
    std::optional<socket_address> xor_mapped_address;
    std::optional<std::uint16_t> error_code;  // class*100 + number
    std::optional<std::string> software;
    // Where MESSAGE-INTEGRITY and FINGERPRINT start (0: absent).
    std::size_t integrity_offset = 0;
    std::size_t fingerprint_offset = 0;
    // Comprehension-required attributes (< 0x8000) this parser does not know.
    std::vector<std::uint16_t> unknown_required;
};

// True when the bytes have a STUN header (first two bits 0, magic cookie,
// length a multiple of 4 that fits).
bool is_stun(bytes_view datagram) noexcept;
// nullopt when malformed (bad lengths, attributes past the end, a
// FINGERPRINT that is not last, …).
std::optional<message> parse(bytes_view datagram) noexcept;
// MESSAGE-INTEGRITY over the message up to the attribute, with the header
// length adjusted as RFC 5389 section 15.4 says. False when absent.
bool check_integrity(bytes_view datagram, const message& m, std::string_view key) noexcept;
// FINGERPRINT (section 15.5). False when absent.
bool check_fingerprint(bytes_view datagram, const message& m) noexcept;

// Builds one message; attributes in the order added, then (optionally)
// MESSAGE-INTEGRITY and FINGERPRINT.
class builder {
public:
    builder(message_class cls, std::uint16_t method, const transaction_id& tid);
    builder& username(std::string_view u);
    builder& priority(std::uint32_t p);
    builder& use_candidate();
    builder& ice_controlling(std::uint64_t tie_breaker);
    builder& ice_controlled(std::uint64_t tie_breaker);
    builder& xor_mapped_address(const socket_address& a);
    builder& error_code(std::uint16_t code, std::string_view reason);
    builder& software(std::string_view s);
    // The byte that pads attribute values to 4 bytes (section 15: any
    // value; 0 by default). RFC 5769's vectors pad with spaces (0x20).
    builder& padding(std::uint8_t byte);
    // Appends MESSAGE-INTEGRITY (when key is not empty) and FINGERPRINT
    // (when fingerprint is true) and returns the datagram.
    std::vector<std::uint8_t> finish(std::string_view integrity_key, bool fingerprint = true);

private:
    void add(std::uint16_t type, bytes_view value);
    std::vector<std::uint8_t> out_;
    std::uint8_t padding_ = 0;
};

// ICE username fragments: the "local:remote" USERNAME of a request sent to
// us is "<our ufrag>:<their ufrag>".
struct ice_username {
    std::string_view local;
    std::string_view remote;
};
std::optional<ice_username> split_username(std::string_view username) noexcept;

}  // namespace driftway::rtc::stun
