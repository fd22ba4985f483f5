#pragma once
// Small cryptographic utilities on libsodium and OpenSSL.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace driftway::auth {

// Calls sodium_init() once; safe to call many times from any thread.
void init_crypto();

std::string base64url_encode(std::string_view bytes);  // no padding
std::optional<std::string> base64url_decode(std::string_view text) noexcept;

// `bytes` random bytes from the OS CSPRNG, base64url-encoded.
std::string random_token(std::size_t bytes);

std::string sha256_hex(std::string_view data);
std::string sha256_raw(std::string_view data);  // 32 bytes

bool constant_time_equal(std::string_view a, std::string_view b) noexcept;

}  // namespace driftway::auth
