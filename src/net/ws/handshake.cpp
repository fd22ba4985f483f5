#include "handshake.hpp"

#include "driftway/core/error.hpp"

#include <openssl/evp.h>

#include <array>
#include <stdexcept>

namespace driftway::net::ws::detail {

namespace {

// Section 1.3.
constexpr std::string_view accept_guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

char lower(char c) noexcept {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (lower(a[i]) != lower(b[i])) return false;
    }
    return true;
}

std::string_view trim(std::string_view s) noexcept {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

// Whether a comma-separated list (RFC 9110 section 5.6.1) holds token.
bool list_contains(std::string_view list, std::string_view token) noexcept {
    while (!list.empty()) {
        const auto comma = list.find(',');
        if (iequals(trim(list.substr(0, comma)), token)) return true;
        if (comma == std::string_view::npos) break;
        list.remove_prefix(comma + 1);
    }
    return false;
}

// The header may be sent as several fields; their values form one list.
bool any_field_contains(const request& req, std::string_view name, std::string_view token) {
    for (const auto& [field, value] : req.headers.items()) {
        if (iequals(field, name) && list_contains(value, token)) return true;
    }
    return false;
}

std::size_t field_count(const request& req, std::string_view name) noexcept {
    std::size_t n = 0;
    for (const auto& item : req.headers.items()) {
        if (iequals(item.first, name)) ++n;
    }
    return n;
}

bool is_base64(char c) noexcept {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
           c == '/';
}

// Section 4.1: the key is 16 random bytes in base64, so 22 characters and
// "==", the last character carrying two bits followed by four zero bits.
bool valid_key(std::string_view key) noexcept {
    if (key.size() != 24 || key[22] != '=' || key[23] != '=') return false;
    for (std::size_t i = 0; i < 22; ++i) {
        if (!is_base64(key[i])) return false;
    }
    return std::string_view("AQgw").find(key[21]) != std::string_view::npos;
}

upgrade_check refuse(int status, std::string_view code, std::string_view message) noexcept {
    upgrade_check c;
    c.status = status;
    c.code = code;
    c.message = message;
    return c;
}

}  // namespace

std::string accept_key(std::string_view client_key) {
    std::string input;
    input.reserve(client_key.size() + accept_guid.size());
    input.append(client_key).append(accept_guid);
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int digest_size = 0;
    if (EVP_Digest(input.data(), input.size(), digest.data(), &digest_size, EVP_sha1(), nullptr) !=
        1) {
        throw std::runtime_error("SHA-1 is not available");
    }
    std::array<unsigned char, 4 * ((EVP_MAX_MD_SIZE + 2) / 3) + 1> encoded{};
    const int n = EVP_EncodeBlock(encoded.data(), digest.data(), static_cast<int>(digest_size));
    return {reinterpret_cast<const char*>(encoded.data()), static_cast<std::size_t>(n)};
}

upgrade_check check_upgrade(const request& req, unsigned http_version, bool has_body) noexcept {
    if (!any_field_contains(req, "Upgrade", "websocket")) {
        return refuse(426, "upgrade_required", "this endpoint only accepts WebSocket upgrades");
    }
    if (req.verb != method::get) {
        return refuse(400, "bad_upgrade", "a WebSocket upgrade must be a GET request");
    }
    if (http_version < 11) {
        return refuse(400, "bad_upgrade", "a WebSocket upgrade needs HTTP/1.1");
    }
    if (!any_field_contains(req, "Connection", "upgrade")) {
        return refuse(400, "bad_upgrade", "the Connection header must contain \"upgrade\"");
    }
    const auto version = req.header("Sec-WebSocket-Version");
    if (!version) {
        return refuse(400, "bad_upgrade", "Sec-WebSocket-Version is missing");
    }
    if (field_count(req, "Sec-WebSocket-Version") != 1 || trim(*version) != "13") {
        return refuse(426, "unsupported_websocket_version",
                      "only WebSocket version 13 is supported");
    }
    const auto key = req.header("Sec-WebSocket-Key");
    if (!key || field_count(req, "Sec-WebSocket-Key") != 1 || !valid_key(trim(*key))) {
        return refuse(400, "bad_upgrade", "Sec-WebSocket-Key must be 16 bytes in base64");
    }
    if (has_body) {
        return refuse(400, "bad_upgrade", "a WebSocket upgrade request carries no body");
    }
    upgrade_check ok;
    ok.key = trim(*key);
    return ok;
}

response refusal(const upgrade_check& check) {
    driftway::error e;
    e.status = check.status;
    e.code = std::string(check.code);
    e.message = std::string(check.message);
    response res = response::from_error(e);
    if (check.status == 426) {
        res.headers.set("Upgrade", "websocket");
        res.headers.set("Sec-WebSocket-Version", "13");
    }
    return res;
}

std::string switching_protocols(std::string_view client_key) {
    std::string out;
    out.reserve(160);
    out += "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n";
    out += "Sec-WebSocket-Accept: ";
    out += accept_key(client_key);
    out += "\r\nServer: driftway\r\n\r\n";
    return out;
}

}  // namespace driftway::net::ws::detail
