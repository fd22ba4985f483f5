#include "http_client.hpp"

#include "clock.hpp"
#include "tcp.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>

namespace loadgen {

namespace {

constexpr std::size_t max_response = 64 << 20;

std::string lowercase(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

// The value of header name (lowercase, with the colon) in a lowercased head.
std::string_view header_value(std::string_view head, std::string_view name) {
    std::string needle = "\r\n";
    needle.append(name);
    std::size_t pos = head.find(needle);
    if (pos == std::string_view::npos) return {};
    pos += needle.size();
    while (pos < head.size() && head[pos] == ' ') ++pos;
    std::size_t end = head.find("\r\n", pos);
    if (end == std::string_view::npos) end = head.size();
    return head.substr(pos, end - pos);
}

// Decodes a chunked body (RFC 9112 section 7.1). Returns the bytes used, or
// 0 when more input is needed; sets bad on malformed input.
std::size_t decode_chunked(std::string_view data, std::string& body, bool& bad) {
    std::size_t pos = 0;
    body.clear();
    for (;;) {
        std::size_t line_end = data.find("\r\n", pos);
        if (line_end == std::string_view::npos) return 0;
        std::size_t size = 0;
        auto [ptr, ec] = std::from_chars(data.data() + pos, data.data() + line_end, size, 16);
        if (ec != std::errc{} || ptr == data.data() + pos) {
            bad = true;
            return 0;
        }
        pos = line_end + 2;
        if (size == 0) {
            std::size_t end = data.find("\r\n", pos);
            if (end == std::string_view::npos) return 0;
            while (end != pos) {  // trailer fields
                pos = end + 2;
                end = data.find("\r\n", pos);
                if (end == std::string_view::npos) return 0;
            }
            return end + 2;
        }
        if (data.size() < pos + size + 2) return 0;
        body.append(data.substr(pos, size));
        pos += size + 2;
    }
}

}  // namespace

std::string format_request(std::string_view method, std::string_view target, std::string_view host,
                           std::string_view token, std::string_view body) {
    std::string r;
    r.reserve(256 + token.size() + body.size());
    r.append(method).append(" ").append(target).append(" HTTP/1.1\r\nHost: ").append(host);
    if (!token.empty()) r.append("\r\nAuthorization: Bearer ").append(token);
    if (!body.empty() || method == "POST") {
        r.append("\r\nContent-Type: application/json\r\nContent-Length: ");
        r.append(std::to_string(body.size()));
    }
    r.append("\r\n\r\n").append(body);
    return r;
}

http_client::http_client(event_loop& loop, const sockaddr_in& server)
    : loop_(loop), server_(server) {}

void http_client::start(std::string request, http_callback done) {
    request_ = std::move(request);
    written_ = 0;
    done_ = std::move(done);
    sent_ns_ = now_ns();
    retried_ = false;
    if (state_ == state::disconnected) {
        connect();
    } else {
        reused_ = true;
        flush();
    }
}

void http_client::connect() {
    reused_ = false;
    int fd = start_connect(server_, 0);
    if (fd < 0) {
        fail_request();
        return;
    }
    fd_.reset(fd);
    state_ = state::connecting;
    interest_ = EPOLLOUT;
    loop_.add(fd, interest_, this);
}

void http_client::drop() {
    fd_.reset();
    state_ = state::disconnected;
    in_.clear();
    interest_ = 0;
}

void http_client::fail_request() {
    drop();
    if (!done_) return;
    // A keep-alive connection may have been closed by the server just as
    // this request went out; one fresh attempt tells that from a failure.
    if (reused_ && !retried_) {
        retried_ = true;
        written_ = 0;
        connect();
        return;
    }
    http_response response;
    response.sent_ns = sent_ns_;
    response.done_ns = now_ns();
    http_callback done = std::move(done_);
    done_ = nullptr;
    done(response);
}

void http_client::update_interest() {
    if (!fd_) return;
    std::uint32_t wanted = EPOLLIN | (written_ < request_.size() ? std::uint32_t{EPOLLOUT} : 0u);
    if (wanted != interest_) {
        interest_ = wanted;
        loop_.modify(fd_.get(), interest_, this);
    }
}

void http_client::flush() {
    while (written_ < request_.size()) {
        ssize_t n =
            ::send(fd_.get(), request_.data() + written_, request_.size() - written_, MSG_NOSIGNAL);
        if (n > 0) {
            written_ += static_cast<std::size_t>(n);
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            break;
        } else {
            fail_request();
            return;
        }
    }
    update_interest();
}

void http_client::on_io(std::uint32_t events) {
    if (state_ == state::disconnected) return;
    if (state_ == state::connecting) {
        if (socket_error(fd_.get()) != 0) {
            fail_request();
            return;
        }
        state_ = state::open;
        flush();
        return;
    }
    if ((events & (EPOLLIN | EPOLLHUP | EPOLLERR)) != 0) {
        char buffer[64 << 10];
        for (;;) {
            ssize_t n = ::read(fd_.get(), buffer, sizeof buffer);
            if (n > 0) {
                in_.append(buffer, static_cast<std::size_t>(n));
                if (in_.size() > max_response) {
                    fail_request();
                    return;
                }
                if (static_cast<std::size_t>(n) < sizeof buffer) break;
            } else if (n == 0) {
                if (!try_complete(true)) fail_request();
                return;
            } else if (errno == EINTR) {
                continue;
            } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
                break;
            } else {
                fail_request();
                return;
            }
        }
        try_complete(false);
        return;
    }
    if ((events & EPOLLOUT) != 0) flush();
}

bool http_client::try_complete(bool eof) {
    if (!done_) return false;
    std::size_t head_end = in_.find("\r\n\r\n");
    if (head_end == std::string::npos) return false;
    std::string head = lowercase(std::string_view(in_).substr(0, head_end));
    int status = 0;
    if (head.size() < 12 || !head.starts_with("http/1.1 ")) {
        fail_request();
        return true;
    }
    std::from_chars(head.data() + 9, head.data() + 12, status);
    std::size_t body_start = head_end + 4;
    http_response response;
    std::size_t used = 0;
    if (header_value(head, "transfer-encoding:").find("chunked") != std::string_view::npos) {
        bool bad = false;
        std::size_t n =
            decode_chunked(std::string_view(in_).substr(body_start), response.body, bad);
        if (bad) {
            fail_request();
            return true;
        }
        if (n == 0) return false;
        used = body_start + n;
    } else {
        std::string_view length_text = header_value(head, "content-length:");
        std::size_t length = 0;
        std::from_chars(length_text.data(), length_text.data() + length_text.size(), length);
        if (in_.size() < body_start + length) return false;
        response.body = in_.substr(body_start, length);
        used = body_start + length;
    }
    bool close = eof || header_value(head, "connection:").find("close") != std::string_view::npos;
    in_.erase(0, used);
    response.status = status;
    response.sent_ns = sent_ns_;
    response.done_ns = now_ns();
    if (close) drop();
    http_callback done = std::move(done_);
    done_ = nullptr;
    done(response);
    return true;
}

http_pool::http_pool(event_loop& loop, const sockaddr_in& server, std::size_t connections)
    : loop_(loop) {
    for (std::size_t i = 0; i < std::max<std::size_t>(connections, 1); ++i) {
        clients_.push_back(std::make_unique<http_client>(loop, server));
    }
}

void http_pool::submit(std::string request, http_callback done) {
    queue_.emplace_back(std::move(request), std::move(done));
    dispatch();
}

void http_pool::dispatch() {
    for (auto& client : clients_) {
        if (queue_.empty()) return;
        if (client->busy()) continue;
        auto [request, done] = std::move(queue_.front());
        queue_.pop_front();
        ++in_flight_;
        client->start(std::move(request), [this, done = std::move(done)](http_response& r) {
            --in_flight_;
            done(r);
            dispatch();
        });
    }
}

bool http_pool::drain(std::int64_t deadline) {
    while (outstanding() > 0) {
        std::int64_t now = now_ns();
        if (now >= deadline) return false;
        loop_.poll(static_cast<int>(std::min<std::int64_t>((deadline - now) / ns_per_ms + 1, 100)));
    }
    return true;
}

}  // namespace loadgen
