#include "ws/send_queue.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace driftway::net::ws::detail {
namespace {

std::span<const std::uint8_t> header_of(std::string_view s) {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

// What a gather write of everything queued would put on the wire.
std::string wire(const send_queue& q, std::size_t max_buffers = 128,
                 std::size_t max_bytes = SIZE_MAX) {
    std::vector<iovec> buffers(max_buffers);
    const auto g = q.gather(buffers, max_bytes);
    std::string out;
    for (std::size_t i = 0; i < g.buffers; ++i) {
        out.append(static_cast<const char*>(buffers[i].iov_base), buffers[i].iov_len);
    }
    EXPECT_EQ(out.size(), g.bytes);
    return out;
}

TEST(WsSendQueue, GathersHeaderHeadAndSharedBodyOfEachFrame) {
    send_queue q;
    const auto body = std::make_shared<const std::string>("BODY");
    q.push(header_of("H1"), "head1:", body);
    q.push(header_of("H2"), "head2:", body);
    q.push(header_of("H3"), {}, nullptr);
    EXPECT_EQ(q.frames(), 3u);
    EXPECT_EQ(q.bytes(), 2 + 6 + 4 + 2 + 6 + 4 + 2u);
    EXPECT_EQ(wire(q), "H1head1:BODYH2head2:BODYH3");
    // The body is referenced, not copied.
    EXPECT_EQ(body.use_count(), 3);
}

TEST(WsSendQueue, ResumesAfterPartialWritesAtEveryOffset) {
    const std::string expected = "H1head1:BODYH2" + std::string(100, 'p') + "BODYH3";
    for (std::size_t step = 1; step <= expected.size(); ++step) {
        send_queue q;
        const auto body = std::make_shared<const std::string>("BODY");
        q.push(header_of("H1"), "head1:", body);
        // A prefix longer than the inline space.
        q.push(header_of("H2"), std::string(100, 'p'), body);
        q.push(header_of("H3"), {}, nullptr);
        std::string written;
        while (!q.empty()) {
            const std::string next = wire(q);
            const std::size_t n = std::min(step, next.size());
            written += next.substr(0, n);
            q.consume(n);
            EXPECT_EQ(q.bytes(), expected.size() - written.size());
        }
        EXPECT_EQ(written, expected) << "step " << step;
        EXPECT_EQ(body.use_count(), 1) << "step " << step;
    }
}

TEST(WsSendQueue, GatherStopsAtItsLimits) {
    send_queue q;
    for (int i = 0; i < 100; ++i) {
        q.push(header_of("h"), {}, std::make_shared<const std::string>(std::string(1000, 'b')));
    }
    std::vector<iovec> buffers(128);
    const auto by_count = q.gather(buffers, SIZE_MAX);
    EXPECT_EQ(by_count.buffers, 128u);  // 64 frames
    EXPECT_EQ(by_count.bytes, 64u * 1001);
    const auto by_bytes = q.gather(buffers, 10 * 1001);
    EXPECT_EQ(by_bytes.bytes, 10u * 1001);
}

TEST(WsSendQueue, GrowsPastItsRingAndKeepsOrder) {
    send_queue q;
    std::string expected;
    for (int i = 0; i < 1000; ++i) {
        const std::string head = std::to_string(i) + ";";
        q.push(header_of("#"), head, nullptr);
        expected += "#" + head;
        if (i % 3 == 0) {
            const std::string front = wire(q, 2);
            q.consume(front.size());
            expected.erase(0, front.size());
        }
    }
    std::string rest;
    while (!q.empty()) {
        const std::string next = wire(q);
        rest += next;
        q.consume(next.size());
    }
    EXPECT_EQ(rest, expected);
}

TEST(WsSendQueue, DropKeepsOnlyAFrameAlreadyStarted) {
    send_queue q;
    q.push(header_of("A"), "aaaa", nullptr);
    q.push(header_of("B"), "bbbb", nullptr);
    q.push(header_of("C"), "cccc", nullptr);
    q.consume(2);
    ASSERT_TRUE(q.front_started());
    q.drop_unstarted();
    EXPECT_EQ(q.frames(), 1u);
    EXPECT_EQ(wire(q), "aaa");
    EXPECT_EQ(q.bytes(), 3u);

    send_queue untouched;
    untouched.push(header_of("A"), "aaaa", nullptr);
    untouched.drop_unstarted();
    EXPECT_TRUE(untouched.empty());
    EXPECT_EQ(untouched.bytes(), 0u);
}

}  // namespace
}  // namespace driftway::net::ws::detail
