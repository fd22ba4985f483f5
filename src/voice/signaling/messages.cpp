#include "signaling/messages.hpp"

#include <boost/json/serialize.hpp>

namespace driftway::voice::signaling {

namespace {

// SDP of an audio-only session stays far below this; bigger is an attack.
constexpr std::size_t max_sdp_bytes = 32 << 10;

const json::value* field(const json::object& d, std::string_view key) {
    return d.if_contains(key);
}

std::optional<std::string> string_field(const json::object& d, std::string_view key,
                                        std::size_t max) {
    const auto* v = field(d, key);
    if (!v || !v->is_string() || v->as_string().size() > max) return std::nullopt;
    return std::string(v->as_string());
}

bool bool_field(const json::object& d, std::string_view key, bool fallback, bool& ok) {
    const auto* v = field(d, key);
    if (!v) return fallback;
    if (!v->is_bool()) {
        ok = false;
        return fallback;
    }
    return v->as_bool();
}

frame_error decode(std::string reason) {
    return {close_code::decode_error, std::move(reason)};
}

}  // namespace

std::variant<inbound, frame_error> parse_inbound(std::string_view text) {
    auto parsed = json::parse(text, {.max_bytes = 64 << 10, .max_depth = 8});
    if (!parsed || !parsed->is_object()) return decode("not a JSON object");
    const auto& root = parsed->as_object();
    const auto* op = root.if_contains("op");
    if (!op || !op->is_string()) return decode("missing op");
    static const json::object empty;
    const auto* dv = root.if_contains("d");
    if (dv && !dv->is_object() && !dv->is_null()) return decode("d must be an object");
    const auto& d = dv && dv->is_object() ? dv->as_object() : empty;
    const std::string_view name = op->as_string();

    if (name == "join") {
        auto token = string_field(d, "token", 4096);
        if (!token || token->empty()) return decode("join needs a token");
        return inbound{join_op{std::move(*token)}};
    }
    if (name == "answer" || name == "offer") {
        auto sdp = string_field(d, "sdp", max_sdp_bytes);
        if (!sdp || sdp->empty()) return decode(std::string(name) + " needs an sdp");
        if (name == "answer") return inbound{answer_op{std::move(*sdp)}};
        return inbound{offer_op{std::move(*sdp)}};
    }
    if (name == "candidate") {
        // Browsers send {candidate, sdpMid, …} or a null candidate at the end.
        const auto* c = field(d, "candidate");
        if (c && c->is_string() && c->as_string().size() <= 1024)
            return inbound{candidate_op{std::string(c->as_string())}};
        if (!c || c->is_null() || c->is_object()) return inbound{candidate_op{}};
        return decode("bad candidate");
    }
    if (name == "mute") {
        bool ok = true;
        mute_op m{.self_mute = bool_field(d, "self_mute", false, ok),
                  .self_deaf = bool_field(d, "self_deaf", false, ok)};
        if (!ok) return decode("self_mute and self_deaf are booleans");
        return inbound{m};
    }
    if (name == "stats") return inbound{stats_op{}};
    if (name == "leave") return inbound{leave_op{}};
    return frame_error{close_code::unknown_op, "unknown op"};
}

std::string frame(std::string_view op, json::object d) {
    json::object f;
    f["op"] = op;
    f["d"] = std::move(d);
    return boost::json::serialize(f);
}

}  // namespace driftway::voice::signaling
