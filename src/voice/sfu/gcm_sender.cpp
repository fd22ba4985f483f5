#include "sfu/gcm_sender.hpp"

#include "driftway/rtc/rtp.hpp"

#include <openssl/evp.h>

#include <cstring>

namespace driftway::voice::detail {

namespace {

EVP_CIPHER_CTX* as_ctx(void* p) {
    return static_cast<EVP_CIPHER_CTX*>(p);
}

// RFC 3711 section 4.3 key derivation with the AES-CM PRF, as RFC 7714
// section 11 uses it: the 96-bit master salt padded to 112 bits with zeros
// (as libsrtp does), key_id = label || r with r = 0 (no key derivation rate)
// XORed in at the right, and the counter block x * 2^16 encrypted with the
// master key.
bool derive(const std::uint8_t* master_key, const std::uint8_t* master_salt, std::uint8_t label,
            std::uint8_t* out, std::size_t n) {
    std::uint8_t block[16] = {};
    std::memcpy(block, master_salt, 12);  // bytes 12, 13: the padding
    block[7] ^= label;
    EVP_CIPHER_CTX* c = EVP_CIPHER_CTX_new();
    if (c == nullptr) return false;
    bool ok = EVP_EncryptInit_ex(c, EVP_aes_128_ctr(), nullptr, master_key, block) == 1;
    std::uint8_t zeros[32] = {};
    int len = 0;
    ok =
        ok && n <= sizeof zeros && EVP_EncryptUpdate(c, out, &len, zeros, static_cast<int>(n)) == 1;
    EVP_CIPHER_CTX_free(c);
    return ok;
}

}  // namespace

std::uint32_t rollover::next(std::uint16_t seq) noexcept {
    if (!started) {
        started = true;
        last = seq;
        return roc;
    }
    const auto ahead = static_cast<std::uint16_t>(seq - last);
    if (ahead < 0x8000) {
        if (seq < last) ++roc;  // wrapped going forward
        last = seq;
        return roc;
    }
    // A late packet from before the last one: before the wrap, if it was.
    return seq > last && roc > 0 ? roc - 1 : roc;
}

std::unique_ptr<gcm_sender> gcm_sender::create(rtc::bytes_view key_salt) {
    if (key_salt.size() != 28) return nullptr;
    std::uint8_t key[16];
    std::unique_ptr<gcm_sender> s(new gcm_sender());
    if (!derive(key_salt.data(), key_salt.data() + 16, 0x00, key, sizeof key) ||
        !derive(key_salt.data(), key_salt.data() + 16, 0x02, s->salt_, sizeof s->salt_))
        return nullptr;
    EVP_CIPHER_CTX* c = EVP_CIPHER_CTX_new();
    if (c == nullptr) return nullptr;
    s->ctx_ = c;
    if (EVP_EncryptInit_ex(c, EVP_aes_128_gcm(), nullptr, nullptr, nullptr) != 1 ||
        EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, 12, nullptr) != 1 ||
        EVP_EncryptInit_ex(c, nullptr, nullptr, key, nullptr) != 1)
        return nullptr;
    OPENSSL_cleanse(key, sizeof key);
    return s;
}

gcm_sender::~gcm_sender() {
    if (ctx_ != nullptr) EVP_CIPHER_CTX_free(as_ctx(ctx_));
}

bool gcm_sender::protect_rtp(std::uint8_t* data, std::size_t& len, std::size_t capacity,
                             std::uint32_t roc) noexcept {
    const auto h = rtc::parse_rtp({data, len});
    if (!h || len + tag_size > capacity) return false;
    // RFC 7714 section 8.1: IV = (0x0000 || SSRC || ROC || SEQ) XOR salt.
    std::uint8_t iv[12] = {};
    rtc::write_u32(iv + 2, h->ssrc);
    rtc::write_u32(iv + 6, roc);
    iv[10] = static_cast<std::uint8_t>(h->sequence >> 8);
    iv[11] = static_cast<std::uint8_t>(h->sequence);
    for (std::size_t i = 0; i < sizeof iv; ++i) iv[i] ^= salt_[i];
    // The header (with CSRCs and extension) is the associated data; the
    // payload, padding included, is encrypted (RFC 7714 section 8.2).
    const std::size_t header = h->payload_offset;
    EVP_CIPHER_CTX* c = as_ctx(ctx_);
    int out = 0;
    if (EVP_EncryptInit_ex(c, nullptr, nullptr, nullptr, iv) != 1 ||
        EVP_EncryptUpdate(c, nullptr, &out, data, static_cast<int>(header)) != 1 ||
        EVP_EncryptUpdate(c, data + header, &out, data + header, static_cast<int>(len - header)) !=
            1 ||
        EVP_EncryptFinal_ex(c, data + len, &out) != 1 ||
        EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, tag_size, data + len) != 1)
        return false;
    len += tag_size;
    return true;
}

}  // namespace driftway::voice::detail
