#include "driftway/auth/principal.hpp"

namespace driftway::auth {

namespace {
constexpr std::pair<std::string_view, scope> names[] = {
    {"read", scope::read}, {"write", scope::write}, {"gateway", scope::gateway}};
}

std::optional<scope> parse_scope(std::string_view text) noexcept {
    for (const auto& [name, s] : names)
        if (name == text) return s;
    return std::nullopt;
}

std::string_view to_string(scope s) noexcept {
    for (const auto& [name, value] : names)
        if (value == s) return name;
    return "unknown";
}

std::vector<std::string> scope_names(std::uint32_t mask) {
    std::vector<std::string> out;
    for (const auto& [name, s] : names)
        if (mask & static_cast<std::uint32_t>(s)) out.emplace_back(name);
    return out;
}

}  // namespace driftway::auth
