#include "driftway/auth/password.hpp"

#include "driftway/auth/crypto.hpp"

#include <sodium.h>

#include <array>
#include <cstring>
#include <mutex>
#include <stdexcept>

namespace driftway::auth {

namespace {

struct cost_params {
    unsigned long long ops;
    std::size_t mem;
};

cost_params params_for(password_cost cost) {
    switch (cost) {
        case password_cost::min:
            return {crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN};
        case password_cost::interactive:
            return {crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE};
        case password_cost::moderate:
            return {crypto_pwhash_OPSLIMIT_MODERATE, crypto_pwhash_MEMLIMIT_MODERATE};
        case password_cost::sensitive:
            return {crypto_pwhash_OPSLIMIT_SENSITIVE, crypto_pwhash_MEMLIMIT_SENSITIVE};
    }
    return {crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE};
}

constexpr std::size_t cost_count = 4;

}  // namespace

bool parse_password_cost(std::string_view text, password_cost& out) {
    if (text == "min")
        out = password_cost::min;
    else if (text == "interactive")
        out = password_cost::interactive;
    else if (text == "moderate")
        out = password_cost::moderate;
    else if (text == "sensitive")
        out = password_cost::sensitive;
    else
        return false;
    return true;
}

std::string hash_password(std::string_view password, password_cost cost) {
    init_crypto();
    const auto p = params_for(cost);
    std::array<char, crypto_pwhash_STRBYTES> out{};
    // argon2id explicitly, rather than whatever crypto_pwhash_str's default
    // becomes in another libsodium release.
    if (crypto_pwhash_str_alg(out.data(), password.data(), password.size(), p.ops, p.mem,
                              crypto_pwhash_ALG_ARGON2ID13) != 0)
        throw std::runtime_error("out of memory while hashing a password");
    return std::string(out.data());
}

bool verify_password(std::string_view encoded_hash, std::string_view password) noexcept {
    // crypto_pwhash_str_verify reads a NUL-terminated string of bounded size.
    std::array<char, crypto_pwhash_STRBYTES> hash{};
    if (encoded_hash.empty() || encoded_hash.size() >= hash.size() ||
        encoded_hash.find('\0') != std::string_view::npos)
        return false;
    std::memcpy(hash.data(), encoded_hash.data(), encoded_hash.size());
    try {
        init_crypto();
    } catch (...) {
        return false;
    }
    return crypto_pwhash_str_verify(hash.data(), password.data(), password.size()) == 0;
}

const std::string& dummy_hash(password_cost cost) {
    static std::array<std::once_flag, cost_count> once;
    static std::array<std::string, cost_count> hashes;
    const auto i = static_cast<std::size_t>(cost);
    std::call_once(once.at(i), [&] { hashes[i] = hash_password(random_token(24), cost); });
    return hashes[i];
}

}  // namespace driftway::auth
