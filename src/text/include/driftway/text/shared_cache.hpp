#pragma once
// A cache shared by the nodes of a cluster (Redis there), behind which
// text::directory keeps user profiles and channels: cache:user:{id} and
// cache:channel:{id}, values opaque strings (cache_json.hpp). A single node
// has none (directory without one costs nothing extra); null_shared_cache is
// the do-nothing implementation for callers that want an object anyway.
//
// set() and invalidate() never block the caller: they are sent in the
// background and their failure only costs a later miss or a ttl's staleness.
// invalidate() makes every node (this one too) run the on_invalidate handler
// with the key, so each node drops its local copy.
#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace driftway::text {

class shared_cache {
public:
    virtual ~shared_cache() = default;

    // nullopt on a miss, and when the cache is unreachable.
    virtual boost::asio::awaitable<std::optional<std::string>> get(std::string key) = 0;
    virtual void set(std::string key, std::string value) = 0;
    virtual void invalidate(std::string key) = 0;
    // Set once, before use; runs on the cache's own thread.
    virtual void on_invalidate(std::function<void(std::string_view key)> handler) = 0;

    static std::string user_key(std::uint64_t id) { return "cache:user:" + std::to_string(id); }
    static std::string channel_key(std::uint64_t id) {
        return "cache:channel:" + std::to_string(id);
    }
};

class null_shared_cache final : public shared_cache {
public:
    boost::asio::awaitable<std::optional<std::string>> get(std::string) override {
        co_return std::nullopt;
    }
    void set(std::string, std::string) override {}
    void invalidate(std::string) override {}
    void on_invalidate(std::function<void(std::string_view)>) override {}
};

}  // namespace driftway::text
