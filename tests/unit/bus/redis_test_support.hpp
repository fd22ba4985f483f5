#pragma once
// A real redis-server for the Redis tests: started on a free loopback port in
// a temporary directory, without persistence, and stopped by PID. Plus a
// "node": an io_context on its own thread with the two Redis connections.
#include "driftway/bus/redis_connection.hpp"
#include "driftway/bus/redis_subscriber.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <hiredis/hiredis.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <filesystem>
#include <functional>
#include <future>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace driftway::bus::test {

inline std::string redis_server_binary() {
    for (const char* p : {"/usr/bin/redis-server", "/usr/local/bin/redis-server"})
        if (::access(p, X_OK) == 0) return p;
    return {};
}

// Polls `done` until it holds or the deadline passes.
inline bool wait_for(const std::function<bool()>& done,
                     std::chrono::milliseconds deadline = std::chrono::seconds(10)) {
    const auto until = std::chrono::steady_clock::now() + deadline;
    while (!done()) {
        if (std::chrono::steady_clock::now() > until) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return true;
}

inline int free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    ::close(fd);
    return ntohs(a.sin_port);
}

class redis_server {
public:
    redis_server() : port_(free_port()) {
        char tmpl[] = "/tmp/driftway-redis-XXXXXX";
        dir_ = ::mkdtemp(tmpl);
    }
    ~redis_server() {
        stop();
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
    }
    int port() const { return port_; }

    bool start() {
        const auto bin = redis_server_binary();
        const auto port = std::to_string(port_);
        pid_ = ::fork();
        if (pid_ == 0) {
            ::execl(bin.c_str(), bin.c_str(), "--port", port.c_str(), "--bind", "127.0.0.1",
                    "--save", "", "--appendonly", "no", "--dir", dir_.c_str(), "--logfile",
                    (dir_ + "/redis.log").c_str(), static_cast<char*>(nullptr));
            ::_exit(127);
        }
        return wait_for([&] { return query({"PING"}).str == "PONG"; });
    }
    void stop() {
        if (pid_ <= 0) return;
        ::kill(pid_, SIGKILL);  // like a crash: no goodbye to the clients
        ::waitpid(pid_, nullptr, 0);
        pid_ = -1;
    }

    // A blocking command on a fresh connection, for assertions.
    redis_reply query(const std::vector<std::string>& args) const {
        timeval tv{1, 0};
        redisContext* c = redisConnectWithTimeout("127.0.0.1", port_, tv);
        if (!c || c->err) {
            if (c) redisFree(c);
            return redis_reply::failure("connect");
        }
        std::vector<const char*> argv;
        std::vector<std::size_t> lens;
        for (const auto& a : args) {
            argv.push_back(a.data());
            lens.push_back(a.size());
        }
        void* r = redisCommandArgv(c, static_cast<int>(argv.size()), argv.data(), lens.data());
        auto out = to_redis_reply(r);
        if (r) freeReplyObject(r);
        redisFree(c);
        return out;
    }
    // calls=N of `cmd` in INFO commandstats.
    long long calls(const std::string& cmd) const {
        const auto info = query({"INFO", "commandstats"}).str;
        const auto at = info.find("cmdstat_" + cmd + ":calls=");
        if (at == std::string::npos) return 0;
        return std::stoll(info.substr(at + cmd.size() + 15));
    }

private:
    int port_;
    std::string dir_;
    pid_t pid_ = -1;
};

#define DRIFTWAY_REQUIRE_REDIS()                              \
    if (::driftway::bus::test::redis_server_binary().empty()) \
    GTEST_SKIP() << "redis-server is not installed"

inline redis_options options_for(int port) {
    redis_options o;
    o.port = port;
    o.min_backoff = std::chrono::milliseconds(20);
    o.max_backoff = std::chrono::milliseconds(200);
    return o;
}

// One Driftway node: its own thread, command and subscriber connections.
// halt() stops it abruptly, like a crashed process.
struct node {
    explicit node(int port)
        : work(io.get_executor()),
          commands(io.get_executor(), options_for(port)),
          subscriber(io.get_executor(), options_for(port)) {
        commands.start();
        subscriber.start();
        thread = std::thread([this] { io.run(); });
    }
    ~node() { halt(); }
    void halt() {
        work.reset();
        io.stop();
        if (thread.joinable()) thread.join();
    }

    template <class T>
    std::optional<T> run(boost::asio::awaitable<T> a) {
        std::promise<T> p;
        auto f = p.get_future();
        boost::asio::co_spawn(io, std::move(a), [&p](std::exception_ptr e, T v) {
            if (e)
                p.set_exception(e);
            else
                p.set_value(std::move(v));
        });
        if (f.wait_for(std::chrono::seconds(10)) != std::future_status::ready) return std::nullopt;
        return f.get();
    }

    boost::asio::io_context io;
    std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work;
    redis_connection commands;
    redis_subscriber subscriber;
    std::thread thread;
};

}  // namespace driftway::bus::test
