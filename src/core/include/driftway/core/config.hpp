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
        std::string driver = "sqlite";
        std::string data_dir = "./data";
    } storage;

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

}  // namespace driftway
