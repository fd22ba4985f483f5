#pragma once
// SRTP/SRTCP (RFC 3711, RFC 7714) through libsrtp2: one session per
// direction of a transport, keyed from the DTLS-SRTP exporter (RFC 5764).
// Protect and unprotect work in place; protect needs room for the tag.
#include "driftway/rtc/bytes.hpp"

#include <cstdint>
#include <memory>
#include <vector>

namespace driftway::rtc {

enum class srtp_profile : std::uint16_t {
    aes128_cm_sha1_80 = 0x0001,  // SRTP_AES128_CM_HMAC_SHA1_80
    aead_aes_128_gcm = 0x0007,   // SRTP_AEAD_AES_128_GCM
};
// Master key + salt length of a profile (30 for AES-CM, 28 for GCM).
std::size_t srtp_key_salt_length(srtp_profile p) noexcept;
// Bytes protect() adds at most (SRTCP index included).
inline constexpr std::size_t srtp_max_overhead = 16 + 4;

// Calls srtp_init() once per process; safe to call from any thread.
void init_srtp();

class srtp_session {
public:
    enum class direction { inbound, outbound };
    // key_salt: master key followed by master salt. nullptr on a bad length
    // or a libsrtp error.
    static std::unique_ptr<srtp_session> create(srtp_profile p, direction d, bytes_view key_salt);
    ~srtp_session();
    srtp_session(const srtp_session&) = delete;
    srtp_session& operator=(const srtp_session&) = delete;

    // In place: `len` is the packet length on input and the result's on
    // output; `capacity` bounds what protect may append. False on failure
    // (authentication, replay, no room); the packet is then not usable.
    bool protect_rtp(std::uint8_t* data, std::size_t& len, std::size_t capacity) noexcept;
    bool unprotect_rtp(std::uint8_t* data, std::size_t& len) noexcept;
    bool protect_rtcp(std::uint8_t* data, std::size_t& len, std::size_t capacity) noexcept;
    bool unprotect_rtcp(std::uint8_t* data, std::size_t& len) noexcept;

    srtp_profile profile() const noexcept { return profile_; }

private:
    srtp_session() = default;
    void* ctx_ = nullptr;  // srtp_t, owned
    srtp_profile profile_ = srtp_profile::aes128_cm_sha1_80;
};

}  // namespace driftway::rtc
