#pragma once
// Two peers of one channel on a loopback SFU, both connected and a's stream
// negotiated at b, for tests that start from a working call (the client
// offer and RTCP/stats tests).
#include "test_peer.hpp"

#include <gtest/gtest.h>

namespace driftway::voice::testing {

inline rtc::audio_level voiced(std::uint8_t level = 30) {
    return {true, level};
}

// The SSRC a receiver's latest offer gives the source's stream (msid "<user_id> …").
inline std::uint32_t ssrc_of(const test_peer& receiver, std::uint64_t source_user) {
    if (receiver.offers.empty()) return 0;
    const std::string uid = std::to_string(source_user);
    for (const auto& m : receiver.offers.back().media)
        if (m.msid && m.msid->rfind(uid + " ", 0) == 0 && !m.ssrcs.empty())
            return m.ssrcs.front().ssrc;
    return 0;
}

struct connected_pair : ::testing::Test {
    static sfu_options options_for_tests() {
        sfu_options o;
        o.host = "127.0.0.1";
        o.port = 0;
        return o;
    }
    static constexpr std::uint64_t channel = 7100;

    sfu server{options_for_tests()};
    test_peer a{server, channel, 1};
    test_peer b{server, channel, 2};
    std::uint64_t sent = 0;
    std::uint16_t seq = 1000;
    std::uint32_t ts = 50000;

    void SetUp() override {
        ASSERT_TRUE(test_peer::wait_all({&a, &b}, [&] {
            return a.connected() && b.connected() && a.offers.size() >= 2 && ssrc_of(b, 1) != 0 &&
                   server.snapshot().connected == 2;
        })) << "peers did not connect";
        ASSERT_TRUE(test_peer::wait_all({&a, &b}, [&] {
            a.send_audio(seq++, ts += 960, voiced());
            ++sent;
            return !b.media_from(ssrc_of(b, 1)).empty();
        })) << "media never flowed";
        settle();
    }

    // Every packet a sent was taken in, and what was forwarded has arrived.
    void settle() {
        ASSERT_TRUE(test_peer::wait_all({&a, &b}, [&] {
            const auto c = server.snapshot();
            return c.packets_received >= sent && b.media.size() == c.packets_forwarded;
        }));
    }

    // n packets from a, each with `step` added to the sequence number and
    // `ts_step` to the timestamp; waits until the SFU took them in.
    void send_from_a(int n, std::uint16_t step = 1, std::uint32_t ts_step = 960) {
        const auto before = server.snapshot().packets_received;
        for (int i = 0; i < n; ++i) {
            seq = static_cast<std::uint16_t>(seq + step - 1);
            a.send_audio(seq++, ts += ts_step, voiced());
        }
        sent += static_cast<std::uint64_t>(n);
        ASSERT_TRUE(test_peer::wait_all({&a, &b}, [&] {
            return server.snapshot().packets_received >= before + static_cast<std::uint64_t>(n);
        }));
    }

    // The latest `stats` entry of `user` as b sees it, after a fresh request.
    json::object stats_of(std::uint64_t user) {
        const auto before = b.count("stats");
        b.handle->request_stats();
        EXPECT_TRUE(test_peer::wait_all({&a, &b}, [&] { return b.count("stats") > before; }));
        const auto* s = b.last("stats");
        if (s == nullptr) return {};
        for (const auto& v : s->d.at("participants").as_array())
            if (v.as_object().at("user_id").as_string() == std::to_string(user))
                return v.as_object();
        return {};
    }
};

}  // namespace driftway::voice::testing
