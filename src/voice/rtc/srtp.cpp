// SRTP through libsrtp2. One srtp_t per direction: inbound sessions accept
// any SSRC (ssrc_any_inbound), outbound ones protect any SSRC we send
// (ssrc_any_outbound), so one session serves every leg of a transport.
#include "driftway/rtc/srtp.hpp"

#include <srtp2/srtp.h>

#include <mutex>

namespace driftway::rtc {

namespace {

srtp_t as_ctx(void* p) noexcept {
    return static_cast<srtp_t>(p);
}

// Room for protect(): RTP gets the auth tag (10 for AES-CM/SHA1-80, 16 for
// GCM); RTCP also gets the 4-byte SRTCP index.
bool has_room(std::size_t len, std::size_t capacity) noexcept {
    return capacity >= len && capacity - len >= srtp_max_overhead;
}

}  // namespace

std::size_t srtp_key_salt_length(srtp_profile p) noexcept {
    switch (p) {
        case srtp_profile::aes128_cm_sha1_80:
            return 16 + 14;
        case srtp_profile::aead_aes_128_gcm:
            return 16 + 12;
    }
    return 0;
}

void init_srtp() {
    static std::once_flag once;
    std::call_once(once, [] { srtp_init(); });
}

std::unique_ptr<srtp_session> srtp_session::create(srtp_profile p, direction d,
                                                   bytes_view key_salt) {
    if (key_salt.size() != srtp_key_salt_length(p)) return nullptr;
    init_srtp();
    srtp_policy_t policy{};
    switch (p) {
        case srtp_profile::aes128_cm_sha1_80:
            srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtp);
            srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtcp);
            break;
        case srtp_profile::aead_aes_128_gcm:
            srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtp);
            srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtcp);
            break;
    }
    policy.ssrc.type = d == direction::inbound ? ssrc_any_inbound : ssrc_any_outbound;
    // libsrtp copies the key material; the cast only satisfies its signature.
    policy.key = const_cast<unsigned char*>(key_salt.data());
    // RFC 3711 section 3.3.2 minimum is 64; audio arrives in order enough
    // that 1024 only matters after bursts of reordering.
    policy.window_size = 1024;
    policy.allow_repeat_tx = 0;
    policy.next = nullptr;

    srtp_t ctx = nullptr;
    if (srtp_create(&ctx, &policy) != srtp_err_status_ok) return nullptr;
    std::unique_ptr<srtp_session> s{new srtp_session};
    s->ctx_ = ctx;
    s->profile_ = p;
    return s;
}

srtp_session::~srtp_session() {
    if (ctx_ != nullptr) srtp_dealloc(as_ctx(ctx_));
}

bool srtp_session::protect_rtp(std::uint8_t* data, std::size_t& len,
                               std::size_t capacity) noexcept {
    if (len < 12 || !has_room(len, capacity)) return false;
    int n = static_cast<int>(len);
    if (srtp_protect(as_ctx(ctx_), data, &n) != srtp_err_status_ok) return false;
    len = static_cast<std::size_t>(n);
    return true;
}

bool srtp_session::unprotect_rtp(std::uint8_t* data, std::size_t& len) noexcept {
    if (len < 12) return false;
    int n = static_cast<int>(len);
    if (srtp_unprotect(as_ctx(ctx_), data, &n) != srtp_err_status_ok) return false;
    len = static_cast<std::size_t>(n);
    return true;
}

bool srtp_session::protect_rtcp(std::uint8_t* data, std::size_t& len,
                                std::size_t capacity) noexcept {
    if (len < 8 || !has_room(len, capacity)) return false;
    int n = static_cast<int>(len);
    if (srtp_protect_rtcp(as_ctx(ctx_), data, &n) != srtp_err_status_ok) return false;
    len = static_cast<std::size_t>(n);
    return true;
}

bool srtp_session::unprotect_rtcp(std::uint8_t* data, std::size_t& len) noexcept {
    if (len < 8) return false;
    int n = static_cast<int>(len);
    if (srtp_unprotect_rtcp(as_ctx(ctx_), data, &n) != srtp_err_status_ok) return false;
    len = static_cast<std::size_t>(n);
    return true;
}

}  // namespace driftway::rtc
