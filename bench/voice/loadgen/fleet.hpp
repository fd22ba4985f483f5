#pragma once
// The load client's one thread: every peer's socket and stdin in one epoll
// set. The driver (bench/voice/driver.mjs) sends one command per line on
// stdin and reads one reply per line on stdout:
//
//   new ID pub|sub FOLLOWS     a peer (FOLLOWS: the publisher a subscriber
//                              listens to, -1 for a publisher)  -> ok | err MSG
//   offer ID                   our offer, base64                -> sdp B64
//   answer ID B64              answer a remote offer            -> sdp B64 | err MSG
//   remote ID B64              the remote answer to our offer   -> ok | err MSG
//   wait MS [ID...]            until those peers (all when none) are connected
//                              or failed, at most MS            -> connected N failed N pending N
//   measure WARMUP_MS WINDOW_MS GRACE_MS PID
//                              counts packets sent in the window, received
//                              by GRACE_MS after it, and PID's CPU  -> result k=v ...
//                              (floor_*: the same send straight to a
//                              socket of ours, no server; see loopback_probe)
//   failures                   -> failures k=v ... (reason counts)
//   quit
#include "latency_histogram.hpp"
#include "loopback_probe.hpp"
#include "opus_frames.hpp"
#include "peer.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace driftway::bench {

class fleet : public media_sink {
public:
    fleet();
    ~fleet() override;
    // Runs until quit or end of input; the exit status.
    int run();

    void on_media(int subscriber, std::uint32_t publisher, std::uint32_t counter,
                  std::int64_t send_ns, std::int64_t recv_ns) override;

private:
    struct member {
        std::unique_ptr<peer> p;
        int follows = -1;
        // Publishers: the next frame's due time (monotonic ms), its counter.
        std::int64_t next_send_ms = -1;
        std::uint32_t counter = 0;
        std::uint64_t sent_in_window = 0;
        bool counted = false;  // a subscriber connected when the window opened
    };
    struct wait_op {
        std::int64_t deadline_ms = 0;
        std::vector<int> ids;
    };
    struct measure_op {
        std::int64_t warmup_end_ms = 0, window_ms = 0, grace_ms = 0;
        int pid = 0;
        bool open = false;
        std::int64_t t0_ns = 0, t1_ns = 0, t1_ms = 0;
        double cpu0 = 0, self_cpu0 = 0;
        std::optional<double> cpu1, self_cpu1;
        bool closed = false;
    };

    void command(const std::string& line);
    void reply(const std::string& line);
    member* find(int id);
    void poll_async(std::int64_t now_ms);
    void send_due(std::int64_t now_ms);
    void open_window(std::int64_t now_ms);
    void close_window(std::int64_t now_ms);
    void finish_measure();

    int epfd_ = -1;
    std::shared_ptr<const rtc::certificate> cert_;
    std::vector<opus_frame> frames_;
    std::map<int, member> members_;
    // The publishers among members_ (std::map nodes are stable), rebuilt
    // when members are added, so send_due() does not walk every subscriber.
    std::vector<std::pair<int, member*>> publishers_;  // id, member
    std::size_t publishers_seen_ = 0;
    std::string input_;
    bool quit_ = false;
    std::optional<wait_op> wait_;
    std::optional<measure_op> measure_;
    std::int64_t next_tick_ms_ = 0;

    // Window counters.
    std::uint64_t received_ = 0, foreign_ = 0, late_ = 0;
    latency_histogram latency_;
    loopback_probe probe_;
    bool probe_ok_ = false;
};

}  // namespace driftway::bench
