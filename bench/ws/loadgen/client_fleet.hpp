#pragma once
// The receiving clients of one process: opens them a bounded number at a
// time, keeps them alive (heartbeats), and counts what they receive. A
// delivery is a relay frame, or a Driftway MESSAGE_CREATE dispatch; its
// latency is the receive time minus the sender's stamp carried in the
// message ("ts":<ns> in a relay frame, content "t0:<ns>" in Driftway).
#include "ws_client.hpp"

#include <netinet/in.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace loadgen {

struct fleet_client {
    std::uint32_t channel = 0;
    std::uint32_t user = 0;  // index into fleet_plan::tokens (driftway)
};

struct fleet_plan {
    dialect kind = dialect::relay;
    sockaddr_in server{};
    // The upgrade request of each channel's clients (driftway: the same for all).
    std::vector<std::string> requests;
    std::vector<std::string> tokens;
    std::vector<fleet_client> clients;
    unsigned channels = 1;
    unsigned sources = 1;        // 127.0.0.1 … 127.0.0.<sources>
    unsigned source_offset = 0;  // this process's first source
    unsigned open_concurrency = 256;
};

struct delivery_stats {
    std::uint64_t deliveries = 0;
    std::uint64_t payload_bytes = 0;
    std::int64_t first_ns = 0;
    std::int64_t last_ns = 0;
    std::vector<std::uint32_t> latency_us;
};

class client_fleet final : public ws_listener {
public:
    client_fleet(event_loop& loop, fleet_plan plan);

    // Opens every client and runs the loop until each is ready or has
    // failed, or until deadline.
    void open_all(std::int64_t deadline);
    // Heartbeats that are due (driftway).
    void tick(std::int64_t now);
    // Forgets what arrived so far and starts counting.
    void start_measuring();
    void close_all();

    // Clients ready now (opened and not closed since).
    std::size_t ready() const { return ready_; }
    std::size_t failed() const { return failed_; }
    std::size_t closed_after_ready() const { return closed_after_ready_; }
    std::vector<std::uint64_t> ready_per_channel() const;
    const delivery_stats& stats() const { return stats_; }
    // "reason:count,…" over every client that failed or closed; "-" if none.
    std::string failure_summary() const;

    void on_ready(ws_client& client) override;
    void on_message(ws_client& client, std::string_view payload) override;
    void on_closed(ws_client& client) override;

private:
    void launch_more();

    event_loop& loop_;
    fleet_plan plan_;
    std::vector<std::unique_ptr<ws_client>> clients_;
    std::vector<std::uint8_t> was_ready_;
    std::map<std::string, std::size_t> failures_;
    delivery_stats stats_;
    std::size_t next_ = 0;
    std::size_t in_flight_ = 0;
    std::size_t ready_ = 0;
    std::size_t became_ready_ = 0;
    std::size_t failed_ = 0;
    std::size_t closed_after_ready_ = 0;
    bool measuring_ = false;
};

}  // namespace loadgen
