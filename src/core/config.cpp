#include "driftway/core/config.hpp"

#include <toml++/toml.h>

#include <unistd.h>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <functional>

extern char** environ;

namespace driftway {

namespace {

// One configurable key: its place in the file, and how to set it from a TOML
// value or from an environment string. Both paths share the same checks.
struct key_spec {
    const char* section;
    const char* key;
    std::function<std::optional<std::string>(config&, const toml::node&)> from_toml;
    std::function<std::optional<std::string>(config&, const std::string&)> from_env;
};

template <class T>
std::optional<std::string> parse_number(const std::string& s, T& out, T min, T max) {
    T v{};
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || p != s.data() + s.size()) return "must be a number";
    if (v < min || v > max) return "is out of range";
    out = v;
    return std::nullopt;
}

std::optional<std::string> parse_double(const std::string& s, double& out) {
    char* end = nullptr;
    const double v = std::strtod(s.c_str(), &end);
    if (s.empty() || end != s.c_str() + s.size()) return "must be a number";
    if (v < 0) return "must not be negative";
    out = v;
    return std::nullopt;
}

std::optional<std::string> parse_bool(const std::string& s, bool& out) {
    if (s == "true" || s == "1" || s == "yes" || s == "on")
        out = true;
    else if (s == "false" || s == "0" || s == "no" || s == "off")
        out = false;
    else
        return "must be true or false";
    return std::nullopt;
}

template <class Get>
key_spec string_key(const char* section, const char* key, Get get,
                    std::function<std::optional<std::string>(const std::string&)> check = {}) {
    auto set = [get, check](config& c, const std::string& v) -> std::optional<std::string> {
        if (check)
            if (auto e = check(v)) return e;
        get(c) = v;
        return std::nullopt;
    };
    return {section, key,
            [set](config& c, const toml::node& n) -> std::optional<std::string> {
                if (!n.is_string()) return "must be a string";
                return set(c, *n.value<std::string>());
            },
            set};
}

template <class T, class Get>
key_spec uint_key(const char* section, const char* key, Get get, T min, T max) {
    auto set = [get, min, max](config& c, const std::string& v) {
        return parse_number<T>(v, get(c), min, max);
    };
    return {section, key,
            [get, min, max](config& c, const toml::node& n) -> std::optional<std::string> {
                if (!n.is_integer()) return "must be an integer";
                const auto v = *n.value<std::int64_t>();
                if (v < static_cast<std::int64_t>(min) || static_cast<std::uint64_t>(v) > max)
                    return "is out of range";
                get(c) = static_cast<T>(v);
                return std::nullopt;
            },
            set};
}

template <class Get>
key_spec bool_key(const char* section, const char* key, Get get) {
    return {section, key,
            [get](config& c, const toml::node& n) -> std::optional<std::string> {
                if (!n.is_boolean()) return "must be true or false";
                get(c) = *n.value<bool>();
                return std::nullopt;
            },
            [get](config& c, const std::string& v) { return parse_bool(v, get(c)); }};
}

template <class Get>
key_spec double_key(const char* section, const char* key, Get get) {
    return {section, key,
            [get](config& c, const toml::node& n) -> std::optional<std::string> {
                if (!n.is_number()) return "must be a number";
                const double v = *n.value<double>();
                if (v < 0) return "must not be negative";
                get(c) = v;
                return std::nullopt;
            },
            [get](config& c, const std::string& v) { return parse_double(v, get(c)); }};
}

std::vector<std::string> split_list(const std::string& s) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= s.size()) {
        auto comma = s.find(',', start);
        if (comma == std::string::npos) comma = s.size();
        if (comma > start) out.push_back(s.substr(start, comma - start));
        start = comma + 1;
    }
    return out;
}

template <class Get>
key_spec list_key(const char* section, const char* key, Get get) {
    return {section, key,
            [get](config& c, const toml::node& n) -> std::optional<std::string> {
                const auto* arr = n.as_array();
                if (!arr) return "must be an array of strings";
                std::vector<std::string> out;
                for (const auto& item : *arr) {
                    if (!item.is_string()) return "must be an array of strings";
                    out.push_back(*item.value<std::string>());
                }
                get(c) = std::move(out);
                return std::nullopt;
            },
            [get](config& c, const std::string& v) -> std::optional<std::string> {
                get(c) = split_list(v);
                return std::nullopt;
            }};
}

std::function<std::optional<std::string>(const std::string&)> one_of(
    std::vector<std::string> allowed) {
    return [allowed](const std::string& v) -> std::optional<std::string> {
        for (const auto& a : allowed)
            if (a == v) return std::nullopt;
        std::string msg = "must be one of:";
        for (const auto& a : allowed) msg += " " + a;
        return msg;
    };
}

std::optional<std::string> check_host_port(const std::string& v) {
    std::string h;
    std::uint16_t p;
    if (!split_host_port(v, h, p)) return "must be HOST:PORT";
    return std::nullopt;
}

std::optional<std::string> check_optional_host_port(const std::string& v) {
    if (v.empty()) return std::nullopt;
    return check_host_port(v);
}

std::optional<std::string> check_optional_redis_url(const std::string& v) {
    if (v.empty()) return std::nullopt;
    std::string host;
    std::uint16_t port = 0;
    unsigned db = 0;
    if (!parse_redis_url(v, host, port, db)) return "must be redis://HOST[:PORT][/DB]";
    return std::nullopt;
}

// The voice signaling URL clients are sent to: empty (derived per request) or ws(s)://…
std::optional<std::string> check_optional_ws_url(const std::string& v) {
    if (v.empty() || v.rfind("ws://", 0) == 0 || v.rfind("wss://", 0) == 0) return std::nullopt;
    return "must be a ws:// or wss:// URL";
}

const std::vector<key_spec>& keys() {
    static const std::vector<key_spec> k = {
        string_key(
            "server", "listen", [](config & c) -> auto& { return c.server.listen; },
            check_host_port),
        uint_key<unsigned>(
            "server", "shards", [](config & c) -> auto& { return c.server.shards; }, 0u, 256u),
        uint_key<unsigned>(
            "server", "node_id", [](config & c) -> auto& { return c.server.node_id; }, 0u, 1023u),
        string_key(
            "server", "public_url", [](config & c) -> auto& { return c.server.public_url; }),
        string_key(
            "server", "web_root", [](config & c) -> auto& { return c.server.web_root; }),
        uint_key<std::size_t>(
            "server", "max_body_bytes", [](config & c) -> auto& { return c.server.max_body_bytes; },
            std::size_t{1024}, std::size_t{1} << 30),
        uint_key<std::size_t>(
            "server", "max_json_depth", [](config & c) -> auto& { return c.server.max_json_depth; },
            std::size_t{2}, std::size_t{256}),
        list_key(
            "server", "cors_origins", [](config & c) -> auto& { return c.server.cors_origins; }),
        uint_key<unsigned>(
            "server", "shutdown_grace_seconds",
            [](config & c) -> auto& { return c.server.shutdown_grace_seconds; }, 0u, 3600u),
        bool_key(
            "server", "trust_proxy", [](config & c) -> auto& { return c.server.trust_proxy; }),
        bool_key(
            "tls", "enabled", [](config & c) -> auto& { return c.tls.enabled; }),
        string_key(
            "tls", "cert_file", [](config & c) -> auto& { return c.tls.cert_file; }),
        string_key(
            "tls", "key_file", [](config & c) -> auto& { return c.tls.key_file; }),
        string_key(
            "tls", "redirect_listen", [](config & c) -> auto& { return c.tls.redirect_listen; },
            check_optional_host_port),
        uint_key<unsigned>(
            "tls", "hsts_max_age", [](config & c) -> auto& { return c.tls.hsts_max_age; }, 0u,
            100000000u),
        string_key(
            "storage", "driver", [](config & c) -> auto& { return c.storage.driver; },
            one_of({"sqlite", "postgres"})),
        string_key(
            "storage", "backend", [](config & c) -> auto& { return c.storage.driver; },
            one_of({"sqlite", "postgres"})),
        string_key(
            "storage", "postgres_url", [](config & c) -> auto& { return c.storage.postgres_url; }),
        uint_key<unsigned>(
            "storage", "postgres_pool_size",
            [](config & c) -> auto& { return c.storage.postgres_pool_size; }, 2u, 64u),
        string_key(
            "redis", "url", [](config & c) -> auto& { return c.redis.url; },
            check_optional_redis_url),
        string_key(
            "storage", "data_dir", [](config & c) -> auto& { return c.storage.data_dir; }),
        uint_key<unsigned>(
            "auth", "access_token_ttl", [](config & c) -> auto& { return c.auth.access_token_ttl; },
            10u, 86400u),
        uint_key<unsigned>(
            "auth", "refresh_token_ttl",
            [](config & c) -> auto& { return c.auth.refresh_token_ttl; }, 60u, 365u * 86400u),
        string_key(
            "auth", "password_cost", [](config & c) -> auto& { return c.auth.password_cost; },
            one_of({"min", "interactive", "moderate", "sensitive"})),
        bool_key(
            "rate_limits", "enabled", [](config & c) -> auto& { return c.rate_limits.enabled; }),
        double_key(
            "rate_limits", "ip_per_second",
            [](config & c) -> auto& { return c.rate_limits.ip.per_second; }),
        double_key(
            "rate_limits", "ip_burst", [](config & c) -> auto& { return c.rate_limits.ip.burst; }),
        double_key(
            "rate_limits", "user_per_second",
            [](config & c) -> auto& { return c.rate_limits.user.per_second; }),
        double_key(
            "rate_limits", "user_burst",
            [](config & c) -> auto& { return c.rate_limits.user.burst; }),
        double_key(
            "rate_limits", "key_per_second",
            [](config & c) -> auto& { return c.rate_limits.key.per_second; }),
        double_key(
            "rate_limits", "key_burst",
            [](config & c) -> auto& { return c.rate_limits.key.burst; }),
        double_key(
            "rate_limits", "login_per_second",
            [](config & c) -> auto& { return c.rate_limits.login.per_second; }),
        double_key(
            "rate_limits", "login_burst",
            [](config & c) -> auto& { return c.rate_limits.login.burst; }),
        double_key(
            "rate_limits", "register_per_second",
            [](config & c) -> auto& { return c.rate_limits.register_.per_second; }),
        double_key(
            "rate_limits", "register_burst",
            [](config & c) -> auto& { return c.rate_limits.register_.burst; }),
        uint_key<unsigned>(
            "gateway", "heartbeat_interval_ms",
            [](config & c) -> auto& { return c.gateway.heartbeat_interval_ms; }, 1000u, 600000u),
        uint_key<unsigned>(
            "gateway", "resume_grace_seconds",
            [](config & c) -> auto& { return c.gateway.resume_grace_seconds; }, 0u, 3600u),
        uint_key<unsigned>(
            "gateway", "replay_events", [](config & c) -> auto& { return c.gateway.replay_events; },
            10u, 100000u),
        uint_key<std::size_t>(
            "gateway", "max_queued_bytes",
            [](config & c) -> auto& { return c.gateway.max_queued_bytes; }, std::size_t{64} << 10,
            std::size_t{1} << 30),
        uint_key<unsigned>(
            "gateway", "large_space_threshold",
            [](config & c) -> auto& { return c.gateway.large_space_threshold; }, 0u, 1000000u),
        string_key(
            "log", "level", [](config & c) -> auto& { return c.log.level; },
            one_of({"debug", "info", "warn", "error"})),
        bool_key(
            "log", "access_log", [](config & c) -> auto& { return c.log.access_log; }),
        string_key(
            "instance", "name", [](config & c) -> auto& { return c.instance.name; }),
        string_key(
            "instance", "registration", [](config & c) -> auto& { return c.instance.registration; },
            one_of({"open", "invite", "closed"})),
        uint_key<std::size_t>(
            "instance", "max_upload_bytes",
            [](config & c) -> auto& { return c.instance.max_upload_bytes; }, std::size_t{1024},
            std::size_t{1} << 34),
        bool_key(
            "voice", "enabled", [](config & c) -> auto& { return c.voice.enabled; }),
        string_key(
            "voice", "media_listen", [](config & c) -> auto& { return c.voice.media_listen; },
            check_host_port),
        list_key(
            "voice", "announced_ips", [](config & c) -> auto& { return c.voice.announced_ips; }),
        string_key(
            "voice", "endpoint", [](config & c) -> auto& { return c.voice.endpoint; },
            check_optional_ws_url),
        uint_key<unsigned>(
            "voice", "token_ttl_seconds",
            [](config & c) -> auto& { return c.voice.token_ttl_seconds; }, 10u, 3600u),
        list_key(
            "voice", "turn_urls", [](config & c) -> auto& { return c.voice.turn_urls; }),
        string_key(
            "voice", "turn_secret", [](config & c) -> auto& { return c.voice.turn_secret; }),
        uint_key<unsigned>(
            "voice", "turn_ttl_seconds",
            [](config & c) -> auto& { return c.voice.turn_ttl_seconds; }, 60u, 7u * 86400u),
        uint_key<unsigned>(
            "voice", "consent_timeout_ms",
            [](config & c) -> auto& { return c.voice.consent_timeout_ms; }, 1000u, 600000u),
        uint_key<unsigned>(
            "voice", "speaking_level_threshold",
            [](config & c) -> auto& { return c.voice.speaking_level_threshold; }, 0u, 127u),
        uint_key<unsigned>(
            "voice", "speaking_hangover_ms",
            [](config & c) -> auto& { return c.voice.speaking_hangover_ms; }, 0u, 60000u),
        list_key(
            "proxy", "text_upstreams", [](config & c) -> auto& { return c.proxy.text_upstreams; }),
        list_key(
            "proxy", "voice_upstreams",
            [](config & c) -> auto& { return c.proxy.voice_upstreams; }),
        uint_key<unsigned>(
            "proxy", "health_interval_ms",
            [](config & c) -> auto& { return c.proxy.health_interval_ms; }, 50u, 3600000u),
        uint_key<unsigned>(
            "proxy", "health_timeout_ms",
            [](config & c) -> auto& { return c.proxy.health_timeout_ms; }, 10u, 600000u),
        uint_key<unsigned>(
            "proxy", "request_timeout_ms",
            [](config & c) -> auto& { return c.proxy.request_timeout_ms; }, 10u, 3600000u),
        uint_key<unsigned>(
            "proxy", "retries", [](config & c) -> auto& { return c.proxy.retries; }, 0u, 10u),
        uint_key<unsigned>(
            "proxy", "backoff_base_ms", [](config & c) -> auto& { return c.proxy.backoff_base_ms; },
            0u, 60000u),
        uint_key<unsigned>(
            "proxy", "backoff_max_ms", [](config & c) -> auto& { return c.proxy.backoff_max_ms; },
            0u, 600000u),
        uint_key<unsigned>(
            "proxy", "breaker_failures",
            [](config & c) -> auto& { return c.proxy.breaker_failures; }, 1u, 1000u),
        uint_key<unsigned>(
            "proxy", "breaker_open_ms", [](config & c) -> auto& { return c.proxy.breaker_open_ms; },
            10u, 3600000u),
        uint_key<unsigned>(
            "proxy", "cache_ttl_seconds",
            [](config & c) -> auto& { return c.proxy.cache_ttl_seconds; }, 0u, 86400u),
        uint_key<std::size_t>(
            "proxy", "cache_max_entries",
            [](config & c) -> auto& { return c.proxy.cache_max_entries; }, std::size_t{0},
            std::size_t{10000000}),
        uint_key<unsigned>(
            "jobs", "max_attempts", [](config & c) -> auto& { return c.jobs.max_attempts; }, 1u,
            100u),
        uint_key<unsigned>(
            "jobs", "backoff_base_ms", [](config & c) -> auto& { return c.jobs.backoff_base_ms; },
            1u, 3600000u),
        uint_key<unsigned>(
            "jobs", "backoff_max_ms", [](config & c) -> auto& { return c.jobs.backoff_max_ms; }, 1u,
            86400000u),
        uint_key<unsigned>(
            "jobs", "poll_interval_ms", [](config & c) -> auto& { return c.jobs.poll_interval_ms; },
            10u, 600000u),
    };
    return k;
}

std::string env_name(const key_spec& k) {
    std::string out = "DRIFTWAY_";
    for (const char* p = k.section; *p; ++p) out.push_back(static_cast<char>(std::toupper(*p)));
    out.push_back('_');
    for (const char* p = k.key; *p; ++p) out.push_back(static_cast<char>(std::toupper(*p)));
    return out;
}

error config_error(std::string where, std::string reason) {
    error e{2, "bad_config", where + " " + reason, {}};
    e.fields.emplace(std::move(where), std::move(reason));
    return e;
}

}  // namespace

result<config> config::load(const std::optional<std::string>& file,
                            const std::map<std::string, std::string>& env) {
    config c;
    if (file) {
        toml::table table;
        try {
            table = toml::parse_file(*file);
        } catch (const toml::parse_error& e) {
            std::string where = *file;
            if (e.source().begin) where += ":" + std::to_string(e.source().begin.line);
            return config_error(where, std::string(e.description()));
        } catch (const std::exception& e) {
            return config_error(*file, e.what());
        }
        for (const auto& [section, node] : table) {
            const auto* sec = node.as_table();
            if (!sec) return config_error(std::string(section.str()), "must be a [section]");
            for (const auto& [key, value] : *sec) {
                const key_spec* spec = nullptr;
                for (const auto& k : keys())
                    if (section.str() == k.section && key.str() == k.key) spec = &k;
                const std::string where = std::string(section.str()) + "." + std::string(key.str());
                if (!spec) return config_error(where, "is not a known setting");
                if (auto err = spec->from_toml(c, value)) return config_error(where, *err);
            }
        }
    }
    for (const auto& [name, value] : env) {
        if (name.rfind("DRIFTWAY_", 0) != 0) continue;
        const key_spec* spec = nullptr;
        for (const auto& k : keys())
            if (env_name(k) == name) spec = &k;
        if (!spec) {
            // A variable naming a known section but no known key is a typo;
            // others (DRIFTWAY_CONFIG, tools' own variables) are not settings.
            bool in_known_section = false;
            for (const auto& k : keys()) {
                const std::string prefix =
                    env_name(k).substr(0, env_name(k).size() - std::strlen(k.key));
                if (name.rfind(prefix, 0) == 0) in_known_section = true;
            }
            if (!in_known_section) continue;
            return config_error(name, "is not a known setting");
        }
        if (auto err = spec->from_env(c, value)) return config_error(name, *err);
    }
    if (!c.voice.turn_secret.empty() && c.voice.turn_urls.empty())
        return config_error("voice.turn_urls",
                            "must list the TURN servers when turn_secret is set");
    for (const auto* list : {&c.proxy.text_upstreams, &c.proxy.voice_upstreams})
        for (const auto& u : *list)
            if (check_host_port(u))
                return config_error(list == &c.proxy.text_upstreams ? "proxy.text_upstreams"
                                                                    : "proxy.voice_upstreams",
                                    "must list HOST:PORT entries");
    if (c.tls.enabled && (c.tls.cert_file.empty() || c.tls.key_file.empty()))
        return config_error("tls", "needs cert_file and key_file when enabled");
    if (c.storage.driver == "postgres" && c.storage.postgres_url.empty())
        return config_error("storage.postgres_url", "must be set when the driver is postgres");
    return c;
}

std::map<std::string, std::string> config::environment() {
    std::map<std::string, std::string> out;
    for (char** e = environ; e && *e; ++e) {
        std::string_view kv(*e);
        if (kv.rfind("DRIFTWAY_", 0) != 0) continue;
        const auto eq = kv.find('=');
        if (eq == std::string_view::npos) continue;
        out.emplace(std::string(kv.substr(0, eq)), std::string(kv.substr(eq + 1)));
    }
    return out;
}

bool split_host_port(const std::string& text, std::string& host, std::uint16_t& port) {
    std::string h, p;
    if (!text.empty() && text[0] == '[') {
        const auto close = text.find(']');
        if (close == std::string::npos || close + 1 >= text.size() || text[close + 1] != ':')
            return false;
        h = text.substr(1, close - 1);
        p = text.substr(close + 2);
    } else {
        const auto colon = text.rfind(':');
        if (colon == std::string::npos) return false;
        h = text.substr(0, colon);
        p = text.substr(colon + 1);
    }
    if (h.empty() || p.empty()) return false;
    unsigned v = 0;
    auto [ptr, ec] = std::from_chars(p.data(), p.data() + p.size(), v);
    if (ec != std::errc{} || ptr != p.data() + p.size() || v > 65535) return false;
    host = h;
    port = static_cast<std::uint16_t>(v);
    return true;
}

bool parse_redis_url(const std::string& url, std::string& host, std::uint16_t& port, unsigned& db) {
    constexpr std::string_view scheme = "redis://";
    if (url.rfind(scheme, 0) != 0) return false;
    std::string rest = url.substr(scheme.size());
    unsigned d = 0;
    if (const auto slash = rest.find('/'); slash != std::string::npos) {
        const std::string n = rest.substr(slash + 1);
        rest.resize(slash);
        if (!n.empty()) {
            auto [ptr, ec] = std::from_chars(n.data(), n.data() + n.size(), d);
            if (ec != std::errc{} || ptr != n.data() + n.size() || d > 15) return false;
        }
    }
    // No credentials in the URL: Redis listens on a private network.
    if (rest.empty() || rest.find('@') != std::string::npos) return false;
    std::string h = rest;
    std::string p;
    if (rest.front() == '[') {
        const auto close = rest.find(']');
        if (close == std::string::npos) return false;
        h = rest.substr(1, close - 1);
        const std::string after = rest.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':') return false;
            p = after.substr(1);
            if (p.empty()) return false;
        }
    } else if (const auto colon = rest.find(':'); colon != std::string::npos) {
        if (rest.find(':', colon + 1) != std::string::npos) return false;  // bare IPv6
        h = rest.substr(0, colon);
        p = rest.substr(colon + 1);
        if (p.empty()) return false;
    }
    if (h.empty()) return false;
    unsigned port_value = 6379;
    if (!p.empty()) {
        auto [ptr, ec] = std::from_chars(p.data(), p.data() + p.size(), port_value);
        if (ec != std::errc{} || ptr != p.data() + p.size() || port_value == 0 ||
            port_value > 65535)
            return false;
    }
    host = h;
    port = static_cast<std::uint16_t>(port_value);
    db = d;
    return true;
}

std::string config::listen_host() const {
    std::string h;
    std::uint16_t p;
    split_host_port(server.listen, h, p);
    return h;
}

std::uint16_t config::listen_port() const {
    std::string h;
    std::uint16_t p = 0;
    split_host_port(server.listen, h, p);
    return p;
}

}  // namespace driftway
