#include "driftway/auth/authenticator.hpp"

#include "driftway/auth/crypto.hpp"
#include "driftway/core/clock.hpp"
#include "driftway/core/metrics.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <mutex>
#include <unordered_map>

namespace driftway::auth {

namespace {

constexpr std::size_t cache_shards = 16;
constexpr std::size_t max_entries_per_shard = 8192;
constexpr std::int64_t api_key_ttl_ns = 60'000'000'000;

struct jwt_counters {
    metrics::counter& ok;
    metrics::counter& invalid;
    metrics::counter& expired;
};

jwt_counters& counters() {
    static const char* help = "Access token validations by result";
    static jwt_counters c{
        metrics::global().get_counter("jwt_validations_total", help, {{"result", "ok"}}),
        metrics::global().get_counter("jwt_validations_total", help, {{"result", "invalid"}}),
        metrics::global().get_counter("jwt_validations_total", help, {{"result", "expired"}}),
    };
    return c;
}

}  // namespace

struct authenticator::cache {
    struct token_shard {
        std::mutex mutex;
        std::unordered_map<std::string, access_claims> entries;
    };
    struct key_entry {
        principal who;
        std::int64_t fetched_ns = 0;
    };
    struct key_shard {
        std::mutex mutex;
        std::unordered_map<std::string, key_entry> entries;
    };
    std::array<token_shard, cache_shards> tokens;
    std::array<key_shard, cache_shards> keys;

    static std::size_t shard_of(std::string_view s) {
        return std::hash<std::string_view>{}(s) % cache_shards;
    }
};

authenticator::authenticator(const jwt_verifier& verifier, store::api_key_repository& keys)
    : verifier_(verifier), keys_(keys), cache_(std::make_unique<cache>()) {
    counters();
}

authenticator::~authenticator() = default;

result<principal> authenticator::verify_access_token(std::string_view token) {
    const std::int64_t now = clock::unix_seconds();
    auto& shard = cache_->tokens[cache::shard_of(token)];
    {
        std::lock_guard lock(shard.mutex);
        if (auto it = shard.entries.find(std::string(token)); it != shard.entries.end()) {
            if (it->second.expires_at > now) {
                counters().ok.inc();
                return principal{it->second.user_id, principal::kind::user_token, 0, all_scopes};
            }
            shard.entries.erase(it);
        }
    }
    const auto outcome = verifier_.verify(token, now);
    if (!outcome.ok) {
        if (outcome.failure == jwt_failure::expired) {
            counters().expired.inc();
            return error::unauthorized("token_expired", "the access token has expired");
        }
        counters().invalid.inc();
        return error::unauthorized("invalid_token", "the access token is not valid");
    }
    counters().ok.inc();
    {
        std::lock_guard lock(shard.mutex);
        if (shard.entries.size() >= max_entries_per_shard) {
            std::erase_if(shard.entries,
                          [now](const auto& kv) { return kv.second.expires_at <= now; });
            if (shard.entries.size() >= max_entries_per_shard) shard.entries.clear();
        }
        shard.entries.emplace(std::string(token), outcome.claims);
    }
    return principal{outcome.claims.user_id, principal::kind::user_token, 0, all_scopes};
}

boost::asio::awaitable<result<principal>> authenticator::authenticate(const net::request& req) {
    if (auto key = req.header("X-API-Key")) {
        if (!looks_like_api_key(*key))
            co_return error::unauthorized("invalid_api_key", "the API key is not valid");
        const std::string hash = sha256_hex(*key);
        const std::int64_t now = clock::mono_ns();
        auto& shard = cache_->keys[cache::shard_of(hash)];
        {
            std::lock_guard lock(shard.mutex);
            if (auto it = shard.entries.find(hash); it != shard.entries.end()) {
                if (now - it->second.fetched_ns < api_key_ttl_ns) co_return it->second.who;
                shard.entries.erase(it);
            }
        }
        auto row = co_await keys_.by_hash(hash);
        if (!row) co_return error::unauthorized("invalid_api_key", "the API key is not valid");
        std::uint32_t mask = 0;
        for (const auto& s : row->scopes)
            if (auto sc = parse_scope(s)) mask |= static_cast<std::uint32_t>(*sc);
        principal who{row->owner_id, principal::kind::api_key, row->id, mask};
        co_await keys_.touch(row->id, clock::unix_ms());
        {
            std::lock_guard lock(shard.mutex);
            if (shard.entries.size() >= max_entries_per_shard) shard.entries.clear();
            shard.entries.insert_or_assign(hash, cache::key_entry{who, now});
        }
        co_return who;
    }
    auto authz = req.header("Authorization");
    if (!authz) co_return error::unauthorized();
    // The scheme name is case-insensitive (RFC 7235 section 2.1).
    constexpr std::string_view bearer = "bearer ";
    const bool is_bearer =
        authz->size() > bearer.size() &&
        std::equal(bearer.begin(), bearer.end(), authz->begin(),
                   [](char a, char b) { return a == std::tolower(static_cast<unsigned char>(b)); });
    if (!is_bearer)
        co_return error::unauthorized("invalid_token", "use Authorization: Bearer <token>");
    co_return verify_access_token(authz->substr(bearer.size()));
}

void authenticator::forget_api_key(const std::string& key_hash) {
    auto& shard = cache_->keys[cache::shard_of(key_hash)];
    std::lock_guard lock(shard.mutex);
    shard.entries.erase(key_hash);
}

std::string make_api_key_secret() {
    return "dw_" + random_token(32);
}

bool looks_like_api_key(std::string_view text) noexcept {
    if (text.size() != 46 || text.substr(0, 3) != "dw_") return false;
    for (char c : text.substr(3)) {
        const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                        (c >= '0' && c <= '9') || c == '-' || c == '_';
        if (!ok) return false;
    }
    return true;
}

}  // namespace driftway::auth
