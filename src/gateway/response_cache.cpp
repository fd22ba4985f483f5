#include "driftway/gateway/response_cache.hpp"

#include "driftway/auth/crypto.hpp"

namespace driftway::gateway {

std::string cache_key(const net::request& req) {
    std::string credentials;
    credentials += req.header("Authorization").value_or("");
    credentials += '\n';
    credentials += req.header("X-API-Key").value_or("");
    std::string key;
    key.reserve(req.path.size() + req.query.size() + 80);
    key += net::to_string(req.verb);
    key += ' ';
    // The raw target keeps "%2F" apart from "/"; path and query both come from it.
    key += req.target.empty() ? req.path + (req.query.empty() ? "" : "?" + req.query) : req.target;
    key += ' ';
    key += auth::sha256_hex(credentials);
    return key;
}

response_cache::response_cache(std::size_t max_entries, std::int64_t ttl_ms)
    : max_entries_(max_entries), ttl_ms_(ttl_ms) {}

void response_cache::put(const std::string& key, const net::response& res, std::int64_t now_ms) {
    if (max_entries_ == 0 || ttl_ms_ <= 0 || res.body.size() > max_body_bytes) return;
    std::lock_guard lock(mutex_);
    if (auto it = index_.find(key); it != index_.end()) {
        it->second->res = res;
        it->second->stored_ms = now_ms;
        lru_.splice(lru_.begin(), lru_, it->second);
        return;
    }
    lru_.push_front({key, res, now_ms});
    index_.emplace(key, lru_.begin());
    while (lru_.size() > max_entries_) {
        index_.erase(lru_.back().key);
        lru_.pop_back();
    }
}

std::optional<net::response> response_cache::get(const std::string& key, std::int64_t now_ms) {
    std::lock_guard lock(mutex_);
    const auto it = index_.find(key);
    if (it == index_.end()) return std::nullopt;
    if (now_ms - it->second->stored_ms >= ttl_ms_) {
        lru_.erase(it->second);
        index_.erase(it);
        return std::nullopt;
    }
    lru_.splice(lru_.begin(), lru_, it->second);
    return it->second->res;
}

std::size_t response_cache::size() const {
    std::lock_guard lock(mutex_);
    return lru_.size();
}

}  // namespace driftway::gateway
