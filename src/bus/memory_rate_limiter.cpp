#include "driftway/bus/rate_limiter.hpp"

#include "driftway/core/clock.hpp"

#include <array>
#include <cstdint>
#include <functional>
#include <mutex>
#include <unordered_map>

namespace driftway::bus {

namespace {
constexpr std::size_t shard_count = 16;
// Calls to one shard between sweeps: frequent enough to bound memory by the
// clients active in the last few seconds, rare enough to cost nothing per call.
constexpr std::uint32_t sweep_every = 4096;
}  // namespace

struct memory_rate_limiter::impl {
    struct shard {
        mutable std::mutex mutex;
        std::unordered_map<std::string, std::int64_t> tats;
        std::uint32_t calls = 0;
    };
    std::array<shard, shard_count> shards;

    shard& shard_for(const std::string& key) {
        return shards[std::hash<std::string>{}(key) % shard_count];
    }
};

memory_rate_limiter::memory_rate_limiter() : impl_(std::make_unique<impl>()) {}
memory_rate_limiter::~memory_rate_limiter() = default;

boost::asio::awaitable<gcra_decision> memory_rate_limiter::check(std::string key,
                                                                 gcra_limit limit) {
    co_return check_now(key, limit, clock::mono_ns());
}

gcra_decision memory_rate_limiter::check_now(const std::string& key, gcra_limit limit,
                                             std::int64_t now_ns) {
    auto& s = impl_->shard_for(key);
    std::lock_guard lock(s.mutex);
    auto it = s.tats.find(key);
    const auto d = gcra_check(it == s.tats.end() ? 0 : it->second, now_ns, limit);
    if (d.allowed) {
        if (it == s.tats.end())
            s.tats.emplace(key, d.new_tat_ns);
        else
            it->second = d.new_tat_ns;
    }
    if (++s.calls % sweep_every == 0) {
        // A TAT in the past means the bucket is full again: forgetting the key
        // changes no future answer.
        std::erase_if(s.tats, [now_ns](const auto& kv) { return kv.second < now_ns; });
    }
    return d;
}

std::size_t memory_rate_limiter::size() const {
    std::size_t n = 0;
    for (const auto& s : impl_->shards) {
        std::lock_guard lock(s.mutex);
        n += s.tats.size();
    }
    return n;
}

}  // namespace driftway::bus
