#include "driftway/bus/redis_codec.hpp"

#include <new>

namespace driftway::bus::codec {

namespace {

constexpr std::string_view events_tag = "DWE1";
constexpr std::string_view command_tag = "DWC1";
constexpr std::string_view states_tag = "DWS1";

class writer {
public:
    explicit writer(std::string_view tag) { out_.append(tag); }
    void u8(std::uint8_t v) { out_.push_back(static_cast<char>(v)); }
    void u32(std::uint32_t v) {
        for (int i = 0; i < 4; ++i) out_.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
    }
    void u64(std::uint64_t v) {
        for (int i = 0; i < 8; ++i) out_.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
    }
    void str(std::string_view s) {
        u32(static_cast<std::uint32_t>(s.size()));
        out_.append(s);
    }
    std::string take() { return std::move(out_); }

private:
    std::string out_;
};

// Every read checks the bounds; after the first failure all reads fail.
class reader {
public:
    reader(std::string_view bytes, std::string_view tag) : in_(bytes) {
        ok_ = in_.substr(0, tag.size()) == tag;
        pos_ = tag.size();
    }
    bool ok() const { return ok_; }
    bool done() const { return ok_ && pos_ == in_.size(); }
    std::size_t left() const { return ok_ ? in_.size() - pos_ : 0; }
    std::uint8_t u8() {
        if (!need(1)) return 0;
        return static_cast<std::uint8_t>(in_[pos_++]);
    }
    std::uint32_t u32() {
        if (!need(4)) return 0;
        std::uint32_t v = 0;
        for (int i = 0; i < 4; ++i)
            v |= static_cast<std::uint32_t>(static_cast<unsigned char>(in_[pos_++])) << (8 * i);
        return v;
    }
    std::uint64_t u64() {
        if (!need(8)) return 0;
        std::uint64_t v = 0;
        for (int i = 0; i < 8; ++i)
            v |= static_cast<std::uint64_t>(static_cast<unsigned char>(in_[pos_++])) << (8 * i);
        return v;
    }
    std::string_view str() {
        const auto n = u32();
        if (!need(n)) return {};
        const auto s = in_.substr(pos_, n);
        pos_ += n;
        return s;
    }
    bool flag() {
        const auto v = u8();
        if (v > 1) ok_ = false;
        return v == 1;
    }
    // A count of items of at least `min_size` bytes each that must fit in what is left.
    std::uint32_t count(std::size_t min_size) {
        const auto n = u32();
        if (static_cast<std::size_t>(n) * min_size > left()) ok_ = false;
        return ok_ ? n : 0;
    }

private:
    bool need(std::size_t n) {
        if (!ok_ || in_.size() - pos_ < n) ok_ = false;
        return ok_;
    }
    std::string_view in_;
    std::size_t pos_ = 0;
    bool ok_ = false;
};

void put_state(writer& w, const voice_state& s) {
    w.u64(s.user_id);
    w.u64(s.space_id);
    w.u64(s.channel_id);
    w.u8(static_cast<std::uint8_t>(s.self_mute | s.self_deaf << 1 | s.server_mute << 2 |
                                   s.server_deaf << 3 | s.speaking << 4));
}

voice_state get_state(reader& r) {
    voice_state s;
    s.user_id = r.u64();
    s.space_id = r.u64();
    s.channel_id = r.u64();
    const auto bits = r.u8();
    s.self_mute = bits & 1;
    s.self_deaf = bits & 2;
    s.server_mute = bits & 4;
    s.server_deaf = bits & 8;
    s.speaking = bits & 16;
    return s;
}

constexpr std::size_t state_size = 25;

}  // namespace

std::string encode_events(std::uint64_t node_id, std::span<const event_ptr> events) {
    writer w(events_tag);
    w.u64(node_id);
    w.u32(static_cast<std::uint32_t>(events.size()));
    for (const auto& e : events) {
        w.u8(static_cast<std::uint8_t>(e->to));
        w.u64(e->target);
        w.u64(e->space_id);
        w.u64(e->channel_filter);
        w.u8(e->changes_access ? 1 : 0);
        w.str(e->type);
        w.u8(e->body ? 1 : 0);
        if (e->body) w.str(*e->body);
        w.u32(static_cast<std::uint32_t>(e->users.size()));
        for (const auto u : e->users) w.u64(u);
    }
    return w.take();
}

std::optional<event_frame> decode_events(std::string_view bytes) noexcept {
    try {
        reader r(bytes, events_tag);
        event_frame f;
        f.node_id = r.u64();
        const auto n = r.count(31);  // the smallest encoded event
        f.events.reserve(n);
        for (std::uint32_t i = 0; i < n && r.ok(); ++i) {
            auto e = std::make_shared<event>();
            const auto to = r.u8();
            if (to > static_cast<std::uint8_t>(event::audience::users)) return std::nullopt;
            e->to = static_cast<event::audience>(to);
            e->target = r.u64();
            e->space_id = r.u64();
            e->channel_filter = r.u64();
            e->changes_access = r.flag();
            e->type = r.str();
            if (r.flag()) e->body = std::make_shared<const std::string>(r.str());
            const auto users = r.count(8);
            e->users.reserve(users);
            for (std::uint32_t u = 0; u < users; ++u) e->users.push_back(r.u64());
            f.events.push_back(std::move(e));
        }
        if (!r.done()) return std::nullopt;
        return f;
    } catch (const std::bad_alloc&) {
        return std::nullopt;
    }
}

std::string encode_command(std::uint64_t node_id, const voice_command& c) {
    writer w(command_tag);
    w.u64(node_id);
    w.u8(static_cast<std::uint8_t>(c.what));
    w.u64(c.user_id);
    w.u64(c.channel_id);
    w.u64(c.target_channel_id);
    w.u8(static_cast<std::uint8_t>(c.server_mute | c.server_deaf << 1 | c.can_speak << 2));
    return w.take();
}

std::optional<command_frame> decode_command(std::string_view bytes) noexcept {
    reader r(bytes, command_tag);
    command_frame f;
    f.node_id = r.u64();
    const auto what = r.u8();
    if (what > static_cast<std::uint8_t>(voice_command::kind::move)) return std::nullopt;
    f.command.what = static_cast<voice_command::kind>(what);
    f.command.user_id = r.u64();
    f.command.channel_id = r.u64();
    f.command.target_channel_id = r.u64();
    const auto bits = r.u8();
    if (bits > 7) return std::nullopt;
    f.command.server_mute = bits & 1;
    f.command.server_deaf = bits & 2;
    f.command.can_speak = bits & 4;
    if (!r.done()) return std::nullopt;
    return f;
}

std::string encode_states(const states_frame& f) {
    writer w(states_tag);
    w.u64(f.node_id);
    w.u32(f.ttl_ms);
    w.u32(static_cast<std::uint32_t>(f.put.size()));
    for (const auto& s : f.put) put_state(w, s);
    w.u32(static_cast<std::uint32_t>(f.removed.size()));
    for (const auto u : f.removed) w.u64(u);
    return w.take();
}

std::optional<states_frame> decode_states(std::string_view bytes) noexcept {
    try {
        reader r(bytes, states_tag);
        states_frame f;
        f.node_id = r.u64();
        f.ttl_ms = r.u32();
        const auto puts = r.count(state_size);
        f.put.reserve(puts);
        for (std::uint32_t i = 0; i < puts; ++i) f.put.push_back(get_state(r));
        const auto removed = r.count(8);
        f.removed.reserve(removed);
        for (std::uint32_t i = 0; i < removed; ++i) f.removed.push_back(r.u64());
        if (!r.done()) return std::nullopt;
        return f;
    } catch (const std::bad_alloc&) {
        return std::nullopt;
    }
}

}  // namespace driftway::bus::codec
