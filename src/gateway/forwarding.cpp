#include "driftway/gateway/forwarding.hpp"

#include "driftway/net/pipeline.hpp"

#include <algorithm>
#include <array>

namespace driftway::gateway {

namespace {

constexpr std::size_t max_request_id = 128;

char lower(char c) noexcept {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c;
}

bool iequals(std::string_view a, std::string_view b) noexcept {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                              [](char x, char y) { return lower(x) == lower(y); });
}

std::string_view trim(std::string_view s) noexcept {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

// Whether the comma-separated list `connection` names `name`.
bool listed(std::string_view connection, std::string_view name) noexcept {
    while (!connection.empty()) {
        const auto comma = connection.find(',');
        if (iequals(trim(connection.substr(0, comma)), name)) return true;
        if (comma == std::string_view::npos) break;
        connection.remove_prefix(comma + 1);
    }
    return false;
}

void copy_end_to_end(const net::header_list& from, net::header_list& to,
                     std::initializer_list<std::string_view> also_skip) {
    const auto connection = from.get("Connection");
    for (const auto& item : from.items()) {
        const std::string& name = item.first;
        if (is_hop_by_hop(name, connection)) continue;
        if (std::any_of(also_skip.begin(), also_skip.end(),
                        [&](std::string_view s) { return iequals(s, name); }))
            continue;
        to.add(name, item.second);
    }
}

}  // namespace

bool valid_request_id(std::string_view id) noexcept {
    if (id.empty() || id.size() > max_request_id) return false;
    return std::all_of(id.begin(), id.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '.' || c == '_' || c == '-';
    });
}

std::string request_id_for(std::optional<std::string_view> from_client) {
    if (from_client && valid_request_id(*from_client)) return std::string(*from_client);
    // The pipeline's generator, given nothing, always makes a fresh id.
    return net::make_request_id(std::nullopt);
}

bool is_hop_by_hop(std::string_view name, std::optional<std::string_view> connection) noexcept {
    static constexpr std::array<std::string_view, 10> fixed = {
        "Connection",
        "Keep-Alive",
        "Proxy-Connection",
        "TE",
        "Trailer",
        "Transfer-Encoding",
        "Upgrade",
        "Proxy-Authenticate",
        "Proxy-Authorization",
        "Content-Length"};  // framing: recomputed by whoever sends the message next
    for (const auto f : fixed)
        if (iequals(f, name)) return true;
    return connection && listed(*connection, name);
}

net::request upstream_request(const net::request& in, const std::string& request_id) {
    net::request out;
    out.verb = in.verb;
    out.target = in.target;
    out.path = in.path;
    out.query = in.query;
    out.body = in.body;
    copy_end_to_end(in.headers, out.headers,
                    {"X-Request-Id", "X-Forwarded-For", "X-Forwarded-Proto"});
    out.headers.add("X-Request-Id", request_id);

    // An earlier proxy (nginx) already lists the client; this hop appends the
    // address it saw, as every proxy in the chain does.
    std::string forwarded_for;
    for (const auto& [name, value] : in.headers.items()) {
        if (!iequals(name, "X-Forwarded-For")) continue;
        if (!forwarded_for.empty()) forwarded_for += ", ";
        forwarded_for += value;
    }
    if (!in.remote_ip.empty()) {
        if (!forwarded_for.empty()) forwarded_for += ", ";
        forwarded_for += in.remote_ip;
    }
    if (!forwarded_for.empty()) out.headers.add("X-Forwarded-For", std::move(forwarded_for));

    const auto proto = in.header("X-Forwarded-Proto");
    const bool known_proto = proto && (*proto == "http" || *proto == "https");
    out.headers.add("X-Forwarded-Proto",
                    known_proto ? std::string(*proto) : (in.secure ? "https" : "http"));
    out.request_id = request_id;
    out.remote_ip = in.remote_ip;
    out.secure = in.secure;
    return out;
}

net::response downstream_response(net::response in) {
    net::response out;
    out.status = in.status;
    out.body = std::move(in.body);
    // Server and Date are the gateway's own; the pipeline adds the rest.
    copy_end_to_end(in.headers, out.headers, {"Server", "Date"});
    return out;
}

}  // namespace driftway::gateway
