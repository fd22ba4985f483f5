#include "driftway/jobs/http_post.hpp"

#include "driftway/net/http_client.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <charconv>

namespace driftway::jobs {

namespace {

bool is_ascii_space_or_control(char ch) noexcept {
    return static_cast<unsigned char>(ch) <= 0x20 || ch == 0x7f;
}

}  // namespace

std::optional<http_url> parse_http_url(std::string_view url) noexcept {
    constexpr std::string_view scheme = "http://";
    if (url.size() <= scheme.size()) return std::nullopt;
    for (std::size_t i = 0; i < scheme.size(); ++i) {
        const char ch = url[i];
        const char lower = (ch >= 'A' && ch <= 'Z') ? static_cast<char>(ch - 'A' + 'a') : ch;
        if (lower != scheme[i]) return std::nullopt;
    }
    for (char ch : url)
        if (is_ascii_space_or_control(ch)) return std::nullopt;
    url.remove_prefix(scheme.size());
    if (url.find('#') != std::string_view::npos) return std::nullopt;

    const auto path_at = url.find_first_of("/?");
    std::string_view authority = url.substr(0, path_at);
    http_url out;
    try {
        out.target = path_at == std::string_view::npos ? "/" : std::string(url.substr(path_at));
        if (out.target.front() == '?') out.target.insert(0, "/");
    } catch (...) {
        return std::nullopt;
    }
    if (authority.empty() || authority.find('@') != std::string_view::npos) return std::nullopt;

    std::string_view host = authority;
    std::string_view port;
    bool has_port = false;  // a ':' after the host
    if (authority.front() == '[') {
        const auto close = authority.find(']');
        if (close == std::string_view::npos || close == 1) return std::nullopt;
        host = authority.substr(1, close - 1);
        const auto rest = authority.substr(close + 1);
        if (!rest.empty()) {
            if (rest.front() != ':') return std::nullopt;
            port = rest.substr(1);
            has_port = true;
        }
    } else if (const auto colon = authority.rfind(':'); colon != std::string_view::npos) {
        host = authority.substr(0, colon);
        port = authority.substr(colon + 1);
        has_port = true;
        if (host.find(':') != std::string_view::npos) return std::nullopt;
    }
    if (host.empty()) return std::nullopt;
    // An empty port after ':' is legal (RFC 3986 section 3.2.3) but only ever a typo here.
    if (has_port && port.empty()) return std::nullopt;
    if (!port.empty()) {
        unsigned value = 0;
        const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
        if (ec != std::errc() || end != port.data() + port.size() || value == 0 || value > 65535)
            return std::nullopt;
        out.port = static_cast<std::uint16_t>(value);
    }
    try {
        out.host = std::string(host);
    } catch (...) {
        return std::nullopt;
    }
    return out;
}

std::string http_post_payload(std::string_view url, const boost::json::value& body) {
    boost::json::object o;
    o["url"] = url;
    o["body"] = body;
    return boost::json::serialize(o);
}

handler make_http_post_handler(net::http_client& client, http_post_options options) {
    return [&client, options](const store::job& j) -> boost::asio::awaitable<outcome> {
        boost::system::error_code ec;
        const auto payload = boost::json::parse(j.payload, ec);
        if (ec || !payload.is_object()) co_return outcome::fatal("payload is not a JSON object");
        const auto& o = payload.get_object();
        const auto* url = o.if_contains("url");
        const auto* body = o.if_contains("body");
        if (url == nullptr || !url->is_string() || body == nullptr)
            co_return outcome::fatal("payload needs a string \"url\" and a \"body\"");
        const auto target = parse_http_url(std::string_view(url->get_string()));
        if (!target) co_return outcome::fatal("url is not an http:// URL");

        net::request req;
        req.verb = net::method::post;
        req.target = target->target;
        req.headers.set("Content-Type", "application/json");
        req.headers.set("User-Agent", "Driftway");
        req.headers.set("Idempotency-Key", std::to_string(j.id));
        req.body = boost::json::serialize(*body);

        const auto r = co_await client.send(target->host, target->port, req, options.timeout);
        if (!r.ok()) {
            std::string why(net::to_string(r.failure));
            if (!r.detail.empty()) why += ": " + r.detail;
            co_return outcome::failure(std::move(why));
        }
        if (r.res.status >= 200 && r.res.status < 300) co_return outcome::success();
        std::string why = "HTTP " + std::to_string(r.res.status);
        if (!r.res.body.empty()) why += ": " + r.res.body.substr(0, options.max_error_body);
        co_return outcome::failure(std::move(why));
    };
}

}  // namespace driftway::jobs
