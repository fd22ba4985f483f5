#pragma once
// Rows as the domain sees them, independent of the backend that stores them.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace driftway::store {

using id_t = std::uint64_t;

struct user {
    id_t id = 0;
    std::string username;  // unique, case-insensitive
    std::string email;     // unique, case-insensitive
    std::string password_hash;
    std::string display_name;
    std::optional<id_t> avatar;      // attachment id
    std::string preferences = "{}";  // JSON object text
    std::string status = "online";   // online | idle | dnd | invisible (chosen, not live)
    std::int64_t created_at = 0;     // Unix ms
    std::int64_t last_active = 0;    // Unix ms
    bool owner = false;              // the instance owner
};

struct user_update {
    std::optional<std::string> display_name;
    std::optional<std::optional<id_t>> avatar;
    std::optional<std::string> preferences;
    std::optional<std::string> status;
};

struct refresh_token {
    std::string token_hash;  // SHA-256 of the opaque token, hex
    id_t user_id = 0;
    std::string family;  // all tokens descended from one login share it
    std::int64_t created_at = 0;
    std::int64_t expires_at = 0;
    bool spent = false;    // rotated: using it again is reuse
    bool revoked = false;  // family revoked (reuse detected or logout)
};

struct api_key {
    id_t id = 0;
    id_t owner_id = 0;
    std::string name;
    std::vector<std::string> scopes;
    std::string key_hash;  // SHA-256 of the secret, hex
    std::int64_t created_at = 0;
    std::int64_t last_used = 0;
    bool revoked = false;
};

struct instance_settings {
    std::string name = "Driftway";
    std::string registration = "open";  // open | invite | closed
    std::int64_t max_upload_bytes = 25 << 20;
    std::optional<id_t> owner_id;
};

}  // namespace driftway::store
