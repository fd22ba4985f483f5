#include "worker.hpp"

#include "clock.hpp"
#include "proc_status.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <deque>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace loadgen {

namespace {

constexpr std::int64_t quiet_after_end = 3 * ns_per_s;

bool write_all(int fd, const char* data, std::size_t size) {
    while (size > 0) {
        ssize_t n = ::write(fd, data, size);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        data += n;
        size -= static_cast<std::size_t>(n);
    }
    return true;
}

bool write_line(int fd, const std::string& line) {
    std::string with_newline = line + '\n';
    return write_all(fd, with_newline.data(), with_newline.size());
}

// The parent's commands, split into lines, read inside the worker's loop.
class command_reader final : public io_handler {
public:
    explicit command_reader(int fd) : fd_(fd) {}

    void on_io(std::uint32_t) override {
        char buffer[4096];
        ssize_t n = ::read(fd_, buffer, sizeof buffer);
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) return;
        if (n <= 0) {
            eof_ = true;
            return;
        }
        pending_.append(buffer, static_cast<std::size_t>(n));
        std::size_t end;
        while ((end = pending_.find('\n')) != std::string::npos) {
            lines_.push_back(pending_.substr(0, end));
            pending_.erase(0, end + 1);
        }
    }

    bool eof() const { return eof_; }
    std::deque<std::string>& lines() { return lines_; }

private:
    int fd_;
    std::string pending_;
    std::deque<std::string> lines_;
    bool eof_ = false;
};

}  // namespace

std::unique_ptr<worker> worker::spawn(const std::function<int(int, int)>& body) {
    int to_child[2];
    int from_child[2];
    if (pipe2(to_child, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
    if (pipe2(from_child, O_CLOEXEC) != 0) {
        ::close(to_child[0]);
        ::close(to_child[1]);
        throw std::runtime_error("pipe2 failed");
    }
    std::fflush(stdout);
    std::fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        for (int fd : {to_child[0], to_child[1], from_child[0], from_child[1]}) ::close(fd);
        throw std::runtime_error("fork failed");
    }
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        // Keep only the two pipe ends: the parent's sockets and the other
        // workers' pipes would count against this process's open-file limit.
        // Moved out of the way first so that placing them at 3 and 4 cannot
        // overwrite one with the other.
        int high_commands = fcntl(to_child[0], F_DUPFD, 1000);
        int high_reports = fcntl(from_child[1], F_DUPFD, 1000);
        if (high_commands < 0 || high_reports < 0) _exit(2);
        const int commands = 3;
        const int reports = 4;
        if (dup2(high_commands, commands) < 0 || dup2(high_reports, reports) < 0) _exit(2);
        close_range(reports + 1, ~0U, 0);
        int result = 1;
        try {
            result = body(commands, reports);
        } catch (const std::exception& e) {
            std::fprintf(stderr, "ws_loadgen worker: %s\n", e.what());
        }
        std::fflush(stdout);
        std::fflush(stderr);
        _exit(result);
    }
    ::close(to_child[0]);
    ::close(from_child[1]);
    return std::unique_ptr<worker>(
        new worker(pid, unique_fd(to_child[1]), unique_fd(from_child[0])));
}

worker::worker(pid_t pid, unique_fd commands, unique_fd reports)
    : pid_(pid), commands_(std::move(commands)), reports_(std::move(reports)) {}

worker::~worker() {
    commands_.reset();
    reports_.reset();
    if (!reaped_) {
        kill(pid_, SIGKILL);
        waitpid(pid_, nullptr, 0);
    }
}

bool worker::send(std::string_view line) {
    std::string text(line);
    return write_line(commands_.get(), text);
}

bool worker::fill(std::int64_t deadline) {
    for (;;) {
        std::int64_t now = now_ns();
        if (now >= deadline) return false;
        pollfd p{reports_.get(), POLLIN, 0};
        int timeout =
            static_cast<int>(std::min<std::int64_t>((deadline - now) / ns_per_ms + 1, 1000));
        int r = ::poll(&p, 1, timeout);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) return false;
        if (r == 0) continue;
        char buffer[64 << 10];
        ssize_t n = ::read(reports_.get(), buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        buffer_.append(buffer, static_cast<std::size_t>(n));
        return true;
    }
}

std::optional<std::string> worker::read_line(std::int64_t deadline) {
    for (;;) {
        std::size_t end = buffer_.find('\n');
        if (end != std::string::npos) {
            std::string line = buffer_.substr(0, end);
            buffer_.erase(0, end + 1);
            return line;
        }
        if (!fill(deadline)) return std::nullopt;
    }
}

bool worker::read_exact(char* data, std::size_t size, std::int64_t deadline) {
    while (buffer_.size() < size) {
        if (!buffer_.empty()) {
            std::memcpy(data, buffer_.data(), buffer_.size());
            data += buffer_.size();
            size -= buffer_.size();
            buffer_.clear();
        }
        if (!fill(deadline)) return false;
    }
    std::memcpy(data, buffer_.data(), size);
    buffer_.erase(0, size);
    return true;
}

int worker::wait(std::int64_t deadline) {
    if (reaped_) return -1;
    int status = 0;
    while (now_ns() < deadline) {
        pid_t r = waitpid(pid_, &status, WNOHANG);
        if (r == pid_) {
            reaped_ = true;
            return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    kill(pid_, SIGKILL);
    waitpid(pid_, &status, 0);
    reaped_ = true;
    return -1;
}

int serve_fleet(fleet_plan plan, int commands, int reports, std::int64_t open_deadline) {
    event_loop loop;
    client_fleet fleet(loop, std::move(plan));
    fleet.open_all(open_deadline);
    if (!write_line(reports, "ready " + std::to_string(fleet.ready()) + ' ' +
                                 std::to_string(fleet.failed()) + ' ' + fleet.failure_summary())) {
        return 1;
    }

    command_reader reader(commands);
    loop.add(commands, EPOLLIN, &reader);
    std::int64_t next_tick = now_ns();
    std::int64_t end_deadline = 0;
    std::int64_t end_received = 0;
    std::uint64_t expected = 0;
    double cpu_at_go = 0;
    bool reported = false;
    for (;;) {
        loop.poll(50);
        std::int64_t now = now_ns();
        if (now >= next_tick) {
            fleet.tick(now);
            next_tick = now + ns_per_s;
        }
        auto& lines = reader.lines();
        while (!lines.empty()) {
            std::istringstream in(lines.front());
            lines.pop_front();
            std::string command;
            in >> command;
            if (command == "go") {
                fleet.start_measuring();
                cpu_at_go = own_cpu_seconds();
                if (!write_line(reports, "measuring")) return 1;
            } else if (command == "end") {
                in >> end_deadline;
                end_received = now;
                std::vector<std::uint64_t> ready = fleet.ready_per_channel();
                expected = 0;
                std::uint64_t posted = 0;
                for (std::size_t c = 0; in >> posted; ++c) {
                    if (c < ready.size()) expected += posted * ready[c];
                }
            } else if (command == "status") {
                if (!write_line(reports, "status " + std::to_string(fleet.ready()) + ' ' +
                                             std::to_string(fleet.closed_after_ready()) + ' ' +
                                             fleet.failure_summary())) {
                    return 1;
                }
            } else if (command == "quit") {
                fleet.close_all();
                return 0;
            }
        }
        if (reader.eof()) return 1;
        if (end_deadline == 0 || reported) continue;
        const delivery_stats& stats = fleet.stats();
        std::int64_t last = std::max(stats.last_ns, end_received);
        if (stats.deliveries < expected && now < end_deadline && now - last < quiet_after_end) {
            continue;
        }
        reported = true;
        std::ostringstream line;
        line << "done " << stats.deliveries << ' ' << expected << ' ' << stats.payload_bytes << ' '
             << stats.first_ns << ' ' << stats.last_ns << ' ' << fleet.closed_after_ready() << ' '
             << stats.latency_us.size() << ' ' << fleet.failure_summary() << ' '
             << own_cpu_seconds() - cpu_at_go;
        if (!write_line(reports, line.str())) return 1;
        if (!write_all(reports, reinterpret_cast<const char*>(stats.latency_us.data()),
                       stats.latency_us.size() * sizeof(std::uint32_t))) {
            return 1;
        }
    }
}

}  // namespace loadgen
