#include "reader.hpp"

#include "utf8.hpp"

#include <algorithm>

namespace driftway::net::ws::detail {

namespace {

constexpr std::uint16_t protocol_error = 1002;
constexpr std::uint16_t unsupported_data = 1003;
constexpr std::uint16_t invalid_payload = 1007;
constexpr std::uint16_t too_big = 1009;

std::string_view as_text(std::span<const std::uint8_t> bytes) noexcept {
    return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

std::span<std::uint8_t> as_bytes(std::string& s) noexcept {
    return {reinterpret_cast<std::uint8_t*>(s.data()), s.size()};
}

}  // namespace

std::size_t reader::buffered_bytes() const noexcept {
    if (!pending_) return 0;
    return pending_->frame.capacity() + pending_->message.capacity();
}

std::uint16_t reader::stop(std::uint16_t code) noexcept {
    stopped_ = true;
    pending_.reset();
    return code == stop_parsing ? 0 : code;
}

reader::pending& reader::ensure_pending() {
    if (!pending_) pending_ = std::make_unique<pending>();
    return *pending_;
}

void reader::release_if_unused() noexcept {
    if (!pending_ || !pending_->frame.empty()) return;
    if (pending_->in_message) {
        std::string().swap(pending_->frame);
    } else {
        pending_.reset();
    }
}

// Checks that depend on what came before (section 5.4): continuations only
// inside a fragmented message, no new message inside one, and the size limit
// applied to the whole message before any of its payload is buffered.
std::uint16_t reader::check(const frame_header& h) const noexcept {
    if (is_control(h.op)) return 0;
    const bool in_message = pending_ && pending_->in_message;
    if (h.op == opcode::continuation) {
        if (!in_message) return protocol_error;
        const std::size_t so_far = pending_->message.size();
        if (h.payload_length > max_message_bytes_ - std::min(so_far, max_message_bytes_)) {
            return too_big;
        }
        return 0;
    }
    if (in_message) return protocol_error;
    if (h.op == opcode::binary) return unsupported_data;
    if (h.payload_length > max_message_bytes_) return too_big;
    return 0;
}

std::uint16_t reader::process(const frame_header& h, std::span<std::uint8_t> payload,
                              reader_sink& sink) {
    apply_mask(payload, h.mask);
    const std::string_view text = as_text(payload);
    switch (h.op) {
        case opcode::ping:
            return sink.on_ping(text) ? 0 : stop_parsing;
        case opcode::pong:
            return 0;
        case opcode::close: {
            std::uint16_t code = close_no_status;
            std::string_view reason;
            if (payload.size() == 1) return protocol_error;
            if (payload.size() >= 2) {
                code = static_cast<std::uint16_t>((payload[0] << 8) | payload[1]);
                reason = text.substr(2);
                if (!valid_close_code(code)) return protocol_error;
                if (!valid_utf8(reason)) return invalid_payload;
            }
            sink.on_peer_close(code, reason);
            return stop_parsing;
        }
        case opcode::text:
            if (!h.fin) {
                auto& p = ensure_pending();
                p.message.assign(text);
                p.in_message = true;
                return 0;
            }
            if (!valid_utf8(text)) return invalid_payload;
            return sink.on_text(text) ? 0 : stop_parsing;
        case opcode::continuation: {
            auto& p = *pending_;
            p.message.append(text);
            if (!h.fin) return 0;
            // Moved out so that the fragments' memory goes with this call.
            const std::string message = std::move(p.message);
            p.in_message = false;
            if (!valid_utf8(message)) return invalid_payload;
            return sink.on_text(message) ? 0 : stop_parsing;
        }
        case opcode::binary:
            break;
    }
    return unsupported_data;
}

// Continues the frame held in pending_->frame with the start of data, taking
// only the bytes that frame needs.
std::uint16_t reader::feed_partial(std::span<std::uint8_t> data, std::size_t& used,
                                   reader_sink& sink) {
    std::string& frame = pending_->frame;
    auto take = [&](std::size_t wanted) {
        const std::size_t n = std::min(wanted - frame.size(), data.size() - used);
        frame.append(reinterpret_cast<const char*>(data.data() + used), n);
        used += n;
        return frame.size() == wanted;
    };
    header_result r = parse_client_header(as_bytes(frame));
    while (r.state == header_result::status::incomplete) {
        if (!take(r.needed)) return 0;
        r = parse_client_header(as_bytes(frame));
    }
    if (r.state == header_result::status::invalid) return r.close_code;
    const frame_header& h = r.header;
    if (const std::uint16_t code = check(h)) return code;
    const std::size_t total = h.header_length + static_cast<std::size_t>(h.payload_length);
    frame.reserve(total);
    if (!take(total)) return 0;
    const std::uint16_t code =
        process(h, as_bytes(frame).subspan(h.header_length, h.payload_length), sink);
    if (pending_) pending_->frame.clear();
    release_if_unused();
    return code;
}

std::uint16_t reader::feed(std::span<std::uint8_t> data, reader_sink& sink) noexcept {
    if (stopped_) return 0;
    try {
        std::size_t pos = 0;
        if (pending_ && !pending_->frame.empty()) {
            if (const std::uint16_t code = feed_partial(data, pos, sink)) return stop(code);
        }
        while (pos < data.size()) {
            const auto rest = data.subspan(pos);
            const header_result r = parse_client_header(rest);
            if (r.state == header_result::status::invalid) return stop(r.close_code);
            std::size_t total = 0;
            if (r.state == header_result::status::complete) {
                if (const std::uint16_t code = check(r.header)) return stop(code);
                // check() bounded the payload by max_message_bytes_ (or 125).
                total = r.header.header_length + static_cast<std::size_t>(r.header.payload_length);
            }
            if (r.state == header_result::status::incomplete || rest.size() < total) {
                auto& frame = ensure_pending().frame;
                frame.reserve(std::max(total, rest.size()));
                frame.assign(reinterpret_cast<const char*>(rest.data()), rest.size());
                return 0;
            }
            const frame_header& h = r.header;
            if (const std::uint16_t code =
                    process(h, rest.subspan(h.header_length, h.payload_length), sink)) {
                return stop(code);
            }
            release_if_unused();
            pos += total;
        }
        return 0;
    } catch (...) {
        // Only allocation can throw here; the message cannot be kept.
        return stop(close_internal_error);
    }
}

}  // namespace driftway::net::ws::detail
