#include "driftway/auth/account_rules.hpp"

#include "driftway/core/json.hpp"

namespace driftway::auth {

bool valid_username_chars(std::string_view name) noexcept {
    for (char c : name) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
        if (!ok) return false;
    }
    return true;
}

bool valid_email(std::string_view email) noexcept {
    const auto at = email.find('@');
    if (at == std::string_view::npos || at == 0 || at + 1 >= email.size()) return false;
    if (email.find('@', at + 1) != std::string_view::npos) return false;
    for (unsigned char c : email)
        if (c <= ' ' || c == 0x7f) return false;
    return true;
}

std::string lower_ascii(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

std::optional<std::string> check_username(std::string_view name) {
    if (name.size() < username_min || name.size() > username_max)
        return "must be 2 to 32 characters";
    if (!valid_username_chars(name)) return "may contain only letters, digits, '_', '.' and '-'";
    return std::nullopt;
}

std::optional<std::string> check_email(std::string_view email) {
    if (email.size() < email_min || email.size() > email_max) return "must be 3 to 254 characters";
    if (!valid_email(email)) return "is not an email address";
    return std::nullopt;
}

std::optional<std::string> check_password(std::string_view password) {
    if (!json::valid_utf8(password)) return "must be valid UTF-8";
    const auto n = json::utf8_length(password);
    if (n < password_min || n > password_max) return "must be 8 to 256 characters";
    return std::nullopt;
}

}  // namespace driftway::auth
