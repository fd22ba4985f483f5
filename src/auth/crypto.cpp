#include "driftway/auth/crypto.hpp"

#include <sodium.h>

#include <mutex>
#include <stdexcept>

namespace driftway::auth {

namespace {
// RFC 7515 §2: JWS uses base64url without padding; so do our opaque tokens.
constexpr int b64_variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;

const unsigned char* bytes_of(std::string_view s) {
    return reinterpret_cast<const unsigned char*>(s.data());
}
}  // namespace

void init_crypto() {
    static std::once_flag once;
    std::call_once(once, [] {
        if (sodium_init() < 0) throw std::runtime_error("libsodium could not be initialised");
    });
}

std::string base64url_encode(std::string_view bytes) {
    std::string out(sodium_base64_ENCODED_LEN(bytes.size(), b64_variant), '\0');
    sodium_bin2base64(out.data(), out.size(), bytes_of(bytes), bytes.size(), b64_variant);
    out.resize(out.size() - 1);  // the terminating NUL
    return out;
}

std::optional<std::string> base64url_decode(std::string_view text) noexcept {
    try {
        std::string out(text.size() / 4 * 3 + 3, '\0');
        std::size_t len = 0;
        // No ignore set and no end pointer: every character must be part of the
        // encoding, and libsodium rejects padding, stray characters and
        // non-zero trailing bits, so each byte string has one accepted spelling.
        if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                              text.size(), nullptr, &len, nullptr, b64_variant) != 0)
            return std::nullopt;
        out.resize(len);
        return out;
    } catch (...) {
        return std::nullopt;
    }
}

std::string random_token(std::size_t bytes) {
    init_crypto();
    std::string raw(bytes, '\0');
    randombytes_buf(raw.data(), raw.size());
    auto token = base64url_encode(raw);
    sodium_memzero(raw.data(), raw.size());
    return token;
}

std::string sha256_raw(std::string_view data) {
    init_crypto();
    std::string out(crypto_hash_sha256_BYTES, '\0');
    crypto_hash_sha256(reinterpret_cast<unsigned char*>(out.data()), bytes_of(data), data.size());
    return out;
}

std::string sha256_hex(std::string_view data) {
    const auto raw = sha256_raw(data);
    std::string hex(raw.size() * 2 + 1, '\0');
    sodium_bin2hex(hex.data(), hex.size(), bytes_of(raw), raw.size());
    hex.resize(raw.size() * 2);
    return hex;
}

bool constant_time_equal(std::string_view a, std::string_view b) noexcept {
    // The length is not secret (hashes and tokens have fixed sizes); the content is.
    if (a.size() != b.size()) return false;
    if (a.empty()) return true;
    return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace driftway::auth
