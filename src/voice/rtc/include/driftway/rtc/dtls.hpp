#pragma once
// DTLS 1.2 (RFC 6347) for DTLS-SRTP (RFC 5764) over OpenSSL with memory
// BIOs: the transport is fed datagrams and hands back the datagrams to send,
// so it works on any socket and in tests without one. The peer's certificate
// must match the fingerprint from its SDP; the SRTP keys are exported once
// the handshake completes. Not thread-safe: one owner thread.
#include "driftway/rtc/bytes.hpp"
#include "driftway/rtc/srtp.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace driftway::rtc {

// A self-signed ECDSA P-256 certificate made at start-up (WebRTC's custom:
// a new one per process, valid 30 days, random CN).
class certificate {
public:
    static std::shared_ptr<const certificate> generate();
    ~certificate();
    // "sha-256" fingerprint as SDP writes it: upper-case hex pairs joined by ':'.
    const std::string& fingerprint_sha256() const noexcept { return fingerprint_; }
    void* x509() const noexcept { return x509_; }        // X509*
    void* private_key() const noexcept { return key_; }  // EVP_PKEY*

private:
    certificate() = default;
    void* x509_ = nullptr;
    void* key_ = nullptr;
    std::string fingerprint_;
};

// The SHA-256 fingerprint of a DER certificate, in the same form.
std::string fingerprint_sha256_of_der(bytes_view der);

enum class dtls_role { server, client };  // passive (setup:passive) / active

struct srtp_keys {
    srtp_profile profile = srtp_profile::aes128_cm_sha1_80;
    std::vector<std::uint8_t> local_key_salt;   // protects what we send
    std::vector<std::uint8_t> remote_key_salt;  // unprotects what we receive
};

class dtls_transport {
public:
    enum class state { handshaking, connected, failed, closed };
    using send_fn = std::function<void(bytes_view datagram)>;

    // expected_fingerprint: the peer's "sha-256" fingerprint from its SDP
    // (case-insensitive); the handshake fails if the certificate differs.
    dtls_transport(std::shared_ptr<const certificate> cert, dtls_role role,
                   std::string expected_fingerprint, send_fn send);
    ~dtls_transport();
    dtls_transport(const dtls_transport&) = delete;
    dtls_transport& operator=(const dtls_transport&) = delete;

    // Client role: sends the ClientHello. Server role: nothing to do.
    void start();
    // A datagram classified as DTLS.
    void on_datagram(bytes_view datagram);
    // Retransmission: call when next_timeout() has passed.
    void on_timeout();
    // Time until the next retransmission is due; nullopt when none.
    std::optional<std::chrono::milliseconds> next_timeout() const;
    // Sends close_notify.
    void close();

    state current_state() const noexcept { return state_; }
    const std::string& failure_reason() const noexcept { return failure_; }
    // Available once connected.
    const std::optional<srtp_keys>& keys() const noexcept { return keys_; }

private:
    void drive();
    void flush();
    struct impl;
    std::unique_ptr<impl> impl_;
    send_fn send_;
    dtls_role role_;
    std::string expected_fingerprint_;
    state state_ = state::handshaking;
    std::string failure_;
    std::optional<srtp_keys> keys_;
};

}  // namespace driftway::rtc
