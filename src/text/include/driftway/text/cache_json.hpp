#pragma once
// The internal format of shared cache entries (shared_cache.hpp): JSON of the
// store models. A user entry holds the public profile only (id, username,
// display name, avatar, status, created_at, owner): never the email, the
// password hash or the preferences. Readers of untrusted or old entries get
// nullopt (a miss) on anything malformed; they never throw.
#include "driftway/store/models.hpp"
#include "driftway/store/text_models.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace driftway::text {

std::string to_cache_json(const store::user& u);
std::optional<store::user> user_from_cache_json(std::string_view text) noexcept;

std::string to_cache_json(const store::channel& c);
std::optional<store::channel> channel_from_cache_json(std::string_view text) noexcept;

}  // namespace driftway::text
