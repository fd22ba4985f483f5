#include "driftway/net/json_body.hpp"

#include <cctype>

namespace driftway::net {

namespace {
bool is_json_media_type(std::string_view ct) {
    const auto semi = ct.find(';');
    std::string_view type = ct.substr(0, semi);
    while (!type.empty() && type.back() == ' ') type.remove_suffix(1);
    std::string lower(type);
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return lower == "application/json" ||
           (lower.starts_with("application/") && lower.ends_with("+json"));
}
}  // namespace

result<json::value> json_body(const request& req, json::parse_limits limits) {
    if (auto ct = req.header("Content-Type"); ct && !is_json_media_type(*ct))
        return error{415, "unsupported_media_type", "the body must be application/json", {}};
    if (req.body.empty()) return json::value(json::object{});
    return json::parse(req.body, limits);
}

}  // namespace driftway::net
