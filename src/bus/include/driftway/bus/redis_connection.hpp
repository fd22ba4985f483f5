#pragma once
// One connection to Redis: hiredis's async context driven by Asio. The
// hiredis event hooks (addRead/delRead/addWrite/delWrite/cleanup) become
// async_wait calls on a stream_descriptor over the socket, so no extra event
// library or thread is needed. When the connection drops, every pending
// command completes with redis_reply::kind::failed (never hangs) and the
// connection reconnects by itself with exponential backoff.
//
// Threading: every hiredis call runs on `executor`, which must be a strand or
// a single-threaded io_context. The public functions are thread-safe (they
// post there). Destroy the object only after the executor's threads have
// stopped (or from that executor).
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace driftway::bus {

struct redis_reply {
    enum class kind {
        nil,
        status,
        error,  // an error reply from Redis ("ERR …", "NOSCRIPT …")
        integer,
        string,
        array,
        failed,  // no reply: not connected, or the connection dropped first
    };
    kind type = kind::nil;
    std::string str;  // status, error, string; a reason for failed
    long long integer = 0;
    std::vector<redis_reply> elements;

    bool ok() const noexcept { return type != kind::error && type != kind::failed; }
    static redis_reply failure(std::string why) {
        redis_reply r;
        r.type = kind::failed;
        r.str = std::move(why);
        return r;
    }
};

struct redis_options {
    std::string host = "127.0.0.1";
    int port = 6379;
    std::chrono::milliseconds min_backoff{50};
    std::chrono::milliseconds max_backoff{2000};
};

class redis_connection {
public:
    using callback = std::function<void(redis_reply)>;
    // Receives every reply to a persistent command (SUBSCRIBE): a hiredis
    // redisReply, or null when the connection goes. Used by redis_subscriber.
    struct persistent_handler {
        virtual void on_reply(const void* hiredis_reply) = 0;

    protected:
        ~persistent_handler() = default;
    };

    redis_connection(boost::asio::any_io_executor executor, redis_options options);
    ~redis_connection();
    redis_connection(const redis_connection&) = delete;
    redis_connection& operator=(const redis_connection&) = delete;

    // Connects (and keeps reconnecting). Thread-safe.
    void start();

    // Sends one command; `done` runs on the connection's executor. Commands
    // sent in one turn of the executor leave in one write (pipelined).
    void send(std::vector<std::string> args, callback done);
    // Several commands in one write, in order; done gets their replies.
    void send_pipeline(std::vector<std::vector<std::string>> commands,
                       std::function<void(std::vector<redis_reply>)> done);

    boost::asio::awaitable<redis_reply> command(std::vector<std::string> args);
    template <class... A>
    boost::asio::awaitable<redis_reply> command_of(const A&... args) {
        return command(std::vector<std::string>{std::string(args)...});
    }

    // Called on the executor after each successful (re)connect, before
    // anything else is read: resubscribe, reload scripts. Set before start().
    void on_connect(std::function<void()> f);
    // For redis_subscriber: a command whose callback stays registered.
    // Must be called on the executor; returns false when not connected.
    bool send_persistent(const std::vector<std::string>& args, persistent_handler* handler);

    bool connected() const noexcept;
    std::uint64_t connect_count() const noexcept;
    const boost::asio::any_io_executor& executor() const noexcept;

    struct impl;

private:
    std::shared_ptr<impl> impl_;
};

// Converts a hiredis redisReply (passed as void* to keep hiredis out of this header).
redis_reply to_redis_reply(const void* hiredis_reply);

}  // namespace driftway::bus
