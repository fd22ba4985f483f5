// Shared cache entries (cache_json.hpp). Ids are decimal strings, as in the
// API, so 64-bit ids survive any JSON reader.
#include "driftway/text/cache_json.hpp"

#include "driftway/core/json.hpp"

#include <array>
#include <charconv>
#include <climits>

namespace driftway::text {

namespace {

using store::id_t;

// Decimal, zero included (parse_id refuses it; "no parent" is 0 here).
bool parse_u64(std::string_view text, std::uint64_t& out) {
    if (text.empty() || text.size() > 20) return false;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc{} && ptr == text.data() + text.size();
}

// Field readers: false when absent or of the wrong type.
bool read_id(const json::object& o, std::string_view key, id_t& out) {
    const auto* v = o.if_contains(key);
    if (!v || !v->is_string()) return false;
    return parse_u64(v->get_string(), out);
}

bool read_string(const json::object& o, std::string_view key, std::string& out) {
    const auto* v = o.if_contains(key);
    if (!v || !v->is_string()) return false;
    out = std::string(v->get_string());
    return true;
}

bool read_int(const json::object& o, std::string_view key, std::int64_t& out) {
    const auto* v = o.if_contains(key);
    if (!v || !v->is_int64()) return false;
    out = v->get_int64();
    return true;
}

// Permission bits use all 64 bits: kept as decimal strings too.
bool read_bits(const json::object& o, std::string_view key, std::uint64_t& out) {
    return read_id(o, key, out);
}

std::optional<json::object> parse_object(std::string_view text) noexcept {
    auto v = json::parse(text);
    if (!v || !v->is_object()) return std::nullopt;
    return std::move(v->get_object());
}

constexpr std::array channel_types{store::channel_type::text,     store::channel_type::voice,
                                   store::channel_type::category, store::channel_type::thread,
                                   store::channel_type::dm,       store::channel_type::group_dm};

}  // namespace

std::string to_cache_json(const store::user& u) {
    json::object o;
    o["id"] = std::to_string(u.id);
    o["username"] = u.username;
    o["display_name"] = u.display_name;
    o["avatar"] = u.avatar ? json::value(std::to_string(*u.avatar)) : json::value(nullptr);
    o["created_at"] = u.created_at;
    return json::serialize(o);
}

std::optional<store::user> user_from_cache_json(std::string_view text) noexcept {
    try {
        const auto o = parse_object(text);
        if (!o) return std::nullopt;
        store::user u;
        if (!read_id(*o, "id", u.id) || !read_string(*o, "username", u.username) ||
            !read_string(*o, "display_name", u.display_name) ||
            !read_int(*o, "created_at", u.created_at))
            return std::nullopt;
        const auto* avatar = o->if_contains("avatar");
        if (!avatar) return std::nullopt;
        if (!avatar->is_null()) {
            id_t a = 0;
            if (!read_id(*o, "avatar", a)) return std::nullopt;
            u.avatar = a;
        }
        return u;
    } catch (...) {  // allocation failure: a miss
        return std::nullopt;
    }
}

std::string to_cache_json(const store::channel& c) {
    json::object o;
    o["id"] = std::to_string(c.id);
    o["space_id"] = std::to_string(c.space_id);
    o["name"] = c.name;
    o["type"] = static_cast<std::int64_t>(c.type);
    o["topic"] = c.topic;
    o["parent_id"] = std::to_string(c.parent_id);
    o["position"] = c.position;
    json::array overwrites;
    for (const auto& w : c.overwrites)
        overwrites.push_back(json::object{{"id", std::to_string(w.id)},
                                          {"member", w.is_member},
                                          {"allow", std::to_string(w.allow)},
                                          {"deny", std::to_string(w.deny)}});
    o["overwrites"] = std::move(overwrites);
    json::array recipients;
    for (const auto r : c.recipients) recipients.push_back(json::value(std::to_string(r)));
    o["recipients"] = std::move(recipients);
    o["owner_id"] = std::to_string(c.owner_id);
    o["origin_message_id"] = std::to_string(c.origin_message_id);
    o["last_message_id"] = std::to_string(c.last_message_id);
    o["created_at"] = c.created_at;
    return json::serialize(o);
}

std::optional<store::channel> channel_from_cache_json(std::string_view text) noexcept {
    try {
        const auto o = parse_object(text);
        if (!o) return std::nullopt;
        store::channel c;
        std::int64_t type = -1, position = 0;
        if (!read_id(*o, "id", c.id) || !read_id(*o, "space_id", c.space_id) ||
            !read_string(*o, "name", c.name) || !read_int(*o, "type", type) ||
            !read_string(*o, "topic", c.topic) || !read_id(*o, "parent_id", c.parent_id) ||
            !read_int(*o, "position", position) || !read_id(*o, "owner_id", c.owner_id) ||
            !read_id(*o, "origin_message_id", c.origin_message_id) ||
            !read_id(*o, "last_message_id", c.last_message_id) ||
            !read_int(*o, "created_at", c.created_at))
            return std::nullopt;
        if (type < 0 || type >= static_cast<std::int64_t>(channel_types.size()))
            return std::nullopt;
        c.type = channel_types[static_cast<std::size_t>(type)];
        if (position < INT_MIN || position > INT_MAX) return std::nullopt;
        c.position = static_cast<int>(position);

        const auto* ws = o->if_contains("overwrites");
        if (!ws || !ws->is_array()) return std::nullopt;
        for (const auto& v : ws->get_array()) {
            if (!v.is_object()) return std::nullopt;
            const auto& w = v.get_object();
            store::overwrite_row row;
            const auto* member = w.if_contains("member");
            if (!member || !member->is_bool() || !read_id(w, "id", row.id) ||
                !read_bits(w, "allow", row.allow) || !read_bits(w, "deny", row.deny))
                return std::nullopt;
            row.is_member = member->get_bool();
            c.overwrites.push_back(row);
        }
        const auto* rs = o->if_contains("recipients");
        if (!rs || !rs->is_array()) return std::nullopt;
        for (const auto& v : rs->get_array()) {
            id_t id = 0;
            if (!v.is_string() || !parse_u64(v.get_string(), id)) return std::nullopt;
            c.recipients.push_back(id);
        }
        return c;
    } catch (...) {  // allocation failure: a miss
        return std::nullopt;
    }
}

}  // namespace driftway::text
