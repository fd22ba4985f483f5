#pragma once
// What makes a username, email address and password acceptable. Shared by
// registration and `driftway admin create-owner` so both refuse the same input.
#include <optional>
#include <string>
#include <string_view>

namespace driftway::auth {

inline constexpr std::size_t username_min = 2, username_max = 32;
inline constexpr std::size_t email_min = 3, email_max = 254;
inline constexpr std::size_t password_min = 8, password_max = 256;

// Letters, digits, '_', '.' and '-' (the length is checked separately).
bool valid_username_chars(std::string_view name) noexcept;
// One '@' with text on both sides, no spaces or control characters.
bool valid_email(std::string_view email) noexcept;
std::string lower_ascii(std::string s);

// The reason the value is refused, or nullopt when it is fine.
std::optional<std::string> check_username(std::string_view name);
std::optional<std::string> check_email(std::string_view email);
std::optional<std::string> check_password(std::string_view password);

}  // namespace driftway::auth
