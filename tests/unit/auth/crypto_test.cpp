#include "driftway/auth/crypto.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace driftway::auth {
namespace {

TEST(Base64url, RoundTripsRfc4648Vectors) {
    // RFC 4648 §10, in the URL-safe alphabet without padding (§5).
    const std::pair<std::string, std::string> vectors[] = {
        {"", ""},           {"f", "Zg"},          {"fo", "Zm8"},          {"foo", "Zm9v"},
        {"foob", "Zm9vYg"}, {"fooba", "Zm9vYmE"}, {"foobar", "Zm9vYmFy"},
    };
    for (const auto& [plain, encoded] : vectors) {
        EXPECT_EQ(base64url_encode(plain), encoded);
        EXPECT_EQ(base64url_decode(encoded), plain) << encoded;
    }
}

TEST(Base64url, UsesUrlSafeAlphabet) {
    const std::string bytes("\xfb\xff\xbf", 3);  // "+/+/" in standard base64
    EXPECT_EQ(base64url_encode(bytes), "-_-_");
    EXPECT_EQ(base64url_decode("-_-_"), bytes);
}

TEST(Base64url, RoundTripsEveryByteValue) {
    std::string all;
    for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
    for (std::size_t len = 0; len <= all.size(); len += 17) {
        const auto part = all.substr(0, len);
        EXPECT_EQ(base64url_decode(base64url_encode(part)), part);
    }
}

TEST(Base64url, RejectsBadInput) {
    const char* bad[] = {
        "Zg==",    // padding
        "Zg=",     // partial padding
        "Z",       // impossible length
        "Zh",      // non-zero trailing bits: a second spelling of "f"
        "+/8",     // standard alphabet
        "Zm9v\n",  // whitespace
        " Zm9v",   // whitespace
        "Zm 9v",   // whitespace inside
        "Zm9v.",   // separator
        "Zm9v$",   // garbage
    };
    for (const char* b : bad) EXPECT_FALSE(base64url_decode(b).has_value()) << b;
    EXPECT_FALSE(base64url_decode(std::string_view("Zm\0v", 4)).has_value());
}

TEST(Sha256, MatchesFips180Vectors) {
    // FIPS 180-2 Appendix B.1 and B.2.
    EXPECT_EQ(sha256_hex("abc"),
              "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
              "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    const auto raw = sha256_raw("abc");
    ASSERT_EQ(raw.size(), 32u);
    EXPECT_EQ(static_cast<unsigned char>(raw[0]), 0xba);
    EXPECT_EQ(static_cast<unsigned char>(raw[31]), 0xad);
}

TEST(RandomToken, HasExpectedLengthAndIsUnique) {
    EXPECT_EQ(random_token(32).size(), 43u);  // ceil(32 * 4 / 3)
    EXPECT_EQ(random_token(24).size(), 32u);
    EXPECT_EQ(random_token(1).size(), 2u);
    std::set<std::string> seen;
    for (int i = 0; i < 1000; ++i) {
        const auto t = random_token(16);
        ASSERT_EQ(base64url_decode(t)->size(), 16u);
        EXPECT_TRUE(seen.insert(t).second);
    }
}

TEST(ConstantTimeEqual, ComparesContentAndLength) {
    EXPECT_TRUE(constant_time_equal("", ""));
    EXPECT_TRUE(constant_time_equal("secret", "secret"));
    EXPECT_FALSE(constant_time_equal("secret", "secreT"));
    EXPECT_FALSE(constant_time_equal("Secret", "secret"));
    EXPECT_FALSE(constant_time_equal("secret", "secret2"));
    EXPECT_FALSE(constant_time_equal("", "x"));
}

}  // namespace
}  // namespace driftway::auth
