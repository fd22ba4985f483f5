#include "driftway/bus/redis_rate_limiter.hpp"

#include "driftway/core/clock.hpp"
#include "driftway/core/log.hpp"

#include <openssl/evp.h>

#include <charconv>
#include <cmath>

namespace driftway::bus {

namespace {

// KEYS[1] the TAT; ARGV: now ('' = Redis TIME), interval, tau, all decimal
// nanoseconds. Returns {stored TAT, now, allowed}. Times are split into
// (seconds, nanoseconds) because Lua numbers are doubles (exact to 2^53).
constexpr const char* gcra_lua = R"lua(
local function parse(s)
  if not s or s == '' then return 0, 0 end
  local n = string.len(s)
  if n <= 9 then return 0, tonumber(s) end
  return tonumber(string.sub(s, 1, n - 9)), tonumber(string.sub(s, n - 8))
end
local function less(as, an, bs, bn)
  if as ~= bs then return as < bs end
  return an < bn
end
local function add(as, an, bs, bn)
  local s, n = as + bs, an + bn
  if n >= 1000000000 then s = s + 1; n = n - 1000000000 end
  return s, n
end
local function sub(as, an, bs, bn)
  local s, n = as - bs, an - bn
  if n < 0 then s = s - 1; n = n + 1000000000 end
  return s, n
end
local function fmt(s, n)
  if s == 0 then return string.format('%d', n) end
  return string.format('%d%09d', s, n)
end
local ts, tn = parse(redis.call('GET', KEYS[1]))
local ns, nn
if ARGV[1] == '' then
  local t = redis.call('TIME')
  ns, nn = tonumber(t[1]), tonumber(t[2]) * 1000
else
  ns, nn = parse(ARGV[1])
end
local is, inn = parse(ARGV[2])
local us, un = parse(ARGV[3])
local xs, xn = ts, tn
if less(xs, xn, ns, nn) then xs, xn = ns, nn end
local ds, dn = sub(xs, xn, us, un)
local allowed = 0
if not less(ns, nn, ds, dn) then
  allowed = 1
  local ws, wn = add(xs, xn, is, inn)
  local ls, ln = sub(ws, wn, ns, nn)
  redis.call('SET', KEYS[1], fmt(ws, wn), 'PX', ls * 1000 + math.floor(ln / 1000000) + 1)
end
return {fmt(ts, tn), fmt(ns, nn), allowed}
)lua";

std::string sha1_hex(const std::string& text) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_Digest(text.data(), text.size(), digest, &len, EVP_sha1(), nullptr);
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < len; ++i) {
        out.push_back(hex[digest[i] >> 4]);
        out.push_back(hex[digest[i] & 15]);
    }
    return out;
}

std::optional<std::int64_t> parse_i64(const redis_reply& r) {
    if (r.type == redis_reply::kind::integer) return r.integer;
    std::int64_t v = 0;
    const auto* end = r.str.data() + r.str.size();
    const auto [p, ec] = std::from_chars(r.str.data(), end, v);
    if (ec != std::errc{} || p != end) return std::nullopt;
    return v;
}

gcra_decision fail_open(gcra_limit limit) {
    // Like a fresh key: what a request would see if the limiter had no memory.
    return gcra_check(0, clock::mono_ns(), limit);
}

}  // namespace

const std::string& redis_rate_limiter::script() {
    static const std::string s = gcra_lua;
    return s;
}

redis_rate_limiter::redis_rate_limiter(redis_connection& commands, std::string key_prefix)
    : commands_(commands), prefix_(std::move(key_prefix)), sha_(sha1_hex(script())) {}

boost::asio::awaitable<gcra_decision> redis_rate_limiter::check(std::string key, gcra_limit limit) {
    co_return co_await check_at(std::move(key), limit, std::nullopt);
}

boost::asio::awaitable<gcra_decision> redis_rate_limiter::check_at(
    std::string key, gcra_limit limit, std::optional<std::int64_t> now_ns) {
    const auto params = gcra_params_of(limit);
    std::vector<std::string> args{"EVALSHA",
                                  sha_,
                                  "1",
                                  prefix_ + key,
                                  now_ns ? std::to_string(std::max<std::int64_t>(*now_ns, 0)) : "",
                                  std::to_string(params.interval_ns),
                                  std::to_string(params.tau_ns)};
    auto reply = co_await commands_.command(args);
    if (reply.type == redis_reply::kind::error && reply.str.starts_with("NOSCRIPT")) {
        args[0] = "EVAL";
        args[1] = script();  // EVAL also caches it for the next EVALSHA
        reply = co_await commands_.command(std::move(args));
    }
    if (reply.type != redis_reply::kind::array || reply.elements.size() != 3) {
        failed_open_.fetch_add(1);
        const auto now = clock::mono_ns();
        auto last = last_warning_ns_.load();
        if (now - last > 10'000'000'000 && last_warning_ns_.compare_exchange_strong(last, now))
            log::warn("rate limiter: redis unavailable, allowing requests", {{"error", reply.str}});
        co_return fail_open(limit);
    }
    const auto tat = parse_i64(reply.elements[0]);
    const auto now = parse_i64(reply.elements[1]);
    if (!tat || !now) co_return fail_open(limit);
    auto d = gcra_check(*tat, *now, limit);
    if (d.allowed != (reply.elements[2].integer == 1)) {
        // Cannot happen while script and gcra_check agree; trust what was stored.
        log::error("rate limiter: script and gcra_check disagree", {{"key", key}});
        d.allowed = reply.elements[2].integer == 1;
    }
    co_return d;
}

}  // namespace driftway::bus
