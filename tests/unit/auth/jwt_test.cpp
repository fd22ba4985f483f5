#include "driftway/auth/jwt.hpp"

#include "driftway/auth/crypto.hpp"

#include <gtest/gtest.h>
#include <sodium.h>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <filesystem>
#include <fstream>

#include <sys/stat.h>

namespace driftway::auth {
namespace {

constexpr std::int64_t now = 1'800'000'000;

access_claims sample_claims() {
    return {1234567890123456789ull, now, now + 900, "jti-1"};
}

std::string bytes(const unsigned char* p, std::size_t n) {
    return std::string(reinterpret_cast<const char*>(p), n);
}

struct parts {
    std::string header, payload, signature;
};

parts split(const std::string& token) {
    const auto a = token.find('.');
    const auto b = token.find('.', a + 1);
    return {token.substr(0, a), token.substr(a + 1, b - a - 1), token.substr(b + 1)};
}

std::string join(const parts& p) {
    return p.header + '.' + p.payload + '.' + p.signature;
}

std::string encode_json(const boost::json::value& v) {
    return base64url_encode(boost::json::serialize(v));
}

class Jwt : public ::testing::Test {
protected:
    jwt_signer signer_ = jwt_signer::generate();
    jwt_verifier verifier_{{signer_.public_key()}};
};

TEST_F(Jwt, SignVerifyRoundTrip) {
    const auto token = signer_.sign(sample_claims());
    const auto r = verifier_.verify(token, now);
    ASSERT_TRUE(r.ok) << static_cast<int>(r.failure);
    EXPECT_EQ(r.claims.user_id, 1234567890123456789ull);
    EXPECT_EQ(r.claims.issued_at, now);
    EXPECT_EQ(r.claims.expires_at, now + 900);
    EXPECT_EQ(r.claims.token_id, "jti-1");
}

TEST_F(Jwt, HeaderAndClaimsHaveTheDocumentedShape) {
    const auto p = split(signer_.sign(sample_claims()));
    const auto header = boost::json::parse(*base64url_decode(p.header));
    EXPECT_EQ(header, (boost::json::object{
                          {"alg", "EdDSA"}, {"typ", "JWT"}, {"kid", signer_.public_key().kid}}));
    const auto claims = boost::json::parse(*base64url_decode(p.payload));
    // The user id is a string: JavaScript numbers cannot hold 64-bit ids.
    EXPECT_EQ(claims.at("sub"), "1234567890123456789");
    EXPECT_EQ(claims.at("iat"), now);
    EXPECT_EQ(claims.at("exp"), now + 900);
    EXPECT_EQ(base64url_decode(p.signature)->size(), 64u);
}

TEST_F(Jwt, ExpiryAndIssueTimeAreEnforced) {
    const auto token = signer_.sign(sample_claims());
    EXPECT_TRUE(verifier_.verify(token, now + 899).ok);
    auto r = verifier_.verify(token, now + 900);
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.failure, jwt_failure::expired);
    EXPECT_EQ(verifier_.verify(token, now + 100000).failure, jwt_failure::expired);
    // Issued up to a minute in the verifier's future is tolerated as clock skew.
    EXPECT_TRUE(verifier_.verify(token, now - 60).ok);
    r = verifier_.verify(token, now - 61);
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.failure, jwt_failure::not_yet_valid);
}

TEST_F(Jwt, TamperedPayloadFailsSignature) {
    auto p = split(signer_.sign(sample_claims()));
    auto claims = boost::json::parse(*base64url_decode(p.payload));
    claims.as_object()["sub"] = "1";
    p.payload = encode_json(claims);
    const auto r = verifier_.verify(join(p), now);
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.failure, jwt_failure::bad_signature);
    EXPECT_EQ(r.claims.user_id, 0u);

    // A later expiry, same signature.
    p = split(signer_.sign(sample_claims()));
    claims = boost::json::parse(*base64url_decode(p.payload));
    claims.as_object()["exp"] = now + 10 * 365 * 86400;
    p.payload = encode_json(claims);
    EXPECT_EQ(verifier_.verify(join(p), now).failure, jwt_failure::bad_signature);
}

TEST_F(Jwt, TamperedSignatureOrHeaderFails) {
    auto p = split(signer_.sign(sample_claims()));
    auto sig = *base64url_decode(p.signature);
    sig[10] = static_cast<char>(sig[10] ^ 1);
    p.signature = base64url_encode(sig);
    EXPECT_EQ(verifier_.verify(join(p), now).failure, jwt_failure::bad_signature);

    p = split(signer_.sign(sample_claims()));
    p.header = encode_json(boost::json::object{
        {"alg", "EdDSA"}, {"typ", "JWT"}, {"kid", signer_.public_key().kid}, {"x", 1}});
    EXPECT_EQ(verifier_.verify(join(p), now).failure, jwt_failure::bad_signature);

    p = split(signer_.sign(sample_claims()));
    p.signature = base64url_encode(sig.substr(0, 63));
    EXPECT_EQ(verifier_.verify(join(p), now).failure, jwt_failure::bad_signature);
}

TEST_F(Jwt, OtherAlgorithmsAreRefused) {
    const auto claims = split(signer_.sign(sample_claims())).payload;
    const auto& kid = signer_.public_key().kid;

    // RFC 7519 §6: an unsecured JWT, with an empty signature.
    const auto none =
        encode_json(boost::json::object{{"alg", "none"}, {"typ", "JWT"}, {"kid", kid}});
    auto r = verifier_.verify(none + "." + claims + ".", now);
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.failure, jwt_failure::unsupported_alg);

    // The key-confusion attack: HMAC keyed with the public key, which anyone has.
    const auto hs =
        encode_json(boost::json::object{{"alg", "HS256"}, {"typ", "JWT"}, {"kid", kid}});
    const auto input = hs + "." + claims;
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256(
        mac, reinterpret_cast<const unsigned char*>(input.data()), input.size(),
        reinterpret_cast<const unsigned char*>(signer_.public_key().bytes.data()));
    r = verifier_.verify(input + "." + base64url_encode(bytes(mac, sizeof mac)), now);
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.failure, jwt_failure::unsupported_alg);

    for (const char* alg : {"NONE", "eddsa", "ES256", "RS256", ""}) {
        const auto h = encode_json(boost::json::object{{"alg", alg}, {"kid", kid}});
        const auto sig = split(signer_.sign(sample_claims())).signature;
        EXPECT_EQ(verifier_.verify(h + "." + claims + "." + sig, now).failure,
                  jwt_failure::unsupported_alg)
            << alg;
    }
}

TEST_F(Jwt, UnknownKeyIdIsReported) {
    auto p = split(signer_.sign(sample_claims()));
    p.header = encode_json(boost::json::object{{"alg", "EdDSA"}, {"typ", "JWT"}, {"kid", "nope"}});
    EXPECT_EQ(verifier_.verify(join(p), now).failure, jwt_failure::unknown_key);
    p.header = encode_json(boost::json::object{{"alg", "EdDSA"}, {"typ", "JWT"}});
    EXPECT_EQ(verifier_.verify(join(p), now).failure, jwt_failure::unknown_key);

    const auto other = jwt_signer::generate();
    EXPECT_EQ(verifier_.verify(other.sign(sample_claims()), now).failure, jwt_failure::unknown_key);
}

TEST_F(Jwt, AnotherKeyUnderTheSameKidFailsSignature) {
    const auto other = jwt_signer::generate();
    // The verifier believes `other`'s kid belongs to our public key.
    const jwt_verifier confused({{other.public_key().kid, signer_.public_key().bytes}});
    const auto r = confused.verify(other.sign(sample_claims()), now);
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.failure, jwt_failure::bad_signature);
}

TEST_F(Jwt, VerifierAcceptsAnyOfSeveralKeys) {
    const auto old_signer = jwt_signer::generate();
    const jwt_verifier both({signer_.public_key(), old_signer.public_key()});
    EXPECT_TRUE(both.verify(signer_.sign(sample_claims()), now).ok);
    EXPECT_TRUE(both.verify(old_signer.sign(sample_claims()), now).ok);
}

TEST_F(Jwt, MalformedTokensAreRejected) {
    const auto good = signer_.sign(sample_claims());
    const auto p = split(good);
    const std::string bad[] = {
        "",
        ".",
        "..",
        "abc",
        p.header + "." + p.payload,                       // two parts
        good + ".",                                       // four parts
        good + "." + p.signature,                         // four parts
        "$$$." + p.payload + "." + p.signature,           // garbage base64
        p.header + ".!!!!." + p.signature,                // garbage base64
        p.header + "." + p.payload + ".***",              // garbage base64
        p.header + "=." + p.payload + "." + p.signature,  // padding
        encode_json(boost::json::array{1}) + "." + p.payload + "." +
            p.signature,  // header not an object
        base64url_encode("{\"alg\":") + "." + p.payload + "." + p.signature,  // bad JSON
        encode_json(boost::json::object{{"alg", 1}}) + "." + p.payload + "." + p.signature,
        std::string(10000, 'a') + "." + p.payload + "." + p.signature,  // oversized
    };
    for (const auto& t : bad) {
        const auto r = verifier_.verify(t, now);
        EXPECT_FALSE(r.ok) << t;
        EXPECT_EQ(r.failure, jwt_failure::malformed) << t;
    }
}

TEST(JwtClaims, SignedButMalformedClaimsAreRejected) {
    // Claims that only the key holder could produce, but that are not ours.
    init_crypto();
    unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
    crypto_sign_keypair(pk, sk);
    const auto public_key = bytes(pk, sizeof pk);
    const auto kid = key_id_for(public_key);
    const jwt_verifier verifier({{kid, public_key}});
    const auto header = encode_json(boost::json::object{{"alg", "EdDSA"}, {"kid", kid}});
    const auto make = [&](const boost::json::value& claims) {
        const auto input = header + "." + encode_json(claims);
        unsigned char sig[crypto_sign_BYTES];
        crypto_sign_detached(sig, nullptr, reinterpret_cast<const unsigned char*>(input.data()),
                             input.size(), sk);
        return input + "." + base64url_encode(bytes(sig, sizeof sig));
    };
    EXPECT_TRUE(
        verifier
            .verify(make(boost::json::object{{"sub", "42"}, {"iat", now}, {"exp", now + 1}}), now)
            .ok);
    const boost::json::value bad[] = {
        boost::json::object{{"sub", 42}, {"iat", now}, {"exp", now + 1}},
        boost::json::object{{"sub", "-42"}, {"iat", now}, {"exp", now + 1}},
        boost::json::object{{"sub", "4x"}, {"iat", now}, {"exp", now + 1}},
        boost::json::object{{"sub", "18446744073709551616"}, {"iat", now}, {"exp", now + 1}},
        boost::json::object{{"sub", "42"}, {"exp", now + 1}},
        boost::json::object{{"sub", "42"}, {"iat", now}},
        boost::json::object{{"sub", "42"}, {"iat", now}, {"exp", "soon"}},
        boost::json::object{{"sub", "42"}, {"iat", now}, {"exp", 1.8e9 + 0.5}},
        boost::json::object{{"sub", "42"}, {"iat", now}, {"exp", now + 1}, {"jti", 7}},
        boost::json::array{"42"},
    };
    for (const auto& claims : bad) {
        const auto r = verifier.verify(make(claims), now);
        EXPECT_FALSE(r.ok) << claims;
        EXPECT_EQ(r.failure, jwt_failure::malformed) << claims;
    }
}

TEST(JwtRfc8037, AppendixA4SignatureMatchesLibsodium) {
    // RFC 8037 Appendix A.1 (key) and A.4 (signature of the JWS Signing Input).
    init_crypto();
    const auto d = base64url_decode("nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A");
    const auto x = base64url_decode("11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo");
    ASSERT_TRUE(d && x);
    ASSERT_EQ(d->size(), crypto_sign_SEEDBYTES);
    unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
    crypto_sign_seed_keypair(pk, sk, reinterpret_cast<const unsigned char*>(d->data()));
    EXPECT_EQ(bytes(pk, sizeof pk), *x);

    const std::string input = "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc";
    EXPECT_EQ(base64url_decode("eyJhbGciOiJFZERTQSJ9"), R"({"alg":"EdDSA"})");
    EXPECT_EQ(base64url_decode("RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc"),
              "Example of Ed25519 signing");
    const std::string expected =
        "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg";
    unsigned char sig[crypto_sign_BYTES];
    crypto_sign_detached(sig, nullptr, reinterpret_cast<const unsigned char*>(input.data()),
                         input.size(), sk);
    EXPECT_EQ(base64url_encode(bytes(sig, sizeof sig)), expected);
    const auto expected_sig = base64url_decode(expected);
    ASSERT_TRUE(expected_sig);
    EXPECT_EQ(crypto_sign_verify_detached(
                  reinterpret_cast<const unsigned char*>(expected_sig->data()),
                  reinterpret_cast<const unsigned char*>(input.data()), input.size(), pk),
              0);
}

TEST(JwtRfc8037, VerifierAcceptsTokenFromTheRfcKey) {
    // A token assembled by hand with the RFC's key, so the verifier is checked
    // against an independent signer rather than only against jwt_signer.
    init_crypto();
    const auto d = *base64url_decode("nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A");
    const auto x = *base64url_decode("11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo");
    unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
    crypto_sign_seed_keypair(pk, sk, reinterpret_cast<const unsigned char*>(d.data()));
    const auto kid = key_id_for(x);
    EXPECT_EQ(kid, base64url_encode(sha256_raw(x).substr(0, 12)));
    EXPECT_EQ(kid.size(), 16u);
    const auto input = base64url_encode(R"({"alg":"EdDSA","kid":")" + kid + R"("})") + "." +
                       base64url_encode(R"({"sub":"7","iat":1800000000,"exp":1800000900})");
    unsigned char sig[crypto_sign_BYTES];
    crypto_sign_detached(sig, nullptr, reinterpret_cast<const unsigned char*>(input.data()),
                         input.size(), sk);
    const jwt_verifier verifier({{kid, x}});
    const auto r = verifier.verify(input + "." + base64url_encode(bytes(sig, sizeof sig)), now);
    ASSERT_TRUE(r.ok) << static_cast<int>(r.failure);
    EXPECT_EQ(r.claims.user_id, 7u);
    EXPECT_EQ(r.claims.token_id, "");
}

TEST_F(Jwt, JwksListsPublicKeys) {
    const auto jwks = verifier_.jwks();
    const auto& keys = jwks.at("keys").as_array();
    ASSERT_EQ(keys.size(), 1u);
    const auto& k = keys[0].as_object();
    EXPECT_EQ(k.size(), 6u);
    EXPECT_EQ(k.at("kty"), "OKP");
    EXPECT_EQ(k.at("crv"), "Ed25519");
    EXPECT_EQ(k.at("alg"), "EdDSA");
    EXPECT_EQ(k.at("use"), "sig");
    EXPECT_EQ(k.at("kid").as_string(), signer_.public_key().kid);
    EXPECT_EQ(base64url_decode(k.at("x").as_string()), signer_.public_key().bytes);
    EXPECT_EQ(jwks.as_object().size(), 1u);
}

TEST(JwtVerifier, RejectsPublicKeysOfTheWrongSize) {
    EXPECT_THROW(jwt_verifier({{"k", std::string(31, 'a')}}), std::invalid_argument);
}

class JwtKeyFile : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = std::filesystem::temp_directory_path() / ("driftway-jwt-" + random_token(9));
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }
    std::filesystem::path dir_;
};

TEST_F(JwtKeyFile, CreatesPersistsAndReloads) {
    const auto path = (dir_ / "keys" / "nested" / "signing.key").string();
    const auto first = jwt_signer::load_or_create(path);
    ASSERT_TRUE(std::filesystem::exists(path));
    EXPECT_EQ(std::filesystem::file_size(path), 64u);
    struct stat st {};
    ASSERT_EQ(::stat(path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);

    const auto token = first.sign(sample_claims());
    const auto second = jwt_signer::load_or_create(path);
    EXPECT_EQ(second.public_key().kid, first.public_key().kid);
    EXPECT_EQ(second.public_key().bytes, first.public_key().bytes);
    EXPECT_TRUE(jwt_verifier({second.public_key()}).verify(token, now).ok);
    EXPECT_TRUE(jwt_verifier({first.public_key()}).verify(second.sign(sample_claims()), now).ok);

    const auto fresh = jwt_signer::load_or_create((dir_ / "other.key").string());
    EXPECT_NE(fresh.public_key().bytes, first.public_key().bytes);
}

TEST_F(JwtKeyFile, WrongSizeIsAClearError) {
    std::filesystem::create_directories(dir_);
    const auto path = (dir_ / "short.key").string();
    std::ofstream(path) << "too short";
    try {
        jwt_signer::load_or_create(path);
        FAIL() << "expected an exception";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("64-byte"), std::string::npos) << e.what();
    }
    // The file is left alone, not silently replaced.
    EXPECT_EQ(std::filesystem::file_size(path), 9u);
}

TEST_F(JwtKeyFile, InconsistentKeyIsAnError) {
    std::filesystem::create_directories(dir_);
    const auto path = (dir_ / "corrupt.key").string();
    std::ofstream(path, std::ios::binary) << std::string(64, 'k');
    std::filesystem::permissions(
        path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    EXPECT_THROW(jwt_signer::load_or_create(path), std::runtime_error);
}

}  // namespace
}  // namespace driftway::auth
