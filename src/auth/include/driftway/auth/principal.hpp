#pragma once
// Who is making a request: a user with an access token, or an integration
// with an API key acting as its owner within the key's scopes.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace driftway::auth {

enum class scope : std::uint32_t { read = 1, write = 2, gateway = 4 };
inline constexpr std::uint32_t all_scopes = 1 | 2 | 4;

std::optional<scope> parse_scope(std::string_view text) noexcept;
std::string_view to_string(scope s) noexcept;
// Every known scope name present in the mask, in a fixed order.
std::vector<std::string> scope_names(std::uint32_t mask);

struct principal {
    enum class kind { user_token, api_key };

    std::uint64_t user_id = 0;
    kind via = kind::user_token;
    std::uint64_t api_key_id = 0;  // when via == api_key
    std::uint32_t scopes = all_scopes;

    bool has(scope s) const noexcept { return (scopes & static_cast<std::uint32_t>(s)) != 0; }
    bool is_user_token() const noexcept { return via == kind::user_token; }
};

}  // namespace driftway::auth
