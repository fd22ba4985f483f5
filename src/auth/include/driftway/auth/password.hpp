#pragma once
// argon2id password hashing (libsodium's crypto_pwhash_str). CPU- and
// memory-heavy on purpose: call from the CPU pool, never from a shard thread.
#include <string>
#include <string_view>

namespace driftway::auth {

enum class password_cost { min, interactive, moderate, sensitive };

// Parses "min" | "interactive" | "moderate" | "sensitive".
bool parse_password_cost(std::string_view text, password_cost& out);

// Returns the encoded hash ("$argon2id$v=19$m=…"). Throws std::runtime_error
// only when the system is out of memory.
std::string hash_password(std::string_view password, password_cost cost);

// Constant-time verification; false for a malformed hash.
bool verify_password(std::string_view encoded_hash, std::string_view password) noexcept;

// A hash of a random password at the given cost, verified against when the
// login names an unknown user so response time does not reveal which users exist.
const std::string& dummy_hash(password_cost cost);

}  // namespace driftway::auth
