// Two DTLS transports handshake through in-memory queues, in both role
// assignments; the exported SRTP keys must cross-match and protect media
// that the other side can read. A wrong fingerprint must fail the handshake.
#include "driftway/rtc/dtls.hpp"
#include "driftway/rtc/srtp.hpp"

#include <gtest/gtest.h>

#include <cctype>
#include <deque>
#include <regex>
#include <thread>

namespace driftway::rtc {
namespace {

using queue = std::deque<std::vector<std::uint8_t>>;

struct pair_of_transports {
    std::shared_ptr<const certificate> cert_a = certificate::generate();
    std::shared_ptr<const certificate> cert_b = certificate::generate();
    queue to_a, to_b;
    std::unique_ptr<dtls_transport> a, b;

    // a expects b's fingerprint and b expects a's, unless `wrong_for_b`:
    // then b expects some other certificate's.
    explicit pair_of_transports(dtls_role role_a, bool wrong_for_b = false,
                                bool lower_case = false) {
        std::string fp_for_a = cert_b->fingerprint_sha256();
        std::string fp_for_b = wrong_for_b ? certificate::generate()->fingerprint_sha256()
                                           : cert_a->fingerprint_sha256();
        if (lower_case)
            for (auto& ch : fp_for_a)
                ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        auto q = [](queue& target) {
            return [&target](bytes_view d) { target.emplace_back(d.begin(), d.end()); };
        };
        a = std::make_unique<dtls_transport>(cert_a, role_a, std::move(fp_for_a), q(to_b));
        b = std::make_unique<dtls_transport>(
            cert_b, role_a == dtls_role::server ? dtls_role::client : dtls_role::server,
            std::move(fp_for_b), q(to_a));
    }

    // Delivers datagrams until both sides settle; a bounded number of rounds
    // (a handshake needs about three flights).
    void run(std::size_t drop_first_n_to_b = 0) {
        a->start();
        b->start();
        for (int round = 0; round < 50 && (!to_a.empty() || !to_b.empty()); ++round) {
            while (!to_b.empty()) {
                auto d = std::move(to_b.front());
                to_b.pop_front();
                if (drop_first_n_to_b > 0) {
                    --drop_first_n_to_b;
                    continue;
                }
                b->on_datagram(d);
            }
            while (!to_a.empty()) {
                auto d = std::move(to_a.front());
                to_a.pop_front();
                a->on_datagram(d);
            }
            // Lost datagrams: wait (bounded) for a retransmission timer to
            // run out, as a socket loop would, and fire it.
            if (to_a.empty() && to_b.empty()) {
                const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
                while (to_a.empty() && to_b.empty() &&
                       std::chrono::steady_clock::now() < deadline) {
                    for (auto* t : {a.get(), b.get()}) {
                        auto due = t->next_timeout();
                        if (due && due->count() == 0) t->on_timeout();
                    }
                    if (!a->next_timeout() && !b->next_timeout()) break;        // nothing pending
                    std::this_thread::sleep_for(std::chrono::milliseconds(5));  // poll interval
                }
            }
        }
    }
};

void expect_keys_cross_match(const dtls_transport& a, const dtls_transport& b) {
    ASSERT_TRUE(a.keys() && b.keys());
    EXPECT_EQ(a.keys()->profile, b.keys()->profile);
    EXPECT_EQ(a.keys()->local_key_salt, b.keys()->remote_key_salt);
    EXPECT_EQ(a.keys()->remote_key_salt, b.keys()->local_key_salt);
    EXPECT_NE(a.keys()->local_key_salt, a.keys()->remote_key_salt);
    EXPECT_EQ(a.keys()->local_key_salt.size(), srtp_key_salt_length(a.keys()->profile));

    // Media protected with one side's local keys unprotects with the other's remote keys.
    auto out = srtp_session::create(a.keys()->profile, srtp_session::direction::outbound,
                                    a.keys()->local_key_salt);
    auto in = srtp_session::create(b.keys()->profile, srtp_session::direction::inbound,
                                   b.keys()->remote_key_salt);
    ASSERT_TRUE(out && in);
    std::vector<std::uint8_t> p(12 + 20 + srtp_max_overhead);
    p[0] = 0x80;
    p[1] = 111;
    p[3] = 1;
    p[11] = 9;
    std::size_t len = 32;
    ASSERT_TRUE(out->protect_rtp(p.data(), len, p.size()));
    EXPECT_TRUE(in->unprotect_rtp(p.data(), len));
    EXPECT_EQ(len, 32u);
}

TEST(certificate, fingerprint_is_sdp_form) {
    auto c = certificate::generate();
    ASSERT_TRUE(c);
    EXPECT_TRUE(
        std::regex_match(c->fingerprint_sha256(), std::regex("([0-9A-F]{2}:){31}[0-9A-F]{2}")));
    EXPECT_NE(c->fingerprint_sha256(), certificate::generate()->fingerprint_sha256());
}

TEST(dtls, handshake_a_server_b_client) {
    pair_of_transports p(dtls_role::server);
    p.run();
    ASSERT_EQ(p.a->current_state(), dtls_transport::state::connected) << p.a->failure_reason();
    ASSERT_EQ(p.b->current_state(), dtls_transport::state::connected) << p.b->failure_reason();
    expect_keys_cross_match(*p.a, *p.b);
    expect_keys_cross_match(*p.b, *p.a);
    // GCM is preferred when both offer it.
    EXPECT_EQ(p.a->keys()->profile, srtp_profile::aead_aes_128_gcm);
}

TEST(dtls, handshake_a_client_b_server) {
    pair_of_transports p(dtls_role::client, false, /*lower_case=*/true);
    p.run();
    ASSERT_EQ(p.a->current_state(), dtls_transport::state::connected) << p.a->failure_reason();
    ASSERT_EQ(p.b->current_state(), dtls_transport::state::connected) << p.b->failure_reason();
    expect_keys_cross_match(*p.a, *p.b);
    expect_keys_cross_match(*p.b, *p.a);
}

TEST(dtls, lost_first_flight_is_retransmitted) {
    pair_of_transports p(dtls_role::client);
    p.run(/*drop_first_n_to_b=*/1);  // the ClientHello is lost
    EXPECT_EQ(p.a->current_state(), dtls_transport::state::connected);
    EXPECT_EQ(p.b->current_state(), dtls_transport::state::connected);
}

TEST(dtls, client_has_a_retransmission_timer_while_handshaking) {
    pair_of_transports p(dtls_role::client);
    EXPECT_FALSE(p.a->next_timeout().has_value());
    p.a->start();
    ASSERT_TRUE(p.a->next_timeout().has_value());
    EXPECT_LE(*p.a->next_timeout(), std::chrono::milliseconds{1000});
    EXPECT_FALSE(p.to_b.empty());
}

TEST(dtls, wrong_fingerprint_fails_the_handshake) {
    pair_of_transports p(dtls_role::client, /*wrong_for_b=*/true);
    p.run();
    EXPECT_EQ(p.b->current_state(), dtls_transport::state::failed);
    EXPECT_FALSE(p.b->keys().has_value());
    EXPECT_NE(p.a->current_state(), dtls_transport::state::connected);
    EXPECT_FALSE(p.a->keys().has_value());
}

TEST(dtls, wrong_fingerprint_fails_as_server_too) {
    pair_of_transports p(dtls_role::server, /*wrong_for_b=*/true);  // b is the client
    p.run();
    EXPECT_EQ(p.b->current_state(), dtls_transport::state::failed);
    EXPECT_NE(p.a->current_state(), dtls_transport::state::connected);
}

TEST(dtls, garbage_datagrams_do_not_crash) {
    pair_of_transports p(dtls_role::server);
    std::vector<std::uint8_t> junk(300, 0x16);
    p.a->on_datagram(junk);
    p.a->on_datagram({});
    // Still able to complete a real handshake afterwards, or failed cleanly.
    p.run();
    SUCCEED();
}

TEST(dtls, close_notify_closes_the_peer) {
    pair_of_transports p(dtls_role::server);
    p.run();
    ASSERT_EQ(p.a->current_state(), dtls_transport::state::connected);
    p.a->close();
    EXPECT_EQ(p.a->current_state(), dtls_transport::state::closed);
    ASSERT_FALSE(p.to_b.empty());
    while (!p.to_b.empty()) {
        p.b->on_datagram(p.to_b.front());
        p.to_b.pop_front();
    }
    EXPECT_EQ(p.b->current_state(), dtls_transport::state::closed);
}

}  // namespace
}  // namespace driftway::rtc
