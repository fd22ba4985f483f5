#include "ws_client.hpp"

#include "clock.hpp"
#include "json_scan.hpp"
#include "tcp.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

namespace loadgen {

namespace {

// RFC 6455 section 1.3's example key and the accept value it must produce.
constexpr std::string_view handshake_key = "dGhlIHNhbXBsZSBub25jZQ==";
constexpr std::string_view handshake_accept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

constexpr std::size_t max_frame_payload = 16 << 20;  // READY of a large space fits
constexpr std::size_t max_handshake = 16 << 10;
constexpr std::size_t keep_capacity = 4 << 10;  // larger idle buffers are given back

// One process is one thread: every connection reads into this.
std::vector<char>& read_buffer() {
    static std::vector<char> buffer(256 << 10);
    return buffer;
}

void release_if_large(std::string& s) {
    if (s.empty() && s.capacity() > keep_capacity) std::string().swap(s);
}

}  // namespace

std::string upgrade_request(std::string_view host, std::string_view path) {
    std::string r;
    r.reserve(200);
    r.append("GET ").append(path).append(" HTTP/1.1\r\nHost: ").append(host);
    r.append("\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ");
    r.append(handshake_key).append("\r\nSec-WebSocket-Version: 13\r\n\r\n");
    return r;
}

ws_client::ws_client(event_loop& loop, ws_listener& listener, dialect kind, std::uint32_t index)
    : loop_(loop), listener_(listener), index_(index), dialect_(kind) {}

bool ws_client::open(const sockaddr_in& server, in_addr_t source, std::string_view request,
                     const std::string* token) {
    token_ = token;
    int fd = start_connect(server, source);
    if (fd < 0) {
        failure_ = "socket";
        close_code_ = 1006;
        state_ = ws_state::closed;
        return false;
    }
    fd_.reset(fd);
    out_.assign(request);
    state_ = ws_state::connecting;
    interest_ = EPOLLOUT;
    loop_.add(fd, interest_, this);
    return true;
}

void ws_client::queue_text(std::string_view payload) {
    if (state_ == ws_state::closed) return;
    ws::append_frame(out_, ws::op_text, payload);
}

void ws_client::send_text(std::string_view payload) {
    queue_text(payload);
    flush();
}

void ws_client::flush() {
    if (state_ == ws_state::closed || state_ == ws_state::connecting) return;
    std::size_t sent = 0;
    while (sent < out_.size()) {
        ssize_t n = ::send(fd_.get(), out_.data() + sent, out_.size() - sent, MSG_NOSIGNAL);
        if (n > 0) {
            sent += static_cast<std::size_t>(n);
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            break;
        } else {
            fail("write", 1006);
            return;
        }
    }
    out_.erase(0, sent);
    release_if_large(out_);
    update_interest();
}

void ws_client::heartbeat_if_due(std::int64_t now) {
    if (state_ != ws_state::ready || heartbeat_interval_ <= 0 || now < next_heartbeat_) return;
    send_text(R"({"op":"heartbeat","d":{"seq":)" + std::to_string(seq_) + "}}");
    next_heartbeat_ = now + heartbeat_interval_ * 9 / 10;
}

void ws_client::abort() {
    if (state_ == ws_state::closed) return;
    fd_.reset();
    state_ = ws_state::closed;
    std::string().swap(out_);
    std::string().swap(in_);
}

void ws_client::fail(const char* where, std::uint16_t code) {
    if (state_ == ws_state::closed) return;
    failure_ = where;
    close_code_ = code;
    abort();
    listener_.on_closed(*this);
}

void ws_client::update_interest() {
    if (state_ == ws_state::closed) return;
    std::uint32_t wanted = EPOLLIN | (out_.empty() ? 0u : std::uint32_t{EPOLLOUT});
    if (wanted != interest_) {
        interest_ = wanted;
        loop_.modify(fd_.get(), interest_, this);
    }
}

void ws_client::on_io(std::uint32_t events) {
    if (state_ == ws_state::closed) return;
    if (state_ == ws_state::connecting) {
        if (socket_error(fd_.get()) != 0) {
            fail("connect", 1006);
            return;
        }
        state_ = ws_state::handshaking;
        flush();
        return;
    }
    if ((events & (EPOLLIN | EPOLLHUP | EPOLLERR)) != 0) {
        auto& buffer = read_buffer();
        for (;;) {
            ssize_t n = ::read(fd_.get(), buffer.data(), buffer.size());
            if (n > 0) {
                consume(buffer.data(), static_cast<std::size_t>(n));
                if (state_ == ws_state::closed) return;
                if (static_cast<std::size_t>(n) < buffer.size()) break;
            } else if (n == 0) {
                fail(state_ == ws_state::ready ? "dropped" : "dropped before ready", 1006);
                return;
            } else if (errno == EINTR) {
                continue;
            } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
                break;
            } else {
                fail("read", 1006);
                return;
            }
        }
    }
    if ((events & EPOLLOUT) != 0) flush();
}

void ws_client::consume(const char* data, std::size_t size) {
    if (in_.empty()) {
        std::size_t used = parse(std::string_view(data, size));
        if (state_ == ws_state::closed) return;
        if (used < size) in_.assign(data + used, size - used);
        return;
    }
    in_.append(data, size);
    std::size_t used = parse(in_);
    if (state_ == ws_state::closed) return;
    in_.erase(0, used);
    release_if_large(in_);
}

std::size_t ws_client::parse(std::string_view data) {
    std::size_t used = 0;
    if (state_ == ws_state::handshaking) {
        std::size_t end = data.find("\r\n\r\n");
        if (end == std::string_view::npos) {
            if (data.size() > max_handshake) fail("handshake", 0);
            return 0;
        }
        std::string_view head = data.substr(0, end);
        if (!head.starts_with("HTTP/1.1 101") || !json::contains(head, handshake_accept)) {
            fail("handshake", 0);
            return data.size();
        }
        used = end + 4;
        if (dialect_ == dialect::relay) {
            state_ = ws_state::ready;
            listener_.on_ready(*this);
            if (state_ == ws_state::closed) return data.size();
        } else {
            state_ = ws_state::awaiting_hello;
        }
    }
    while (used < data.size()) {
        ws::frame_view frame;
        switch (ws::parse_frame(data.substr(used), max_frame_payload, frame)) {
            case ws::parse_status::incomplete:
                return used;
            case ws::parse_status::invalid:
                fail("bad frame", 1002);
                return data.size();
            case ws::parse_status::complete:
                break;
        }
        used += frame.size;
        handle_frame(frame);
        if (state_ == ws_state::closed) return data.size();
    }
    return used;
}

void ws_client::handle_frame(const ws::frame_view& frame) {
    switch (frame.op) {
        case ws::op_text:
        case ws::op_binary:
            if (frame.fin) {
                handle_text(frame.payload);
            } else {
                fragments_.assign(frame.payload);
                in_fragment_ = true;
            }
            break;
        case ws::op_continuation:
            if (!in_fragment_) {
                fail("bad frame", 1002);
                return;
            }
            fragments_.append(frame.payload);
            if (frame.fin) {
                in_fragment_ = false;
                std::string message;
                message.swap(fragments_);
                handle_text(message);
            }
            break;
        case ws::op_ping:
            ws::append_frame(out_, ws::op_pong, frame.payload);
            flush();
            break;
        case ws::op_pong:
            break;
        case ws::op_close: {
            std::uint16_t code = 1005;  // RFC 6455 section 7.4.1: no status code present
            if (frame.payload.size() >= 2) {
                code =
                    static_cast<std::uint16_t>((static_cast<std::uint8_t>(frame.payload[0]) << 8) |
                                               static_cast<std::uint8_t>(frame.payload[1]));
            }
            // Answer the close (section 5.5.1) before letting go of the socket.
            ws::append_frame(out_, ws::op_close, frame.payload.substr(0, 2));
            flush();
            fail(state_ == ws_state::ready ? "closed by server" : "closed before ready", code);
            break;
        }
        default:
            fail("bad frame", 1002);
            break;
    }
}

void ws_client::handle_text(std::string_view payload) {
    if (dialect_ == dialect::driftway && state_ != ws_state::ready) {
        handle_driftway(payload);
        return;
    }
    if (state_ != ws_state::ready) return;
    if (dialect_ == dialect::driftway) {
        if (auto s = json::number_after(payload, R"("s":)")) seq_ = *s;
    }
    listener_.on_message(*this, payload);
}

void ws_client::handle_driftway(std::string_view payload) {
    if (state_ == ws_state::awaiting_hello) {
        if (!json::contains(payload, R"("op":"hello")")) {
            fail("no hello", 0);
            return;
        }
        auto interval = json::number_after(payload, R"("heartbeat_interval_ms":)");
        heartbeat_interval_ = static_cast<std::int64_t>(interval.value_or(0)) * ns_per_ms;
        // Spread the first heartbeats over half an interval, as real clients do.
        std::int64_t jitter = heartbeat_interval_ / 2 * ((index_ * 2654435761u) % 1000) / 1000;
        next_heartbeat_ = now_ns() + heartbeat_interval_ / 2 + jitter;
        std::string identify = R"({"op":"identify","d":{"token":")";
        identify.append(token_ != nullptr ? *token_ : std::string()).append(R"("}})");
        state_ = ws_state::identifying;
        send_text(identify);
        return;
    }
    if (state_ == ws_state::identifying) {
        if (json::contains(payload, R"("t":"READY")")) {
            if (auto s = json::number_after(payload, R"("s":)")) seq_ = *s;
            state_ = ws_state::ready;
            listener_.on_ready(*this);
        } else if (json::contains(payload, R"("op":"invalid_session")")) {
            fail("invalid session", 0);
        }
    }
}

}  // namespace loadgen
