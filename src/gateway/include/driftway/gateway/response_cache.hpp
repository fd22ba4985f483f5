#pragma once
// Copies of successful GET responses, served only while no upstream can
// answer (the read-only degradation of DESIGN.md): bounded LRU with a TTL.
// A copy is keyed by the caller's credentials too, so one caller never sees
// another's answer. Thread-safe; times are milliseconds on any monotonic clock.
#include "driftway/net/http.hpp"

#include <cstddef>
#include <cstdint>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace driftway::gateway {

// method, path, query and a SHA-256 of the Authorization and X-API-Key
// headers (never the credentials themselves: keys may end up in a dump).
std::string cache_key(const net::request& req);

class response_cache {
public:
    response_cache(std::size_t max_entries, std::int64_t ttl_ms);

    void put(const std::string& key, const net::response& res, std::int64_t now_ms);
    // The copy when present and younger than the TTL; refreshes its LRU place.
    std::optional<net::response> get(const std::string& key, std::int64_t now_ms);

    std::size_t size() const;

    // Larger bodies are not kept: a few huge answers must not evict everything.
    static constexpr std::size_t max_body_bytes = 1 << 20;

private:
    struct entry {
        std::string key;
        net::response res;
        std::int64_t stored_ms = 0;
    };

    std::size_t max_entries_;
    std::int64_t ttl_ms_;
    mutable std::mutex mutex_;
    std::list<entry> lru_;  // most recent first
    std::unordered_map<std::string, std::list<entry>::iterator> index_;
};

}  // namespace driftway::gateway
