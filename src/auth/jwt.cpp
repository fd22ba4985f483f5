#include "driftway/auth/jwt.hpp"

#include "driftway/auth/crypto.hpp"
#include "driftway/core/json.hpp"
#include "driftway/core/log.hpp"

#include <sodium.h>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <optional>
#include <stdexcept>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace driftway::auth {

namespace {

// Access tokens are a few hundred bytes; anything far larger is not ours.
constexpr std::size_t max_token_bytes = 8192;
// Tolerated clock skew between the node that issued a token and the one checking it.
constexpr std::int64_t max_future_iat_seconds = 60;

class file_descriptor {
public:
    explicit file_descriptor(int fd) noexcept : fd_(fd) {}
    file_descriptor(const file_descriptor&) = delete;
    file_descriptor& operator=(const file_descriptor&) = delete;
    ~file_descriptor() {
        if (fd_ >= 0) ::close(fd_);
    }
    int get() const noexcept { return fd_; }

private:
    int fd_;
};

[[noreturn]] void throw_errno(const std::string& what, const std::string& path) {
    throw std::runtime_error(what + " " + path + ": " + std::strerror(errno));
}

// Reads the key file; nullopt when it does not exist.
std::optional<std::string> read_key_file(const std::string& path) {
    file_descriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) {
        if (errno == ENOENT) return std::nullopt;
        throw_errno("cannot open signing key", path);
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) throw_errno("cannot stat signing key", path);
    if (st.st_size != crypto_sign_SECRETKEYBYTES)
        throw std::runtime_error("signing key " + path + " has " + std::to_string(st.st_size) +
                                 " bytes, expected a " +
                                 std::to_string(crypto_sign_SECRETKEYBYTES) +
                                 "-byte Ed25519 secret key; move it away to create a new one");
    if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0)
        log::warn("signing key is readable by other users; chmod 600 it", {{"path", path}});
    std::string secret(crypto_sign_SECRETKEYBYTES, '\0');
    std::size_t done = 0;
    while (done < secret.size()) {
        const auto n = ::read(fd.get(), secret.data() + done, secret.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) throw_errno("cannot read signing key", path);
        done += static_cast<std::size_t>(n);
    }
    return secret;
}

// Creates the key file; false when another process created it first.
bool write_key_file(const std::string& path, const std::string& secret) {
    const auto parent = std::filesystem::path(path).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent);
    file_descriptor fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    if (fd.get() < 0) {
        if (errno == EEXIST) return false;
        throw_errno("cannot create signing key", path);
    }
    // The umask can only remove bits; set the mode explicitly all the same.
    if (::fchmod(fd.get(), 0600) != 0) throw_errno("cannot chmod signing key", path);
    std::size_t done = 0;
    while (done < secret.size()) {
        const auto n = ::write(fd.get(), secret.data() + done, secret.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) throw_errno("cannot write signing key", path);
        done += static_cast<std::size_t>(n);
    }
    if (::fsync(fd.get()) != 0) throw_errno("cannot sync signing key", path);
    return true;
}

ed25519_public_key public_key_of(const std::string& secret) {
    // libsodium's secret key is seed || public key.
    std::string pk = secret.substr(crypto_sign_SEEDBYTES);
    return {key_id_for(pk), std::move(pk)};
}

const unsigned char* bytes_of(std::string_view s) {
    return reinterpret_cast<const unsigned char*>(s.data());
}

std::optional<std::int64_t> integer_of(const boost::json::value* v) {
    if (!v) return std::nullopt;
    if (v->is_int64()) return v->get_int64();
    if (v->is_uint64() && v->get_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
        return static_cast<std::int64_t>(v->get_uint64());
    return std::nullopt;
}

std::optional<boost::json::object> decode_object(std::string_view b64) {
    auto text = base64url_decode(b64);
    if (!text) return std::nullopt;
    boost::system::error_code ec;
    boost::json::parse_options opts;
    opts.max_depth = 8;
    auto v = boost::json::parse(*text, ec, {}, opts);
    if (ec || !v.is_object()) return std::nullopt;
    return std::move(v.get_object());
}

}  // namespace

std::string key_id_for(std::string_view public_key_bytes) {
    return base64url_encode(sha256_raw(public_key_bytes).substr(0, 12));
}

jwt_signer jwt_signer::generate() {
    init_crypto();
    std::array<unsigned char, crypto_sign_PUBLICKEYBYTES> pk{};
    jwt_signer s;
    s.secret_.assign(crypto_sign_SECRETKEYBYTES, '\0');
    crypto_sign_keypair(pk.data(), reinterpret_cast<unsigned char*>(s.secret_.data()));
    s.public_ = public_key_of(s.secret_);
    return s;
}

jwt_signer jwt_signer::load_or_create(const std::string& path) {
    init_crypto();
    auto secret = read_key_file(path);
    if (!secret) {
        auto fresh = generate();
        if (write_key_file(path, fresh.secret_)) return fresh;
        secret = read_key_file(path);  // lost a creation race: use the winner's key
        if (!secret) throw std::runtime_error("signing key " + path + " vanished");
    }
    // The stored public half must match the seed, or every token would fail to verify.
    std::array<unsigned char, crypto_sign_PUBLICKEYBYTES> pk{};
    std::array<unsigned char, crypto_sign_SECRETKEYBYTES> sk{};
    crypto_sign_seed_keypair(pk.data(), sk.data(), bytes_of(*secret));
    const bool consistent =
        sodium_memcmp(pk.data(), secret->data() + crypto_sign_SEEDBYTES, pk.size()) == 0;
    sodium_memzero(sk.data(), sk.size());
    if (!consistent)
        throw std::runtime_error("signing key " + path +
                                 " is corrupt: its public half does not match its seed");
    jwt_signer s;
    s.secret_ = std::move(*secret);
    s.public_ = public_key_of(s.secret_);
    return s;
}

std::string jwt_signer::sign(const access_claims& claims) const {
    boost::json::object payload;
    payload["sub"] = std::to_string(claims.user_id);
    payload["iat"] = claims.issued_at;
    payload["exp"] = claims.expires_at;
    if (!claims.token_id.empty()) payload["jti"] = claims.token_id;
    return sign_payload(payload);
}

std::string jwt_signer::sign_payload(const boost::json::object& payload) const {
    boost::json::object header;
    header["alg"] = "EdDSA";
    header["typ"] = "JWT";
    header["kid"] = public_.kid;
    std::string token = base64url_encode(boost::json::serialize(header)) + '.' +
                        base64url_encode(boost::json::serialize(payload));
    std::array<unsigned char, crypto_sign_BYTES> sig{};
    crypto_sign_detached(sig.data(), nullptr, bytes_of(token), token.size(), bytes_of(secret_));
    token += '.';
    token +=
        base64url_encode(std::string_view(reinterpret_cast<const char*>(sig.data()), sig.size()));
    return token;
}

jwt_verifier::jwt_verifier(std::vector<ed25519_public_key> keys) {
    for (auto& k : keys) {
        if (k.bytes.size() != crypto_sign_PUBLICKEYBYTES)
            throw std::invalid_argument("Ed25519 public key " + k.kid + " must be 32 bytes");
        keys_.insert_or_assign(std::move(k.kid), std::move(k.bytes));
    }
}

jwt_verifier::signed_outcome jwt_verifier::verify_signature(std::string_view token) const noexcept {
    const auto fail = [](jwt_failure f) noexcept {
        signed_outcome o;
        o.failure = f;
        return o;
    };
    try {
        if (token.size() > max_token_bytes) return fail(jwt_failure::malformed);
        // RFC 7515 §7.1: header.payload.signature, exactly three parts.
        const auto dot1 = token.find('.');
        if (dot1 == std::string_view::npos) return fail(jwt_failure::malformed);
        const auto dot2 = token.find('.', dot1 + 1);
        if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos)
            return fail(jwt_failure::malformed);
        const auto header_b64 = token.substr(0, dot1);
        const auto payload_b64 = token.substr(dot1 + 1, dot2 - dot1 - 1);
        const auto signature_b64 = token.substr(dot2 + 1);
        const auto signing_input = token.substr(0, dot2);

        const auto signature = base64url_decode(signature_b64);
        const auto payload_text = base64url_decode(payload_b64);
        if (!signature || !payload_text) return fail(jwt_failure::malformed);
        const auto header = decode_object(header_b64);
        if (!header) return fail(jwt_failure::malformed);

        // The algorithm is fixed by us, never chosen by the token (RFC 8725 §3.1):
        // "none", HMAC and everything else are refused before any key is looked up.
        const auto* alg = header->if_contains("alg");
        if (!alg || !alg->is_string()) return fail(jwt_failure::malformed);
        if (alg->get_string() != "EdDSA") return fail(jwt_failure::unsupported_alg);
        // RFC 7515 §4.1.11: extensions we do not understand must be rejected; we understand none.
        if (header->contains("crit")) return fail(jwt_failure::unsupported_alg);

        const auto* kid = header->if_contains("kid");
        if (!kid || !kid->is_string()) return fail(jwt_failure::unknown_key);
        const auto key = keys_.find(std::string_view(kid->get_string()));
        if (key == keys_.end()) return fail(jwt_failure::unknown_key);

        if (signature->size() != crypto_sign_BYTES) return fail(jwt_failure::bad_signature);
        if (crypto_sign_verify_detached(bytes_of(*signature), bytes_of(signing_input),
                                        signing_input.size(), bytes_of(key->second)) != 0)
            return fail(jwt_failure::bad_signature);

        // Only now are the claims from a key we trust.
        boost::system::error_code ec;
        boost::json::parse_options opts;
        opts.max_depth = 8;
        auto payload = boost::json::parse(*payload_text, ec, {}, opts);
        if (ec || !payload.is_object()) return fail(jwt_failure::malformed);
        signed_outcome out;
        out.ok = true;
        out.claims = std::move(payload.get_object());
        return out;
    } catch (...) {
        return fail(jwt_failure::malformed);
    }
}

jwt_verifier::outcome jwt_verifier::verify(std::string_view token,
                                           std::int64_t now_seconds) const noexcept {
    const auto fail = [](jwt_failure f) noexcept {
        outcome o;
        o.failure = f;
        return o;
    };
    try {
        auto checked = verify_signature(token);
        if (!checked.ok) return fail(checked.failure);
        const auto& claims = checked.claims;
        // Access tokens carry no audience; a token minted for another audience
        // (a voice token) must never pass as one (RFC 8725 §3.9).
        if (claims.contains("aud")) return fail(jwt_failure::wrong_audience);

        const auto* sub = claims.if_contains("sub");
        if (!sub || !sub->is_string()) return fail(jwt_failure::malformed);
        const auto user_id = json::parse_id(sub->get_string());
        const auto iat = integer_of(claims.if_contains("iat"));
        const auto exp = integer_of(claims.if_contains("exp"));
        if (!user_id || !iat || !exp) return fail(jwt_failure::malformed);
        std::string jti;
        if (const auto* j = claims.if_contains("jti")) {
            if (!j->is_string()) return fail(jwt_failure::malformed);
            jti = j->get_string();
        }

        if (*exp <= now_seconds) return fail(jwt_failure::expired);
        if (*iat > now_seconds + max_future_iat_seconds) return fail(jwt_failure::not_yet_valid);

        outcome out;
        out.ok = true;
        out.claims = {*user_id, *iat, *exp, std::move(jti)};
        return out;
    } catch (...) {
        return fail(jwt_failure::malformed);
    }
}

boost::json::value jwt_verifier::jwks() const {
    boost::json::array keys;
    for (const auto& [kid, bytes] : keys_) {
        // RFC 8037 §2: Ed25519 public keys are OKP JWKs with the raw key in "x".
        keys.push_back(boost::json::object{{"kty", "OKP"},
                                           {"crv", "Ed25519"},
                                           {"alg", "EdDSA"},
                                           {"use", "sig"},
                                           {"kid", kid},
                                           {"x", base64url_encode(bytes)}});
    }
    return boost::json::object{{"keys", std::move(keys)}};
}

}  // namespace driftway::auth
