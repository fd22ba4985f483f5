#pragma once
// HTTP request and response as the application sees them. Deliberately free of
// Beast types: only src/net/ includes Beast, so handler code compiles fast.
#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace driftway {
struct error;
}

namespace driftway::net {

enum class method { get, head, post, put, patch, delete_, options, other };

std::string_view to_string(method m) noexcept;
method method_from(std::string_view text) noexcept;

// Small ordered header list with case-insensitive lookup; responses rarely
// carry more than a dozen headers, so a vector beats a map here.
class header_list {
public:
    std::optional<std::string_view> get(std::string_view name) const noexcept;
    void set(std::string_view name, std::string value);  // replaces
    void add(std::string name, std::string value);       // appends
    bool contains(std::string_view name) const noexcept { return get(name).has_value(); }
    const std::vector<std::pair<std::string, std::string>>& items() const noexcept {
        return items_;
    }

private:
    std::vector<std::pair<std::string, std::string>> items_;
};

struct request {
    method verb = method::get;
    std::string target;  // as sent: path and query
    std::string path;    // percent-decoded path
    std::string query;   // raw query string, without '?'
    header_list headers;
    std::string body;
    std::string remote_ip;
    std::string request_id;
    bool secure = false;  // arrived over TLS
    std::int64_t received_ns = 0;

    // Filled by the router: the matched pattern ("/api/v1/users/{id}") for
    // metrics, and the values of its {placeholders}.
    std::string_view route;
    std::vector<std::pair<std::string_view, std::string>> params;

    std::string_view param(std::string_view name) const noexcept;
    // First value of a query parameter, percent-decoded.
    std::optional<std::string> query_param(std::string_view name) const;
    std::optional<std::string_view> header(std::string_view name) const noexcept {
        return headers.get(name);
    }
};

struct response {
    int status = 200;
    header_list headers;
    std::string body;

    static response json(int status, const boost::json::value& v);
    static response no_content();
    static response text(int status, std::string body, std::string content_type = "text/plain");
    static response from_error(const driftway::error& e);
};

}  // namespace driftway::net
