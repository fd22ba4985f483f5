#pragma once
// Configuration: built-in defaults, then a TOML file, then DRIFTWAY_<SECTION>_<KEY>
// environment variables, then command-line flags. Every key is listed in
// docs/operations.md; unknown keys and bad values are errors, not warnings.
#include "driftway/core/error.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace driftway {

struct rate_rule {
    double per_second = 0;  // sustained rate
    double burst = 0;       // requests allowed at once
};

struct config {
    struct server_section {
        std::string listen = "127.0.0.1:8080";
        unsigned shards = 0;  // 0: one per core
        unsigned node_id = 0;
        std::string public_url;  // how clients reach this node; derived from listen when empty
        std::string web_root;    // built web client; empty: none
        std::size_t max_body_bytes = 1 << 20;
        std::size_t max_json_depth = 32;
        std::vector<std::string> cors_origins;
        unsigned shutdown_grace_seconds = 10;
        bool trust_proxy = false;  // take the client address from X-Forwarded-For
    } server;

    struct tls_section {
        bool enabled = false;
        std::string cert_file;
        std::string key_file;
        std::string redirect_listen;  // plain-HTTP listener that redirects to https
        unsigned hsts_max_age = 31536000;
    } tls;

    struct storage_section {
        // "sqlite" (data_dir/driftway.db) or "postgres" (postgres_url); the
        // key is `driver`, or `backend` as the cluster docs call it.
        std::string driver = "sqlite";
        std::string data_dir = "./data";
        std::string postgres_url;  // libpq conninfo or postgres:// URL
        unsigned postgres_pool_size = 4;
    } storage;

    // The cluster's bus: events, presence, voice states and commands, rate
    // limits and voice node registration. Empty: in-process (one node).
    struct redis_section {
        std::string url;  // "redis://host:port[/db]"
    } redis;

    struct auth_section {
        unsigned access_token_ttl = 900;          // seconds
        unsigned refresh_token_ttl = 30 * 86400;  // seconds
        // argon2id cost: "interactive" (default), "moderate", "sensitive", or
        // "min" (tests only: fast and weak).
        std::string password_cost = "interactive";
    } auth;

    struct rate_limit_section {
        bool enabled = true;
        rate_rule ip{50, 100};
        rate_rule user{50, 100};
        rate_rule key{50, 100};
        rate_rule login{10.0 / 60, 10};      // per IP
        rate_rule register_{5.0 / 3600, 5};  // per IP
    } rate_limits;

    struct gateway_section {
        unsigned heartbeat_interval_ms = 41250;
        unsigned resume_grace_seconds = 120;     // a dropped session can be resumed this long
        unsigned replay_events = 1000;           // events kept per session for resume
        std::size_t max_queued_bytes = 4 << 20;  // per connection; past it: close 4010
        unsigned large_space_threshold = 250;    // READY omits member lists of larger spaces
    } gateway;

    struct log_section {
        std::string level = "info";
        bool access_log = true;
    } log;

    struct instance_section {
        std::string name = "Driftway";
        std::string registration = "open";  // initial mode; then set by the owner
        std::size_t max_upload_bytes = 25 << 20;
    } instance;

    struct voice_section {
        bool enabled = true;
        // UDP bind for media (one port per node, BUNDLE); port 0 picks a free one.
        std::string media_listen = "127.0.0.1:0";
        // Addresses put in ICE candidates; empty: the media_listen host.
        std::vector<std::string> announced_ips;
        // Signaling WebSocket URL given to clients; empty: ws[s]://<Host>/voice
        // from the join request.
        std::string endpoint;
        unsigned token_ttl_seconds = 60;
        // TURN (coturn use-auth-secret): credentials are issued only when
        // turn_secret is set.
        std::vector<std::string> turn_urls;
        std::string turn_secret;
        unsigned turn_ttl_seconds = 86400;
        unsigned consent_timeout_ms = 15000;     // ICE consent freshness (RFC 7675)
        unsigned speaking_level_threshold = 60;  // RFC 6464 level (0 loudest … 127)
        unsigned speaking_hangover_ms = 1000;    // still "speaking" this long after
    } voice;

    // `driftway gateway`, the REST proxy in front of the text nodes.
    struct proxy_section {
        std::vector<std::string> text_upstreams;   // "host:port" each
        std::vector<std::string> voice_upstreams;  // listed for /health; nginx routes /voice
        unsigned health_interval_ms = 2000;
        unsigned health_timeout_ms = 1000;
        unsigned request_timeout_ms = 10000;
        unsigned retries = 2;  // extra attempts for idempotent requests
        unsigned backoff_base_ms = 50;
        unsigned backoff_max_ms = 1000;
        unsigned breaker_failures = 5;    // consecutive failures that open a breaker
        unsigned breaker_open_ms = 5000;  // open this long before a half-open trial
        unsigned cache_ttl_seconds = 30;  // stale GET copies served while degraded
        std::size_t cache_max_entries = 10000;
    } proxy;

    // Retried asynchronous work (docs/decisions/0015): attempts per job, the
    // exponential backoff between them, and how often a node looks for due jobs.
    struct jobs_section {
        unsigned max_attempts = 8;
        unsigned backoff_base_ms = 1000;
        unsigned backoff_max_ms = 600000;
        unsigned poll_interval_ms = 500;
    } jobs;

    // Loads defaults <- file (if given) <- environment. Errors name the key.
    static result<config> load(const std::optional<std::string>& file,
                               const std::map<std::string, std::string>& env);
    // The process environment's DRIFTWAY_* variables.
    static std::map<std::string, std::string> environment();

    // host and port of server.listen (port 0 picks a free one).
    std::string listen_host() const;
    std::uint16_t listen_port() const;
};

// Splits "host:port" ("[::1]:80" too). False when malformed.
bool split_host_port(const std::string& text, std::string& host, std::uint16_t& port);

// Splits "redis://host:port[/db]" (port defaults to 6379, db to 0). False
// when malformed.
bool parse_redis_url(const std::string& url, std::string& host, std::uint16_t& port, unsigned& db);

}  // namespace driftway
