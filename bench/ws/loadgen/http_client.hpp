#pragma once
// A few keep-alive HTTP/1.1 connections for REST calls: setup (users,
// spaces, invites) and posting messages. One request at a time per
// connection; a pool spreads queued requests over the idle ones.
#include "event_loop.hpp"

#include <netinet/in.h>

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace loadgen {

struct http_response {
    int status = 0;  // 0: no response (connection failed)
    std::string body;
    std::int64_t sent_ns = 0;  // when the request was first written
    std::int64_t done_ns = 0;
};

using http_callback = std::function<void(http_response&)>;

// A complete request; token adds "Authorization: Bearer <token>", body is JSON.
std::string format_request(std::string_view method, std::string_view target, std::string_view host,
                           std::string_view token, std::string_view body);

class http_client final : public io_handler {
public:
    http_client(event_loop& loop, const sockaddr_in& server);

    bool busy() const { return static_cast<bool>(done_); }
    void start(std::string request, http_callback done);

    void on_io(std::uint32_t events) override;

private:
    enum class state { disconnected, connecting, open };

    void connect();
    void flush();
    void drop();
    void fail_request();
    // True when in_ held a complete response, now delivered. eof: the
    // server has closed its side.
    bool try_complete(bool eof);
    void update_interest();

    event_loop& loop_;
    sockaddr_in server_;
    unique_fd fd_;
    std::string request_;
    std::size_t written_ = 0;
    std::string in_;
    http_callback done_;
    std::int64_t sent_ns_ = 0;
    std::uint32_t interest_ = 0;
    state state_ = state::disconnected;
    bool reused_ = false;   // the request went out on a connection that served one before
    bool retried_ = false;  // a keep-alive connection the server had closed: tried again once
};

class http_pool {
public:
    http_pool(event_loop& loop, const sockaddr_in& server, std::size_t connections);

    void submit(std::string request, http_callback done);
    // Queued plus in flight.
    std::size_t outstanding() const { return queue_.size() + in_flight_; }
    // Runs the loop until nothing is outstanding; false if deadline passed first.
    bool drain(std::int64_t deadline);

private:
    void dispatch();

    event_loop& loop_;
    std::vector<std::unique_ptr<http_client>> clients_;
    std::deque<std::pair<std::string, http_callback>> queue_;
    std::size_t in_flight_ = 0;
};

}  // namespace loadgen
