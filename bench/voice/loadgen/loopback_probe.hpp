#pragma once
// The load client's own floor for the one-way latency: the same steps a
// publisher takes (read the clock, SRTP-protect a packet of the same size,
// send it on loopback) straight to a socket of ours, timed the same way (the
// kernel's receive timestamp). What bench/voice reports as "one-way" minus
// this floor is what the server and its second loopback hop add.
#include "latency_histogram.hpp"

#include <driftway/rtc/srtp.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace driftway::bench {

class loopback_probe {
public:
    loopback_probe() = default;
    ~loopback_probe();
    loopback_probe(const loopback_probe&) = delete;
    loopback_probe& operator=(const loopback_probe&) = delete;

    bool open(std::string& error);
    int receive_fd() const noexcept { return rx_; }

    // One probe packet of `payload_size` bytes of payload, as a publisher's.
    void send(std::size_t payload_size);
    // Reads what arrived; adds each trip to the histogram when counting.
    void on_readable(bool counting);

    latency_histogram& histogram() noexcept { return latency_; }

private:
    int tx_ = -1, rx_ = -1;
    std::unique_ptr<rtc::srtp_session> srtp_;
    std::uint16_t seq_ = 0;
    std::uint32_t ts_ = 0;
    latency_histogram latency_;
};

}  // namespace driftway::bench
