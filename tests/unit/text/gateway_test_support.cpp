#include "gateway_test_support.hpp"

#include "driftway/auth/crypto.hpp"

#include <boost/asio/post.hpp>

namespace driftway::text::gw::testing {

fake_connection::fake_connection(harness& h, unsigned shard) : h_(h), shard_(shard) {}

asio::any_io_executor fake_connection::executor() const {
    return h_.ios[shard_]->get_executor();
}

net::ws::send_result fake_connection::send(std::string_view head,
                                           std::shared_ptr<const std::string> body) {
    return send(std::string(head) + *body);
}

net::ws::send_result fake_connection::send(std::string text) {
    if (closed_with) return net::ws::send_result::closed;
    if (++sends_ > overflow_after) {
        closed_with = 4010;
        deliver_close(4010);
        return net::ws::send_result::overflow;
    }
    frames.push_back(boost::json::parse(text));
    return net::ws::send_result::queued;
}

void fake_connection::close(std::uint16_t code, std::string_view) {
    if (closed_with) return;
    closed_with = code;
    deliver_close(code);
}

void fake_connection::deliver_close(std::uint16_t code) {
    asio::post(executor(), [this, code] {
        if (gone) return;
        gone = true;
        handler_->on_close(code);
    });
}

void fake_connection::open() {
    handler_ = h_.core->accept();
    asio::post(executor(), [this] { handler_->on_open(*this); });
}

void fake_connection::say(std::string text) {
    asio::post(executor(), [this, text = std::move(text)] {
        if (!gone && !closed_with) handler_->on_message(*this, text);
    });
}

void fake_connection::drop() {
    asio::post(executor(), [this] {
        if (gone) return;
        gone = true;
        closed_with = closed_with.value_or(1006);
        handler_->on_close(1006);
    });
}

void fake_connection::shutdown() {
    asio::post(executor(), [this] { handler_->on_shutdown(*this); });
}

harness::harness(unsigned shards, gateway_options o) {
    auth::init_crypto();
    std::vector<asio::io_context*> raw;
    for (unsigned i = 0; i < shards; ++i) {
        ios.push_back(std::make_unique<asio::io_context>(1));
        guards_.push_back(asio::make_work_guard(*ios.back()));
        raw.push_back(ios.back().get());
    }
    core = std::make_unique<gateway_core>(data, bus, raw, o);
    core->start();
}

harness::~harness() {
    core->stop();
    core.reset();
    connections_.clear();
    guards_.clear();
}

bool harness::run_until(const std::function<bool()>& pred, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        for (auto& io : ios) io->poll();
        if (pred()) return true;
        if (std::chrono::steady_clock::now() > deadline) return false;
        for (auto& io : ios) io->run_for(std::chrono::microseconds(300));
    }
}

void harness::run_for(std::chrono::milliseconds d) {
    run_until([] { return false; }, d);
}

fake_connection& harness::connect(unsigned shard) {
    connections_.push_back(std::make_unique<fake_connection>(*this, shard));
    auto& c = *connections_.back();
    c.open();
    return c;
}

fake_connection& harness::identified(const std::string& token, unsigned shard) {
    auto& c = connect(shard);
    c.say(identify(token));
    run_until([&] { return !dispatches(c, "READY").empty() || c.closed_with.has_value(); });
    return c;
}

std::vector<boost::json::value> dispatches(const fake_connection& c, std::string_view type) {
    std::vector<boost::json::value> out;
    for (const auto& f : c.frames) {
        if (f.at("op") != "dispatch") continue;
        if (!type.empty() && f.at("t").as_string() != type) continue;
        out.push_back(f);
    }
    return out;
}

std::uint64_t last_seq(const fake_connection& c) {
    const auto d = dispatches(c);
    return d.empty() ? 0 : d.back().at("s").to_number<std::uint64_t>();
}

boost::json::value identify(const std::string& token) {
    return {{"op", "identify"}, {"d", {{"token", token}}}};
}

boost::json::value resume(const std::string& token, const std::string& session_id,
                          std::uint64_t seq) {
    return {{"op", "resume"}, {"d", {{"token", token}, {"session_id", session_id}, {"seq", seq}}}};
}

}  // namespace driftway::text::gw::testing
