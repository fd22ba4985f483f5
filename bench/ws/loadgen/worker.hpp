#pragma once
// Receiving clients run in child processes ("workers") so that no process
// holds more sockets than its open-file limit allows, and so the posting
// side never waits behind a receiver. The parent and each worker talk over
// two pipes, one line per message:
//
//   worker -> parent  ready <ready> <failed> <reasons>    every client opened or failed
//   parent -> worker  go                                  count from now on
//   worker -> parent  measuring
//   parent -> worker  end <deadline_ns> <posted to channel 0> <… channel 1> …
//   worker -> parent  done <deliveries> <expected> <payload bytes> <first_ns> <last_ns>
//                          <closed after ready> <samples> <reasons>
//                     followed by <samples> latencies as raw uint32 microseconds
//   parent -> worker  status
//   worker -> parent  status <ready now> <closed after ready> <reasons>
//   parent -> worker  quit
//
// After `end` a worker reports once it has every delivery it expects (its
// ready clients times what was posted to their channels), when the deadline
// passes, or when nothing has arrived for quiet_after_end.
#include "client_fleet.hpp"
#include "unique_fd.hpp"

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace loadgen {

class worker {
public:
    // Forks; the child runs body(commands, reports) and exits with its result.
    static std::unique_ptr<worker> spawn(const std::function<int(int, int)>& body);
    ~worker();
    worker(const worker&) = delete;
    worker& operator=(const worker&) = delete;

    bool send(std::string_view line);
    std::optional<std::string> read_line(std::int64_t deadline);
    bool read_exact(char* data, std::size_t size, std::int64_t deadline);
    // Waits for the child to exit; its exit status, or -1 if it had to be killed.
    int wait(std::int64_t deadline);

private:
    worker(pid_t pid, unique_fd commands, unique_fd reports);
    bool fill(std::int64_t deadline);

    pid_t pid_;
    unique_fd commands_;
    unique_fd reports_;
    std::string buffer_;
    bool reaped_ = false;
};

// The worker's side: opens the plan's clients and follows the protocol.
int serve_fleet(fleet_plan plan, int commands, int reports, std::int64_t open_deadline);

}  // namespace loadgen
