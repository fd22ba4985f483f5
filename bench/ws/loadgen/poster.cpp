#include "poster.hpp"

#include "clock.hpp"
#include "http_client.hpp"
#include "ws_client.hpp"

#include <numeric>

namespace loadgen {

std::uint64_t poster::accepted_total() const {
    return std::accumulate(accepted_.begin(), accepted_.end(), std::uint64_t{0});
}

std::string poster::rejection_summary() const {
    if (rejections_.empty()) return "-";
    std::string out;
    for (const auto& [reason, count] : rejections_) {
        if (!out.empty()) out += ',';
        out += reason + ':' + std::to_string(count);
    }
    return out;
}

void poster::reset_counts() {
    std::fill(accepted_.begin(), accepted_.end(), 0);
    answer_latency_us_.clear();
    rejections_.clear();
    rejected_ = 0;
}

void poster::reject(const std::string& reason) {
    ++rejected_;
    ++rejections_[reason];
}

namespace {

class rest_poster final : public poster {
public:
    rest_poster(event_loop& loop, const sockaddr_in& server, std::string host, std::string token,
                std::vector<std::string> channel_ids, std::size_t connections)
        : poster(channel_ids.size()),
          pool_(loop, server, connections),
          host_(std::move(host)),
          token_(std::move(token)) {
        for (const auto& id : channel_ids) {
            targets_.push_back("/api/v1/channels/" + id + "/messages");
        }
    }

    void post(std::uint32_t channel, std::int64_t stamp_ns) override {
        std::string body = R"({"content":"t0:)" + std::to_string(stamp_ns) + R"("})";
        std::int64_t posted = now_ns();
        pool_.submit(
            format_request("POST", targets_[channel], host_, token_, body),
            [this, channel, posted](http_response& r) {
                if (r.status == 201) {
                    ++accepted_[channel];
                } else {
                    reject(r.status == 0 ? "no answer" : "HTTP " + std::to_string(r.status));
                }
                answer_latency_us_.push_back(
                    static_cast<std::uint32_t>((r.done_ns - posted) / 1000));
            });
    }

    void flush() override {}
    std::size_t outstanding() const override { return pool_.outstanding(); }

private:
    http_pool pool_;
    std::string host_;
    std::string token_;
    std::vector<std::string> targets_;
};

class relay_poster final : public poster, public ws_listener {
public:
    relay_poster(event_loop& loop, std::size_t channels, std::size_t payload_bytes)
        : poster(channels),
          loop_(loop),
          sender_(loop, *this, dialect::relay, 0),
          payload_bytes_(payload_bytes) {}

    bool connect(const sockaddr_in& server, const std::string& request, std::int64_t deadline) {
        if (!sender_.open(server, 0, request, nullptr)) return false;
        while (!sender_.ready() && sender_.state() != ws_state::closed && now_ns() < deadline) {
            loop_.poll(50);
        }
        return sender_.ready();
    }

    void post(std::uint32_t channel, std::int64_t stamp_ns) override {
        if (!sender_.ready()) {
            reject("sender closed");
            return;
        }
        frame_ = R"({"channel":"c)" + std::to_string(channel) + R"(","ts":)" +
                 std::to_string(stamp_ns) + R"(,"content":")";
        // Padding stands for the rest of a chat message (author, ids, time).
        std::size_t used = frame_.size() + 2;
        if (payload_bytes_ > used) frame_.append(payload_bytes_ - used, 'x');
        frame_ += "\"}";
        sender_.queue_text(frame_);
        ++accepted_[channel];
    }

    void flush() override { sender_.flush(); }
    std::size_t outstanding() const override { return sender_.pending_bytes(); }

    void on_ready(ws_client&) override {}
    void on_message(ws_client&, std::string_view) override {}
    void on_closed(ws_client&) override {}

private:
    event_loop& loop_;
    ws_client sender_;
    std::string frame_;
    std::size_t payload_bytes_;
};

}  // namespace

std::unique_ptr<poster> make_rest_poster(event_loop& loop, const sockaddr_in& server,
                                         const std::string& host, const std::string& token,
                                         std::vector<std::string> channel_ids,
                                         std::size_t connections) {
    return std::make_unique<rest_poster>(loop, server, host, token, std::move(channel_ids),
                                         connections);
}

std::unique_ptr<poster> make_relay_poster(event_loop& loop, const sockaddr_in& server,
                                          const std::string& request, std::size_t channels,
                                          std::size_t payload_bytes, std::int64_t deadline) {
    auto p = std::make_unique<relay_poster>(loop, channels, payload_bytes);
    if (!p->connect(server, request, deadline)) return nullptr;
    return p;
}

}  // namespace loadgen
