#pragma once
// GCRA rate limits shared by every node: one Lua script (EVALSHA, EVAL when
// Redis answers NOSCRIPT) reads the TAT, decides and stores the new TAT with
// an expiry, atomically. The script only compares and adds; the decision's
// numbers come from gcra_check on the same TAT and time, so both limiters
// answer the same sequence of requests identically. Redis numbers are
// doubles, so the script does its arithmetic on (seconds, nanoseconds) pairs,
// exact for any int64. When Redis is unreachable it fails open: the request
// is allowed and a warning is logged (at most every 10 s).
#include "driftway/bus/rate_limiter.hpp"
#include "driftway/bus/redis_connection.hpp"

#include <optional>

namespace driftway::bus {

class redis_rate_limiter final : public rate_limiter {
public:
    explicit redis_rate_limiter(redis_connection& commands, std::string key_prefix = "rl:");
    // Uses Redis's clock (TIME), the one clock every node shares.
    boost::asio::awaitable<gcra_decision> check(std::string key, gcra_limit limit) override;
    // With an explicit time in nanoseconds (>= 0), for tests and replays.
    boost::asio::awaitable<gcra_decision> check_at(std::string key, gcra_limit limit,
                                                   std::optional<std::int64_t> now_ns);
    std::uint64_t failed_open() const noexcept { return failed_open_.load(); }

    static const std::string& script();

private:
    redis_connection& commands_;
    std::string prefix_;
    std::string sha_;
    std::atomic<std::uint64_t> failed_open_{0};
    std::atomic<std::int64_t> last_warning_ns_{0};
};

}  // namespace driftway::bus
