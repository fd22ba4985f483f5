#pragma once
// A gateway with fake connections and an in-memory data source, driven on
// real io_contexts (one per shard) polled by the test thread, so the tests
// are deterministic and wait for frames with deadlines instead of sleeping.
#include "driftway/bus/event_bus.hpp"
#include "driftway/net/websocket.hpp"
#include "driftway/text/events.hpp"
#include "gateway/core.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace driftway::text::gw::testing {

namespace asio = boost::asio;

// Users, spaces and who sees which channel, in memory.
struct fake_data final : gateway_data {
    struct space_def {
        std::set<id_t> members;
        // channel -> the members who may view it (empty: every member)
        std::map<id_t, std::set<id_t>> channels;
    };
    std::map<std::string, id_t> tokens;
    std::map<id_t, std::string> status;  // chosen status; default online
    std::map<id_t, space_def> spaces;
    std::map<id_t, std::vector<id_t>> dms;     // channel -> recipients
    std::vector<std::pair<id_t, id_t>> typed;  // (user, channel)
    std::vector<id_t> left_voice;              // voice_state ops with channel_id null
    std::chrono::milliseconds ready_delay{0};
    std::chrono::milliseconds access_delay{0};
    int large_threshold_seen = 0;
    bool fail_access = false;

    bool can_view(id_t user, const space_def& s, id_t channel) const {
        const auto it = s.channels.find(channel);
        return s.members.count(user) && it != s.channels.end() &&
               (it->second.empty() || it->second.count(user));
    }
    std::vector<id_t> visible(id_t user, const space_def& s) const {
        std::vector<id_t> out;
        for (const auto& [c, viewers] : s.channels)
            if (can_view(user, s, c)) out.push_back(c);
        return out;
    }
    static task<void> pause(std::chrono::milliseconds d) {
        if (d.count() == 0) co_return;
        asio::steady_timer t(co_await asio::this_coro::executor, d);
        co_await t.async_wait(asio::use_awaitable);
    }

    task<result<id_t>> authenticate(std::string token) override {
        const auto it = tokens.find(token);
        if (it == tokens.end()) co_return error::unauthorized();
        co_return result<id_t>(boost::system::in_place_value, it->second);
    }
    task<std::optional<ready_state>> ready(id_t user, int threshold) override {
        co_await pause(ready_delay);
        large_threshold_seen = threshold;
        ready_state r;
        r.user = json::object{{"id", json::id_string(user)}};
        r.status = status.count(user) ? status.at(user) : "online";
        for (const auto& [id, s] : spaces) {
            if (!s.members.count(user)) continue;
            ready_space sub;
            sub.id = id;
            sub.channels = visible(user, s);
            sub.small = static_cast<int>(s.members.size()) <= threshold;
            if (sub.small) sub.members.assign(s.members.begin(), s.members.end());
            json::array channels;
            for (const id_t c : sub.channels)
                channels.push_back(json::object{{"id", json::id_string(c)}});
            r.spaces.push_back(json::object{{"id", json::id_string(id)}, {"channels", channels}});
            r.subscriptions.push_back(std::move(sub));
        }
        for (const auto& [c, who] : dms) {
            if (std::find(who.begin(), who.end(), user) == who.end()) continue;
            r.private_channels.push_back(json::object{{"id", json::id_string(c)}});
            r.private_channel_ids.push_back(c);
        }
        co_return r;
    }
    task<space_access> access(id_t user, id_t space) override {
        co_await pause(access_delay);
        if (fail_access) throw std::runtime_error("storage unavailable");
        space_access a;
        const auto it = spaces.find(space);
        if (it == spaces.end() || !it->second.members.count(user)) co_return a;
        a.member = true;
        a.channels = visible(user, it->second);
        co_return a;
    }
    task<std::string> channel_json(id_t channel) override {
        co_return R"({"id":")" + json::id_string(channel) + R"(","synthetic":true})";
    }
    task<std::optional<member_page>> members(id_t user, id_t space, std::string query,
                                             int limit) override {
        const auto it = spaces.find(space);
        if (it == spaces.end() || !it->second.members.count(user)) co_return std::nullopt;
        member_page p;
        for (const id_t m : it->second.members) {
            if (static_cast<int>(p.user_ids.size()) >= limit) break;
            if (!query.empty() && json::id_string(m).rfind(query, 0) != 0) continue;
            p.members.push_back(json::object{{"user", json::object{{"id", json::id_string(m)}}}});
            p.user_ids.push_back(m);
        }
        co_return p;
    }
    task<std::vector<id_t>> presence_audience(id_t user) override {
        std::set<id_t> out;
        for (const auto& [id, s] : spaces)
            if (s.members.count(user)) out.insert(s.members.begin(), s.members.end());
        for (const auto& [c, who] : dms)
            if (std::find(who.begin(), who.end(), user) != who.end())
                out.insert(who.begin(), who.end());
        out.erase(user);
        co_return std::vector<id_t>(out.begin(), out.end());
    }
    task<void> typing(id_t user, id_t channel) override {
        typed.emplace_back(user, channel);
        co_return;
    }
    void leave_voice(id_t user) override { left_voice.push_back(user); }
};

class harness;

// A connection as the transport would drive it: callbacks posted to its
// shard; a close from the server is answered by on_close, like a peer would.
class fake_connection final : public net::ws::connection {
public:
    fake_connection(harness& h, unsigned shard);

    net::ws::send_result send(std::string_view head,
                              std::shared_ptr<const std::string> body) override;
    net::ws::send_result send(std::string text) override;
    void close(std::uint16_t code, std::string_view reason) override;
    asio::any_io_executor executor() const override;
    unsigned shard() const override { return shard_; }
    const std::string& remote_ip() const override { return ip_; }
    std::size_t queued_bytes() const override { return 0; }

    // Test side.
    void open();
    void say(std::string text);
    void say(const char* text) { say(std::string(text)); }
    void say(const boost::json::value& frame) { say(boost::json::serialize(frame)); }
    void drop();  // the socket just goes away (1006)
    void shutdown();

    std::vector<boost::json::value> frames;  // everything received, parsed
    std::optional<std::uint16_t> closed_with;
    bool gone = false;                      // on_close delivered
    std::size_t overflow_after = SIZE_MAX;  // sends beyond this many report overflow

private:
    void deliver_close(std::uint16_t code);

    harness& h_;
    unsigned shard_;
    std::string ip_ = "127.0.0.1";
    std::unique_ptr<net::ws::handler> handler_;
    std::size_t sends_ = 0;
};

class harness {
public:
    explicit harness(unsigned shards = 1, gateway_options o = default_options());
    ~harness();

    static gateway_options default_options() {
        gateway_options o;
        o.heartbeat_interval = std::chrono::milliseconds(5000);
        o.identify_timeout = std::chrono::milliseconds(5000);
        o.resume_grace = std::chrono::seconds(60);
        return o;
    }

    // Runs the shards until pred holds or the deadline passes.
    bool run_until(const std::function<bool()>& pred,
                   std::chrono::milliseconds timeout = std::chrono::milliseconds(3000));
    // Runs the shards for a while (to show that nothing more arrives).
    void run_for(std::chrono::milliseconds d);

    fake_connection& connect(unsigned shard = 0);
    // Opens, identifies with token and waits for READY.
    fake_connection& identified(const std::string& token, unsigned shard = 0);

    fake_data data;
    std::vector<std::unique_ptr<asio::io_context>> ios;
    bus::in_process_event_bus bus;
    event_publisher events{bus};
    std::unique_ptr<gateway_core> core;

private:
    std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards_;
    std::vector<std::unique_ptr<fake_connection>> connections_;
};

// Frame helpers.
std::vector<boost::json::value> dispatches(const fake_connection& c, std::string_view type = {});
std::uint64_t last_seq(const fake_connection& c);
boost::json::value identify(const std::string& token);
boost::json::value resume(const std::string& token, const std::string& session_id,
                          std::uint64_t seq);

}  // namespace driftway::text::gw::testing
