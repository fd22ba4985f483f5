#pragma once
// The sending side. Driftway: REST POST /api/v1/channels/{id}/messages over a
// few keep-alive connections, content "t0:<stamp>"; a message counts once
// the server answered 201 (it is durable by then). Relay: one WebSocket
// that writes {"channel":"c<n>","ts":<stamp>,"content":"…"} frames; a
// message counts once written.
#include "event_loop.hpp"

#include <netinet/in.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace loadgen {

class poster {
public:
    virtual ~poster() = default;

    virtual void post(std::uint32_t channel, std::int64_t stamp_ns) = 0;
    // Starts writing what post() queued.
    virtual void flush() = 0;
    // Posts not yet answered (REST) or bytes not yet written (relay).
    virtual std::size_t outstanding() const = 0;

    const std::vector<std::uint64_t>& accepted() const { return accepted_; }
    std::uint64_t accepted_total() const;
    std::uint64_t rejected() const { return rejected_; }
    // "status:count,…" of the rejected posts; "-" if none.
    std::string rejection_summary() const;
    // Time from post() to the server's answer (REST only).
    const std::vector<std::uint32_t>& answer_latency_us() const { return answer_latency_us_; }
    void reset_counts();

protected:
    explicit poster(std::size_t channels) : accepted_(channels, 0) {}
    void reject(const std::string& reason);

    std::vector<std::uint64_t> accepted_;
    std::vector<std::uint32_t> answer_latency_us_;
    std::map<std::string, std::uint64_t> rejections_;
    std::uint64_t rejected_ = 0;
};

std::unique_ptr<poster> make_rest_poster(event_loop& loop, const sockaddr_in& server,
                                         const std::string& host, const std::string& token,
                                         std::vector<std::string> channel_ids,
                                         std::size_t connections);

// Connects the relay sender and waits until it is open; nullptr on failure.
std::unique_ptr<poster> make_relay_poster(event_loop& loop, const sockaddr_in& server,
                                          const std::string& request, std::size_t channels,
                                          std::size_t payload_bytes, std::int64_t deadline);

}  // namespace loadgen
