#pragma once
// The forwarding path's SRTP encryption when DTLS chose AEAD_AES_128_GCM
// (RFC 7714): one OpenSSL cipher context per receiver, keyed once, so a
// protect is one AES-GCM pass with no allocation or lock. Debian's libsrtp2
// encrypts through NSS, which allocates and locks a PK11 context per packet;
// in a room of n that cost is paid n-1 times per packet. Each leg is still
// encrypted separately (its own SSRC, ROC and sequence in the IV). RTCP and
// the other profile stay with rtc::srtp_session. Used on the SFU thread only.
#include <cstddef>
#include <cstdint>
#include <memory>

#include "driftway/rtc/bytes.hpp"

namespace driftway::voice::detail {

// A leg's rollover counter (RFC 3711 section 3.3.1), from the sequence
// numbers we send on it (the rewriter's, which only move forward but may
// skip).
struct rollover {
    bool started = false;
    std::uint32_t roc = 0;
    std::uint16_t last = 0;
    // The ROC for `seq`, advancing past a wrap.
    std::uint32_t next(std::uint16_t seq) noexcept;
};

class gcm_sender {
public:
    // key_salt: the DTLS-SRTP exporter's 16-byte master key then 12-byte
    // master salt. nullptr when it is not that length or OpenSSL fails.
    static std::unique_ptr<gcm_sender> create(rtc::bytes_view key_salt);
    ~gcm_sender();
    gcm_sender(const gcm_sender&) = delete;
    gcm_sender& operator=(const gcm_sender&) = delete;

    // In place: the RTP packet of `len` bytes (header, extension, payload)
    // gets its payload encrypted and a 16-byte tag appended. False when it
    // does not parse or does not fit `capacity`.
    bool protect_rtp(std::uint8_t* data, std::size_t& len, std::size_t capacity,
                     std::uint32_t roc) noexcept;

    static constexpr std::size_t tag_size = 16;

private:
    gcm_sender() = default;
    void* ctx_ = nullptr;  // EVP_CIPHER_CTX, owned
    std::uint8_t salt_[12] = {};
};

}  // namespace driftway::voice::detail
