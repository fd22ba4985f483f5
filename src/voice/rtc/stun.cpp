// STUN (RFC 5389) parsing and building for ICE-lite. Every read is checked
// against the datagram's length before it happens; nothing here throws on
// untrusted bytes.
#include "driftway/rtc/stun.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <algorithm>
#include <memory>

namespace driftway::rtc::stun {
namespace {

constexpr std::size_t header_size = 20;
constexpr std::size_t integrity_size = 20;  // HMAC-SHA1
constexpr std::uint32_t fingerprint_xor = 0x5354554e;

// CRC-32 (ISO 3309 / ITU-T V.42, reflected polynomial 0xEDB88320), the one
// RFC 5389 section 15.5 names; a 256-entry table built at compile time.
constexpr std::array<std::uint32_t, 256> crc_table = [] {
    std::array<std::uint32_t, 256> t{};
    for (std::uint32_t i = 0; i < 256; ++i) {
        std::uint32_t c = i;
        for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        t[i] = c;
    }
    return t;
}();

// Running CRC: start with crc32_update(0xFFFFFFFF, …) and finish with ~.
std::uint32_t crc32_update(std::uint32_t crc, const std::uint8_t* p, std::size_t n) noexcept {
    for (std::size_t i = 0; i < n; ++i) crc = crc_table[(crc ^ p[i]) & 0xFF] ^ (crc >> 8);
    return crc;
}

// The header with its length field rewritten to end right after the
// attribute at `attr_offset` whose value is `value_size` bytes (sections
// 15.4 and 15.5: the length covers the attribute being computed).
std::array<std::uint8_t, header_size> adjusted_header(bytes_view d, std::size_t attr_offset,
                                                      std::size_t value_size) noexcept {
    std::array<std::uint8_t, header_size> h{};
    std::copy_n(d.begin(), header_size, h.begin());
    write_u16(h.data() + 2, static_cast<std::uint16_t>(attr_offset - header_size + 4 + value_size));
    return h;
}

// HMAC-SHA1 of header + body[20, end) through OpenSSL 3's EVP_MAC (the
// HMAC_CTX API is deprecated there). False on any OpenSSL failure.
bool hmac_sha1(std::string_view key, bytes_view header, bytes_view body,
               std::uint8_t (&out)[integrity_size]) noexcept {
    using mac_ptr = std::unique_ptr<EVP_MAC, decltype(&EVP_MAC_free)>;
    using ctx_ptr = std::unique_ptr<EVP_MAC_CTX, decltype(&EVP_MAC_CTX_free)>;
    // Fetched once: the fetch walks the provider tables.
    static const mac_ptr mac(EVP_MAC_fetch(nullptr, OSSL_MAC_NAME_HMAC, nullptr), EVP_MAC_free);
    if (!mac) return false;
    ctx_ptr ctx(EVP_MAC_CTX_new(mac.get()), EVP_MAC_CTX_free);
    if (!ctx) return false;
    char digest[] = "SHA1";
    const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                                 OSSL_PARAM_END};
    // An empty key is legal HMAC; OpenSSL wants a non-null pointer for it.
    static const unsigned char empty = 0;
    const auto* k = key.empty() ? &empty : reinterpret_cast<const unsigned char*>(key.data());
    std::size_t n = 0;
    return EVP_MAC_init(ctx.get(), k, key.size(), params) == 1 &&
           EVP_MAC_update(ctx.get(), header.data(), header.size()) == 1 &&
           EVP_MAC_update(ctx.get(), body.data(), body.size()) == 1 &&
           EVP_MAC_final(ctx.get(), out, &n, integrity_size) == 1 && n == integrity_size;
}

std::optional<socket_address> read_xor_address(bytes_view v, const transaction_id& tid) noexcept {
    if (v.size() < 4) return std::nullopt;
    socket_address a;
    a.port = static_cast<std::uint16_t>(read_u16(v.data() + 2) ^ (magic_cookie >> 16));
    // The address is xored with the cookie, then (IPv6) the transaction id.
    std::array<std::uint8_t, 16> mask{};
    write_u32(mask.data(), magic_cookie);
    std::copy(tid.begin(), tid.end(), mask.begin() + 4);
    if (v[1] == 0x01 && v.size() == 8) {
        a.family = 4;
        for (std::size_t i = 0; i < 4; ++i) a.ip[i] = v[4 + i] ^ mask[i];
    } else if (v[1] == 0x02 && v.size() == 20) {
        a.family = 6;
        for (std::size_t i = 0; i < 16; ++i) a.ip[i] = v[4 + i] ^ mask[i];
    } else {
        return std::nullopt;
    }
    return a;
}

std::uint64_t read_u64(const std::uint8_t* p) noexcept {
    return std::uint64_t{read_u32(p)} << 32 | read_u32(p + 4);
}

bool known_required(std::uint16_t type) noexcept {
    switch (type) {
        case attr::mapped_address:
        case attr::username:
        case attr::message_integrity:
        case attr::error_code:
        case attr::unknown_attributes:
        case attr::realm:
        case attr::nonce:
        case attr::xor_mapped_address:
        case attr::priority:
        case attr::use_candidate:
            return true;
        default:
            return false;
    }
}

}  // namespace

bool is_stun(bytes_view d) noexcept {
    if (d.size() < header_size) return false;
    if ((d[0] & 0xC0) != 0) return false;
    if (read_u32(d.data() + 4) != magic_cookie) return false;
    const std::size_t length = read_u16(d.data() + 2);
    return length % 4 == 0 && header_size + length == d.size();
}

std::optional<message> parse(bytes_view d) noexcept {
    if (!is_stun(d)) return std::nullopt;
    message m;
    const std::uint16_t type = read_u16(d.data());
    // Section 6: the class bits are C1 (bit 8) and C0 (bit 4); the method
    // takes the other 12 bits.
    m.cls = static_cast<message_class>(((type >> 7) & 0x2) | ((type >> 4) & 0x1));
    m.method = static_cast<std::uint16_t>((type & 0x000F) | ((type >> 1) & 0x0070) |
                                          ((type >> 2) & 0x0F80));
    std::copy_n(d.begin() + 8, m.tid.size(), m.tid.begin());

    std::size_t pos = header_size;
    while (pos < d.size()) {
        if (d.size() - pos < 4) return std::nullopt;
        const std::uint16_t at = read_u16(d.data() + pos);
        const std::size_t len = read_u16(d.data() + pos + 2);
        const std::size_t padded = (len + 3) & ~std::size_t{3};
        if (d.size() - pos - 4 < padded) return std::nullopt;
        const bytes_view v = d.subspan(pos + 4, len);
        const std::size_t at_offset = pos;
        pos += 4 + padded;

        // Section 15.5: FINGERPRINT is last.
        if (m.fingerprint_offset != 0) return std::nullopt;
        if (at == attr::fingerprint) {
            if (len != 4) return std::nullopt;
            m.fingerprint_offset = at_offset;
            continue;
        }
        // Section 15.4: attributes after MESSAGE-INTEGRITY (but FINGERPRINT)
        // are ignored.
        if (m.integrity_offset != 0) continue;

        const auto* text = reinterpret_cast<const char*>(v.data());
        switch (at) {
            case attr::message_integrity:
                if (len != integrity_size) return std::nullopt;
                m.integrity_offset = at_offset;
                break;
            case attr::username:
                if (len > 513) return std::nullopt;  // section 15.3
                m.username.emplace(text, len);
                break;
            case attr::software:
                if (len > 763) return std::nullopt;  // section 15.10
                m.software.emplace(text, len);
                break;
            case attr::priority:
                if (len != 4) return std::nullopt;
                m.priority = read_u32(v.data());
                break;
            case attr::use_candidate:
                if (len != 0) return std::nullopt;
                m.use_candidate = true;
                break;
            case attr::ice_controlling:
                if (len != 8) return std::nullopt;
                m.ice_controlling = read_u64(v.data());
                break;
            case attr::ice_controlled:
                if (len != 8) return std::nullopt;
                m.ice_controlled = read_u64(v.data());
                break;
            case attr::xor_mapped_address: {
                auto a = read_xor_address(v, m.tid);
                if (!a) return std::nullopt;
                m.xor_mapped_address = *a;
                break;
            }
            case attr::error_code:
                // Section 15.6: 21 reserved bits, class (3 bits), number (0–99).
                if (len < 4 || (v[2] & 0x07) < 3 || (v[2] & 0x07) > 6 || v[3] > 99)
                    return std::nullopt;
                m.error_code = static_cast<std::uint16_t>((v[2] & 0x07) * 100 + v[3]);
                break;
            default:
                if (at < 0x8000 && !known_required(at)) {
                    // Each unknown type once, and a bounded list.
                    if (std::find(m.unknown_required.begin(), m.unknown_required.end(), at) ==
                            m.unknown_required.end() &&
                        m.unknown_required.size() < 32)
                        m.unknown_required.push_back(at);
                }
                break;
        }
    }
    return m;
}

bool check_integrity(bytes_view d, const message& m, std::string_view key) noexcept {
    const std::size_t off = m.integrity_offset;
    if (off < header_size || d.size() < off + 4 + integrity_size) return false;
    if (read_u16(d.data() + off) != attr::message_integrity) return false;
    const auto header = adjusted_header(d, off, integrity_size);
    std::uint8_t mac[integrity_size];
    if (!hmac_sha1(key, header, d.subspan(header_size, off - header_size), mac)) return false;
    return CRYPTO_memcmp(mac, d.data() + off + 4, integrity_size) == 0;
}

bool check_fingerprint(bytes_view d, const message& m) noexcept {
    const std::size_t off = m.fingerprint_offset;
    if (off < header_size || d.size() < off + 8) return false;
    if (read_u16(d.data() + off) != attr::fingerprint) return false;
    const auto header = adjusted_header(d, off, 4);
    std::uint32_t crc = crc32_update(0xFFFFFFFFu, header.data(), header.size());
    crc = crc32_update(crc, d.data() + header_size, off - header_size);
    return (~crc ^ fingerprint_xor) == read_u32(d.data() + off + 4);
}

builder::builder(message_class cls, std::uint16_t method, const transaction_id& tid)
    : out_(header_size, 0) {
    const auto c = static_cast<std::uint16_t>(cls);
    const auto type =
        static_cast<std::uint16_t>((method & 0x000F) | ((method & 0x0070) << 1) |
                                   ((method & 0x0F80) << 2) | ((c & 0x1) << 4) | ((c & 0x2) << 7));
    write_u16(out_.data(), type);
    write_u32(out_.data() + 4, magic_cookie);
    std::copy(tid.begin(), tid.end(), out_.begin() + 8);
}

void builder::add(std::uint16_t type, bytes_view value) {
    const std::size_t at = out_.size();
    const std::size_t padded = (value.size() + 3) & ~std::size_t{3};
    out_.resize(at + 4 + padded, padding_);
    write_u16(out_.data() + at, type);
    write_u16(out_.data() + at + 2, static_cast<std::uint16_t>(value.size()));
    std::copy(value.begin(), value.end(), out_.begin() + static_cast<std::ptrdiff_t>(at + 4));
    write_u16(out_.data() + 2, static_cast<std::uint16_t>(out_.size() - header_size));
}

builder& builder::padding(std::uint8_t byte) {
    padding_ = byte;
    return *this;
}

builder& builder::username(std::string_view u) {
    add(attr::username, {reinterpret_cast<const std::uint8_t*>(u.data()), u.size()});
    return *this;
}

builder& builder::software(std::string_view s) {
    add(attr::software, {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()});
    return *this;
}

builder& builder::priority(std::uint32_t p) {
    std::uint8_t v[4];
    write_u32(v, p);
    add(attr::priority, v);
    return *this;
}

builder& builder::use_candidate() {
    add(attr::use_candidate, {});
    return *this;
}

builder& builder::ice_controlling(std::uint64_t tie_breaker) {
    std::uint8_t v[8];
    write_u32(v, static_cast<std::uint32_t>(tie_breaker >> 32));
    write_u32(v + 4, static_cast<std::uint32_t>(tie_breaker));
    add(attr::ice_controlling, v);
    return *this;
}

builder& builder::ice_controlled(std::uint64_t tie_breaker) {
    std::uint8_t v[8];
    write_u32(v, static_cast<std::uint32_t>(tie_breaker >> 32));
    write_u32(v + 4, static_cast<std::uint32_t>(tie_breaker));
    add(attr::ice_controlled, v);
    return *this;
}

builder& builder::xor_mapped_address(const socket_address& a) {
    std::array<std::uint8_t, 16> mask{};
    write_u32(mask.data(), magic_cookie);
    std::copy(out_.begin() + 8, out_.begin() + header_size, mask.begin() + 4);
    std::uint8_t v[20] = {};
    const std::size_t n = a.family == 6 ? 16 : 4;
    v[1] = a.family == 6 ? 0x02 : 0x01;
    write_u16(v + 2, static_cast<std::uint16_t>(a.port ^ (magic_cookie >> 16)));
    for (std::size_t i = 0; i < n; ++i) v[4 + i] = a.ip[i] ^ mask[i];
    add(attr::xor_mapped_address, {v, 4 + n});
    return *this;
}

builder& builder::error_code(std::uint16_t code, std::string_view reason) {
    std::vector<std::uint8_t> v(4 + reason.size(), 0);
    v[2] = static_cast<std::uint8_t>((code / 100) & 0x07);
    v[3] = static_cast<std::uint8_t>(code % 100);
    std::copy(reason.begin(), reason.end(), v.begin() + 4);
    add(attr::error_code, v);
    return *this;
}

std::vector<std::uint8_t> builder::finish(std::string_view integrity_key, bool fingerprint) {
    if (!integrity_key.empty()) {
        const std::size_t off = out_.size();
        add(attr::message_integrity, std::array<std::uint8_t, integrity_size>{});
        const auto header = adjusted_header(out_, off, integrity_size);
        std::uint8_t mac[integrity_size] = {};
        // Only an OpenSSL failure (no SHA-1 provider) leaves the zeros,
        // which the peer then rejects as a bad integrity.
        hmac_sha1(integrity_key, header, bytes_view(out_).subspan(header_size, off - header_size),
                  mac);
        std::copy_n(mac, integrity_size, out_.begin() + static_cast<std::ptrdiff_t>(off + 4));
    }
    if (fingerprint) {
        const std::size_t off = out_.size();
        add(attr::fingerprint, std::array<std::uint8_t, 4>{});
        std::uint32_t crc = crc32_update(0xFFFFFFFFu, out_.data(), off);
        write_u32(out_.data() + off + 4, ~crc ^ fingerprint_xor);
    }
    return std::move(out_);
}

std::optional<ice_username> split_username(std::string_view username) noexcept {
    const auto colon = username.find(':');
    if (colon == std::string_view::npos || colon == 0 || colon + 1 == username.size())
        return std::nullopt;
    return ice_username{username.substr(0, colon), username.substr(colon + 1)};
}

}  // namespace driftway::rtc::stun
