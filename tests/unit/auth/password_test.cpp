#include "driftway/auth/password.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace driftway::auth {
namespace {

TEST(Password, HashVerifiesAndIsArgon2id) {
    const auto hash = hash_password("correct horse battery staple", password_cost::min);
    EXPECT_EQ(hash.rfind("$argon2id$v=19$", 0), 0u) << hash;
    EXPECT_TRUE(verify_password(hash, "correct horse battery staple"));
    EXPECT_FALSE(verify_password(hash, "correct horse battery stapler"));
    EXPECT_FALSE(verify_password(hash, ""));
}

TEST(Password, SaltMakesEveryHashDifferent) {
    const auto a = hash_password("same", password_cost::min);
    const auto b = hash_password("same", password_cost::min);
    EXPECT_NE(a, b);
    EXPECT_TRUE(verify_password(a, "same"));
    EXPECT_TRUE(verify_password(b, "same"));
}

TEST(Password, HandlesBinaryAndLongPasswords) {
    const std::string binary("pa\0ss", 5);
    const auto hash = hash_password(binary, password_cost::min);
    EXPECT_TRUE(verify_password(hash, binary));
    EXPECT_FALSE(verify_password(hash, "pa"));
    const std::string longpw(4096, 'x');
    EXPECT_TRUE(verify_password(hash_password(longpw, password_cost::min), longpw));
}

TEST(Password, CostIsEncodedInTheHash) {
    const auto interactive = hash_password("pw", password_cost::interactive);
    // crypto_pwhash_MEMLIMIT_INTERACTIVE is 64 MiB, OPSLIMIT_INTERACTIVE 2.
    EXPECT_NE(interactive.find("m=65536,t=2"), std::string::npos) << interactive;
    EXPECT_TRUE(verify_password(interactive, "pw"));
}

TEST(Password, MalformedHashesAreRejected) {
    EXPECT_FALSE(verify_password("", "pw"));
    EXPECT_FALSE(verify_password("not a hash", "pw"));
    EXPECT_FALSE(verify_password("$argon2id$v=19$m=8,t=1,p=1$bad$bad", "pw"));
    auto hash = hash_password("pw", password_cost::min);
    EXPECT_FALSE(verify_password(hash.substr(0, hash.size() - 4), "pw"));
    EXPECT_FALSE(verify_password(hash + std::string(200, 'A'), "pw"));
    EXPECT_FALSE(verify_password(std::string(hash).insert(10, 1, '\0'), "pw"));
}

TEST(Password, ParsesCostNames) {
    password_cost c = password_cost::interactive;
    EXPECT_TRUE(parse_password_cost("min", c));
    EXPECT_EQ(c, password_cost::min);
    EXPECT_TRUE(parse_password_cost("moderate", c));
    EXPECT_EQ(c, password_cost::moderate);
    EXPECT_TRUE(parse_password_cost("sensitive", c));
    EXPECT_EQ(c, password_cost::sensitive);
    EXPECT_TRUE(parse_password_cost("interactive", c));
    EXPECT_EQ(c, password_cost::interactive);
    EXPECT_FALSE(parse_password_cost("Interactive", c));
    EXPECT_FALSE(parse_password_cost("", c));
    EXPECT_EQ(c, password_cost::interactive);
}

TEST(Password, DummyHashIsCachedAndSharedAcrossThreads) {
    std::vector<const std::string*> seen(4, nullptr);
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < seen.size(); ++i)
        threads.emplace_back([&seen, i] { seen[i] = &dummy_hash(password_cost::min); });
    for (auto& t : threads) t.join();
    for (const auto* p : seen) EXPECT_EQ(p, seen[0]);
    EXPECT_EQ(seen[0]->rfind("$argon2id$", 0), 0u);
    EXPECT_EQ(&dummy_hash(password_cost::min), seen[0]);
    // Nobody knows its password.
    EXPECT_FALSE(verify_password(*seen[0], ""));
    EXPECT_FALSE(verify_password(*seen[0], "password"));
}

}  // namespace
}  // namespace driftway::auth
