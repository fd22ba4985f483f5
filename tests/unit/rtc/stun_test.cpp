// STUN against the RFC 5769 test vectors: parsing, MESSAGE-INTEGRITY,
// FINGERPRINT, XOR-MAPPED-ADDRESS, and a builder that reproduces them.
#include "driftway/rtc/stun.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace driftway::rtc::stun {
namespace {

const std::string password = "VOkJxbRl1RmTxUk/WvJxBt";
const transaction_id tid = {0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae};

// RFC 5769 section 2.1: sample request.
const std::vector<std::uint8_t> request = {
    0x00, 0x01, 0x00, 0x58, 0x21, 0x12, 0xa4, 0x42, 0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86,
    0xfa, 0x87, 0xdf, 0xae, 0x80, 0x22, 0x00, 0x10, 0x53, 0x54, 0x55, 0x4e, 0x20, 0x74, 0x65, 0x73,
    0x74, 0x20, 0x63, 0x6c, 0x69, 0x65, 0x6e, 0x74, 0x00, 0x24, 0x00, 0x04, 0x6e, 0x00, 0x01, 0xff,
    0x80, 0x29, 0x00, 0x08, 0x93, 0x2f, 0xf9, 0xb1, 0x51, 0x26, 0x3b, 0x36, 0x00, 0x06, 0x00, 0x09,
    0x65, 0x76, 0x74, 0x6a, 0x3a, 0x68, 0x36, 0x76, 0x59, 0x20, 0x20, 0x20, 0x00, 0x08, 0x00, 0x14,
    0x9a, 0xea, 0xa7, 0x0c, 0xbf, 0xd8, 0xcb, 0x56, 0x78, 0x1e, 0xf2, 0xb5, 0xb2, 0xd3, 0xf2, 0x49,
    0xc1, 0xb5, 0x71, 0xa2, 0x80, 0x28, 0x00, 0x04, 0xe5, 0x7a, 0x3b, 0xcf};

// Section 2.2: IPv4 response, 192.0.2.1 port 32853.
const std::vector<std::uint8_t> response_v4 = {
    0x01, 0x01, 0x00, 0x3c, 0x21, 0x12, 0xa4, 0x42, 0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86,
    0xfa, 0x87, 0xdf, 0xae, 0x80, 0x22, 0x00, 0x0b, 0x74, 0x65, 0x73, 0x74, 0x20, 0x76, 0x65, 0x63,
    0x74, 0x6f, 0x72, 0x20, 0x00, 0x20, 0x00, 0x08, 0x00, 0x01, 0xa1, 0x47, 0xe1, 0x12, 0xa6, 0x43,
    0x00, 0x08, 0x00, 0x14, 0x2b, 0x91, 0xf5, 0x99, 0xfd, 0x9e, 0x90, 0xc3, 0x8c, 0x74, 0x89, 0xf9,
    0x2a, 0xf9, 0xba, 0x53, 0xf0, 0x6b, 0xe7, 0xd7, 0x80, 0x28, 0x00, 0x04, 0xc0, 0x7d, 0x4c, 0x96};

// Section 2.3: IPv6 response, 2001:db8:1234:5678:11:2233:4455:6677 port 32853.
const std::vector<std::uint8_t> response_v6 = {
    0x01, 0x01, 0x00, 0x48, 0x21, 0x12, 0xa4, 0x42, 0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86,
    0xfa, 0x87, 0xdf, 0xae, 0x80, 0x22, 0x00, 0x0b, 0x74, 0x65, 0x73, 0x74, 0x20, 0x76, 0x65, 0x63,
    0x74, 0x6f, 0x72, 0x20, 0x00, 0x20, 0x00, 0x14, 0x00, 0x02, 0xa1, 0x47, 0x01, 0x13, 0xa9, 0xfa,
    0xa5, 0xd3, 0xf1, 0x79, 0xbc, 0x25, 0xf4, 0xb5, 0xbe, 0xd2, 0xb9, 0xd9, 0x00, 0x08, 0x00, 0x14,
    0xa3, 0x82, 0x95, 0x4e, 0x4b, 0xe6, 0x7b, 0xf1, 0x17, 0x84, 0xc9, 0x7c, 0x82, 0x92, 0xc2, 0x75,
    0xbf, 0xe3, 0xed, 0x41, 0x80, 0x28, 0x00, 0x04, 0xc8, 0xfb, 0x0b, 0x4c};

TEST(Stun, Rfc5769SampleRequestParses) {
    ASSERT_TRUE(is_stun(request));
    const auto m = parse(request);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->cls, message_class::request);
    EXPECT_EQ(m->method, method_binding);
    EXPECT_EQ(m->tid, tid);
    EXPECT_EQ(m->software, "STUN test client");
    EXPECT_EQ(m->username, "evtj:h6vY");
    EXPECT_EQ(m->priority, 0x6e0001ffu);
    EXPECT_EQ(m->ice_controlled, 0x932ff9b151263b36u);
    EXPECT_FALSE(m->ice_controlling);
    EXPECT_FALSE(m->use_candidate);
    EXPECT_EQ(m->integrity_offset, 76u);
    EXPECT_EQ(m->fingerprint_offset, 100u);
    EXPECT_TRUE(m->unknown_required.empty());
    EXPECT_TRUE(check_integrity(request, *m, password));
    EXPECT_TRUE(check_fingerprint(request, *m));
    EXPECT_FALSE(check_integrity(request, *m, "wrong password"));
}

TEST(Stun, Rfc5769Ipv4Response) {
    const auto m = parse(response_v4);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->cls, message_class::success);
    EXPECT_EQ(m->method, method_binding);
    EXPECT_EQ(m->software, "test vector");
    ASSERT_TRUE(m->xor_mapped_address);
    EXPECT_EQ(m->xor_mapped_address->family, 4);
    EXPECT_EQ(m->xor_mapped_address->ip_string(), "192.0.2.1");
    EXPECT_EQ(m->xor_mapped_address->port, 32853);
    EXPECT_TRUE(check_integrity(response_v4, *m, password));
    EXPECT_TRUE(check_fingerprint(response_v4, *m));
}

TEST(Stun, Rfc5769Ipv6Response) {
    const auto m = parse(response_v6);
    ASSERT_TRUE(m);
    ASSERT_TRUE(m->xor_mapped_address);
    EXPECT_EQ(m->xor_mapped_address->family, 6);
    EXPECT_EQ(m->xor_mapped_address->ip_string(), "2001:db8:1234:5678:11:2233:4455:6677");
    EXPECT_EQ(m->xor_mapped_address->port, 32853);
    EXPECT_TRUE(check_integrity(response_v6, *m, password));
    EXPECT_TRUE(check_fingerprint(response_v6, *m));
}

TEST(Stun, BuilderReproducesTheSampleRequest) {
    const auto out = builder(message_class::request, method_binding, tid)
                         .padding(0x20)  // the vector pads with spaces
                         .software("STUN test client")
                         .priority(0x6e0001ff)
                         .ice_controlled(0x932ff9b151263b36)
                         .username("evtj:h6vY")
                         .finish(password);
    EXPECT_EQ(out, request);
}

TEST(Stun, BuilderReproducesTheResponses) {
    const auto v4 = builder(message_class::success, method_binding, tid)
                        .padding(0x20)
                        .software("test vector")
                        .xor_mapped_address(socket_address::parse("192.0.2.1", 32853))
                        .finish(password);
    EXPECT_EQ(v4, response_v4);
    const auto v6 = builder(message_class::success, method_binding, tid)
                        .padding(0x20)
                        .software("test vector")
                        .xor_mapped_address(
                            socket_address::parse("2001:db8:1234:5678:11:2233:4455:6677", 32853))
                        .finish(password);
    EXPECT_EQ(v6, response_v6);
}

TEST(Stun, EveryTamperedByteFailsIntegrityOrFingerprint) {
    // Flip each byte after the header's type: a parse failure, a failed
    // integrity or a failed fingerprint, never a message that passes both.
    for (std::size_t i = 2; i < request.size(); ++i) {
        auto bad = request;
        bad[i] ^= 0x01;
        const auto m = parse(bad);
        if (!m) continue;
        EXPECT_FALSE(check_integrity(bad, *m, password) && check_fingerprint(bad, *m))
            << "byte " << i;
    }
    auto bad = request;
    bad[30] ^= 0x40;  // inside SOFTWARE: still parses
    const auto m = parse(bad);
    ASSERT_TRUE(m);
    EXPECT_FALSE(check_integrity(bad, *m, password));
    EXPECT_FALSE(check_fingerprint(bad, *m));
}

TEST(Stun, BuiltRequestWithIceAttributesRoundTrips) {
    const transaction_id t = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
    const auto out = builder(message_class::request, method_binding, t)
                         .username("server:client")
                         .priority(1853824767)
                         .ice_controlling(0x0102030405060708)
                         .use_candidate()
                         .finish("secret-password");
    EXPECT_EQ(out.size() % 4, 0u);
    const auto m = parse(out);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->tid, t);
    EXPECT_EQ(m->username, "server:client");
    EXPECT_EQ(m->priority, 1853824767u);
    EXPECT_EQ(m->ice_controlling, 0x0102030405060708u);
    EXPECT_TRUE(m->use_candidate);
    EXPECT_TRUE(check_integrity(out, *m, "secret-password"));
    EXPECT_TRUE(check_fingerprint(out, *m));
    const auto u = split_username(*m->username);
    ASSERT_TRUE(u);
    EXPECT_EQ(u->local, "server");
    EXPECT_EQ(u->remote, "client");
}

TEST(Stun, ErrorResponse) {
    const auto out = builder(message_class::error, method_binding, tid)
                         .error_code(487, "Role Conflict")
                         .finish("");
    const auto m = parse(out);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->cls, message_class::error);
    EXPECT_EQ(m->error_code, 487);
    EXPECT_EQ(m->integrity_offset, 0u);
    EXPECT_FALSE(check_integrity(out, *m, ""));
    EXPECT_TRUE(check_fingerprint(out, *m));
}

TEST(Stun, WithoutFingerprintOrIntegrityChecksFail) {
    const auto out = builder(message_class::request, method_binding, tid).finish("", false);
    EXPECT_EQ(out.size(), 20u);
    const auto m = parse(out);
    ASSERT_TRUE(m);
    EXPECT_FALSE(check_fingerprint(out, *m));
    EXPECT_FALSE(check_integrity(out, *m, password));
}

TEST(Stun, RejectsMalformedMessages) {
    EXPECT_FALSE(parse(std::vector<std::uint8_t>{}));
    EXPECT_FALSE(parse(std::vector<std::uint8_t>(request.begin(), request.begin() + 19)));
    auto bad_cookie = request;
    bad_cookie[4] = 0;
    EXPECT_FALSE(parse(bad_cookie));
    auto rtp_like = request;
    rtp_like[0] = 0x80;
    EXPECT_FALSE(parse(rtp_like));
    auto long_length = request;
    long_length[3] = 0x5c;  // says 4 more bytes than there are
    EXPECT_FALSE(parse(long_length));
    auto attr_past_end = request;
    attr_past_end[22] = 0x01;  // SOFTWARE length 0x110
    EXPECT_FALSE(parse(attr_past_end));
    // FINGERPRINT not last: append a PRIORITY after it.
    auto after_fp = request;
    for (std::uint8_t b : {0x00, 0x24, 0x00, 0x04, 0x00, 0x00, 0x00, 0x01}) after_fp.push_back(b);
    after_fp[3] = static_cast<std::uint8_t>(after_fp.size() - 20);
    EXPECT_FALSE(parse(after_fp));
}

TEST(Stun, ReportsUnknownComprehensionRequiredAttributes) {
    std::vector<std::uint8_t> m(20, 0);
    m[1] = 0x01;
    write_u32(m.data() + 4, magic_cookie);
    for (std::uint8_t b : {0x7f, 0x01, 0x00, 0x00, 0xc0, 0x01, 0x00, 0x00}) m.push_back(b);
    m[3] = 8;
    const auto p = parse(m);
    ASSERT_TRUE(p);
    ASSERT_EQ(p->unknown_required.size(), 1u);  // 0xC001 is comprehension-optional
    EXPECT_EQ(p->unknown_required[0], 0x7f01);
}

TEST(Stun, SplitUsername) {
    EXPECT_FALSE(split_username("nocolon"));
    EXPECT_FALSE(split_username(":x"));
    EXPECT_FALSE(split_username("x:"));
    const auto u = split_username("a:b:c");
    ASSERT_TRUE(u);
    EXPECT_EQ(u->local, "a");
    EXPECT_EQ(u->remote, "b:c");
}

TEST(SocketAddress, ParsesAndPrints) {
    const auto a = socket_address::parse("127.0.0.1", 5000);
    EXPECT_EQ(a.family, 4);
    EXPECT_EQ(a, socket_address::v4(0x7f000001, 5000));
    EXPECT_EQ(a.ip_string(), "127.0.0.1");
    EXPECT_EQ(socket_address::parse("::1", 1).family, 6);
    EXPECT_EQ(socket_address::parse("::1", 1).ip_string(), "::1");
    EXPECT_EQ(socket_address::parse("999.1.1.1", 1).family, 0);
    EXPECT_EQ(socket_address::parse("", 1).family, 0);
}

}  // namespace
}  // namespace driftway::rtc::stun
