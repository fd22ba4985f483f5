#include "driftway/net/http.hpp"

#include "driftway/core/error.hpp"
#include "driftway/core/json.hpp"
#include "uri.hpp"

#include <boost/json/serialize.hpp>

#include <algorithm>

namespace driftway::net {

namespace {
constexpr std::string_view method_names[] = {"GET",   "HEAD",   "POST",    "PUT",
                                             "PATCH", "DELETE", "OPTIONS", "OTHER"};

char lower(char c) noexcept {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c;
}

// Header names are case-insensitive (RFC 9110 section 5.1); they are ASCII tokens.
bool iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (lower(a[i]) != lower(b[i])) return false;
    }
    return true;
}
}  // namespace

std::string_view to_string(method m) noexcept {
    const auto i = static_cast<std::size_t>(m);
    return i < std::size(method_names) ? method_names[i] : "OTHER";
}

// Method names are case-sensitive (RFC 9110 section 9.1): "get" is not GET.
method method_from(std::string_view text) noexcept {
    for (std::size_t i = 0; i + 1 < std::size(method_names); ++i) {
        if (method_names[i] == text) return static_cast<method>(i);
    }
    return method::other;
}

std::optional<std::string_view> header_list::get(std::string_view name) const noexcept {
    for (const auto& [k, v] : items_) {
        if (iequals(k, name)) return std::string_view(v);
    }
    return std::nullopt;
}

void header_list::set(std::string_view name, std::string value) {
    auto it = std::find_if(items_.begin(), items_.end(),
                           [&](const auto& kv) { return iequals(kv.first, name); });
    if (it == items_.end()) {
        items_.emplace_back(std::string(name), std::move(value));
        return;
    }
    it->second = std::move(value);
    items_.erase(std::remove_if(std::next(it), items_.end(),
                                [&](const auto& kv) { return iequals(kv.first, name); }),
                 items_.end());
}

void header_list::add(std::string name, std::string value) {
    items_.emplace_back(std::move(name), std::move(value));
}

std::string_view request::param(std::string_view name) const noexcept {
    for (const auto& [k, v] : params) {
        if (k == name) return v;
    }
    return {};
}

std::optional<std::string> request::query_param(std::string_view name) const {
    std::string_view rest = query;
    while (!rest.empty()) {
        const auto amp = rest.find('&');
        const std::string_view pair = rest.substr(0, amp);
        rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
        if (pair.empty()) continue;
        const auto eq = pair.find('=');
        const std::string_view key = pair.substr(0, eq);
        const std::string_view value =
            eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1);
        // Most keys carry no escapes; compare raw first to skip the decode.
        const bool escaped = key.find_first_of("%+") != std::string_view::npos;
        if (escaped ? detail::percent_decode(key, true) == name : key == name) {
            return detail::percent_decode(value, true);
        }
    }
    return std::nullopt;
}

response response::json(int status, const boost::json::value& v) {
    response r;
    r.status = status;
    r.headers.add("Content-Type", "application/json");
    r.body = boost::json::serialize(v);
    return r;
}

response response::no_content() {
    response r;
    r.status = 204;
    return r;
}

response response::text(int status, std::string body, std::string content_type) {
    response r;
    r.status = status;
    r.headers.add("Content-Type", std::move(content_type));
    r.body = std::move(body);
    return r;
}

response response::from_error(const driftway::error& e) {
    return json(e.status, driftway::json::to_json(e));
}

}  // namespace driftway::net
