#include "gateway/frames.hpp"

#include "driftway/core/json.hpp"

#include <boost/json/serialize.hpp>

#include <charconv>
#include <cstring>

namespace driftway::text::gw {

namespace {

constexpr json::parse_limits inbound_limits{.max_bytes = 64 << 10, .max_depth = 8};

frame_error decode(std::string reason) {
    return {close_code::decode_error, std::move(reason)};
}

// A non-negative integer, as JSON integers arrive either signed or unsigned.
std::optional<std::uint64_t> as_count(const json::value& v) noexcept {
    if (const auto* i = v.if_int64()) {
        if (*i < 0) return std::nullopt;
        return static_cast<std::uint64_t>(*i);
    }
    if (const auto* u = v.if_uint64()) return *u;
    return std::nullopt;
}

const json::value* field(const json::object& o, std::string_view key) noexcept {
    const auto it = o.find(key);
    return it == o.end() ? nullptr : &it->value();
}

std::optional<std::string_view> string_field(const json::object& o, std::string_view key) noexcept {
    const auto* v = field(o, key);
    if (!v || !v->is_string()) return std::nullopt;
    const auto& s = v->get_string();
    return std::string_view(s.data(), s.size());
}

std::optional<id_t> id_field(const json::object& o, std::string_view key) noexcept {
    const auto s = string_field(o, key);
    if (!s) return std::nullopt;
    return json::parse_id(*s);
}

std::variant<inbound, frame_error> parse_identify(const json::object& d) {
    const auto token = string_field(d, "token");
    if (!token || token->empty() || token->size() > max_token_bytes)
        return decode("identify needs d.token");
    return inbound{identify_op{std::string(*token)}};
}

std::variant<inbound, frame_error> parse_resume(const json::object& d) {
    const auto token = string_field(d, "token");
    const auto session = string_field(d, "session_id");
    const auto* seq = field(d, "seq");
    if (!token || token->empty() || token->size() > max_token_bytes)
        return decode("resume needs d.token");
    if (!session || session->empty() || session->size() > 128)
        return decode("resume needs d.session_id");
    std::optional<std::uint64_t> n = seq ? as_count(*seq) : std::nullopt;
    if (!n) return decode("resume needs d.seq, an integer >= 0");
    return inbound{resume_op{std::string(*token), std::string(*session), *n}};
}

// Accepts d = {seq: N|null}, d = N, or no d at all.
std::variant<inbound, frame_error> parse_heartbeat(const json::value* d) {
    heartbeat_op op;
    if (!d || d->is_null()) return inbound{op};
    if (const auto n = as_count(*d)) {
        op.seq = *n;
        return inbound{op};
    }
    const auto* o = d->if_object();
    if (!o) return decode("heartbeat d must be {seq}");
    if (const auto* seq = field(*o, "seq"); seq && !seq->is_null()) {
        op.seq = as_count(*seq);
        if (!op.seq) return decode("heartbeat d.seq must be an integer >= 0");
    }
    return inbound{op};
}

std::variant<inbound, frame_error> parse_typing(const json::object& d) {
    const auto channel = id_field(d, "channel_id");
    if (!channel) return decode("typing needs d.channel_id");
    return inbound{typing_op{*channel}};
}

std::variant<inbound, frame_error> parse_presence_op(const json::object& d) {
    const auto text = string_field(d, "status");
    const auto status = text ? parse_presence(*text) : std::nullopt;
    if (!status) return decode("presence d.status must be online, idle, dnd or invisible");
    return inbound{presence_op{*status}};
}

std::variant<inbound, frame_error> parse_request_members(const json::object& d) {
    request_members_op op;
    const auto space = id_field(d, "space_id");
    if (!space) return decode("request_members needs d.space_id");
    op.space_id = *space;
    if (const auto* q = field(d, "query"); q && !q->is_null()) {
        const auto* s = q->if_string();
        if (!s || !json::valid_utf8(*s) || json::utf8_length(*s) > max_query_chars)
            return decode("request_members d.query must be a string of at most 100 characters");
        op.query = std::string(s->data(), s->size());
    }
    if (const auto* l = field(d, "limit"); l && !l->is_null()) {
        const auto n = as_count(*l);
        if (!n || *n < 1 || *n > static_cast<std::uint64_t>(max_member_limit))
            return decode("request_members d.limit must be 1..1000");
        op.limit = static_cast<int>(*n);
    }
    return inbound{op};
}

}  // namespace

std::optional<presence_status> parse_presence(std::string_view text) noexcept {
    if (text == "online") return presence_status::online;
    if (text == "idle") return presence_status::idle;
    if (text == "dnd") return presence_status::dnd;
    if (text == "invisible") return presence_status::invisible;
    return std::nullopt;
}

std::string_view to_string(presence_status s) noexcept {
    switch (s) {
        case presence_status::online:
            return "online";
        case presence_status::idle:
            return "idle";
        case presence_status::dnd:
            return "dnd";
        case presence_status::invisible:
            return "invisible";
    }
    return "online";
}

std::variant<inbound, frame_error> parse_inbound(std::string_view text) noexcept {
    try {
        auto parsed = json::parse(text, inbound_limits);
        if (!parsed) return decode("frame is not valid JSON");
        const auto* frame = parsed->if_object();
        if (!frame) return decode("frame must be a JSON object");
        const auto op = string_field(*frame, "op");
        if (!op) return decode("frame needs a string op");
        const auto* d = field(*frame, "d");

        if (*op == "heartbeat") return parse_heartbeat(d);
        if (*op == "voice_state") {
            const auto* obj = d ? d->if_object() : nullptr;
            const auto* channel = obj ? field(*obj, "channel_id") : nullptr;
            return inbound{voice_state_op{channel && channel->is_null()}};
        }

        using parser = std::variant<inbound, frame_error> (*)(const json::object&);
        parser p = nullptr;
        if (*op == "identify")
            p = parse_identify;
        else if (*op == "resume")
            p = parse_resume;
        else if (*op == "typing")
            p = parse_typing;
        else if (*op == "presence")
            p = parse_presence_op;
        else if (*op == "request_members")
            p = parse_request_members;
        else
            return frame_error{close_code::unknown_op, "unknown op"};

        const auto* obj = d ? d->if_object() : nullptr;
        if (!obj) return decode("d must be an object");
        return p(*obj);
    } catch (const std::exception&) {
        // Only allocation failure can get here; the connection is closed
        // like for any undecodable frame.
        return decode("frame could not be read");
    }
}

std::string hello_frame(std::int64_t heartbeat_interval_ms) {
    return R"({"op":"hello","d":{"heartbeat_interval_ms":)" +
           std::to_string(heartbeat_interval_ms) + "}}";
}

std::string heartbeat_ack_frame() {
    return R"({"op":"heartbeat_ack","d":{}})";
}

std::string invalid_session_frame() {
    return R"({"op":"invalid_session","d":{"resumable":false}})";
}

std::string reconnect_frame() {
    return R"({"op":"reconnect","d":{}})";
}

std::string_view dispatch_head(std::uint64_t seq, char (&buf)[dispatch_head_capacity]) noexcept {
    constexpr std::string_view prefix = R"({"op":"dispatch","s":)";
    std::memcpy(buf, prefix.data(), prefix.size());
    char* end = buf + dispatch_head_capacity - 1;
    const auto r = std::to_chars(buf + prefix.size(), end, seq);
    *r.ptr = ',';
    return {buf, static_cast<std::size_t>(r.ptr + 1 - buf)};
}

}  // namespace driftway::text::gw
