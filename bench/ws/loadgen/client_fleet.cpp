#include "client_fleet.hpp"

#include "clock.hpp"
#include "json_scan.hpp"
#include "tcp.hpp"

#include <algorithm>

namespace loadgen {

client_fleet::client_fleet(event_loop& loop, fleet_plan plan)
    : loop_(loop), plan_(std::move(plan)) {
    clients_.reserve(plan_.clients.size());
    was_ready_.assign(plan_.clients.size(), 0);
}

void client_fleet::launch_more() {
    while (in_flight_ < plan_.open_concurrency && next_ < plan_.clients.size()) {
        const fleet_client& spec = plan_.clients[next_];
        auto index = static_cast<std::uint32_t>(next_);
        ++next_;
        auto& client =
            clients_.emplace_back(std::make_unique<ws_client>(loop_, *this, plan_.kind, index));
        client->channel = spec.channel;
        const std::string& request = plan_.requests[plan_.requests.size() == 1 ? 0 : spec.channel];
        const std::string* token =
            plan_.kind == dialect::driftway ? &plan_.tokens.at(spec.user) : nullptr;
        in_addr_t source =
            loopback_address(plan_.source_offset + index % std::max(plan_.sources, 1u));
        if (client->open(plan_.server, source, request, token)) {
            ++in_flight_;
        } else {
            ++failures_[client->failure()];
            ++failed_;
        }
    }
}

void client_fleet::open_all(std::int64_t deadline) {
    launch_more();
    std::int64_t next_tick = now_ns();
    while (became_ready_ + failed_ < plan_.clients.size()) {
        std::int64_t now = now_ns();
        if (now >= deadline) break;
        if (now >= next_tick) {
            tick(now);
            next_tick = now + ns_per_s;
        }
        loop_.poll(100);
    }
}

void client_fleet::tick(std::int64_t now) {
    if (plan_.kind != dialect::driftway) return;
    for (auto& client : clients_) client->heartbeat_if_due(now);
}

void client_fleet::start_measuring() {
    stats_ = delivery_stats{};
    measuring_ = true;
}

void client_fleet::close_all() {
    for (auto& client : clients_) client->abort();
}

std::vector<std::uint64_t> client_fleet::ready_per_channel() const {
    std::vector<std::uint64_t> counts(plan_.channels, 0);
    for (const auto& client : clients_) {
        if (client->ready() && client->channel < counts.size()) ++counts[client->channel];
    }
    return counts;
}

std::string client_fleet::failure_summary() const {
    if (failures_.empty()) return "-";
    std::string out;
    for (const auto& [reason, count] : failures_) {
        if (!out.empty()) out += ',';
        out += reason + ':' + std::to_string(count);
    }
    return out;
}

void client_fleet::on_ready(ws_client& client) {
    was_ready_[client.index()] = 1;
    --in_flight_;
    ++ready_;
    ++became_ready_;
    launch_more();
}

void client_fleet::on_message(ws_client& client, std::string_view payload) {
    (void)client;
    if (!measuring_) return;
    std::optional<std::uint64_t> stamp;
    if (plan_.kind == dialect::relay) {
        stamp = json::number_after(payload, R"("ts":)");
    } else {
        if (!json::contains(payload, R"("t":"MESSAGE_CREATE")")) return;
        stamp = json::number_after(payload, R"("content":"t0:)");
    }
    std::int64_t now = now_ns();
    ++stats_.deliveries;
    stats_.payload_bytes += payload.size();
    if (stats_.first_ns == 0) stats_.first_ns = now;
    stats_.last_ns = now;
    if (stamp && static_cast<std::int64_t>(*stamp) <= now) {
        stats_.latency_us.push_back(
            static_cast<std::uint32_t>((now - static_cast<std::int64_t>(*stamp)) / 1000));
    }
}

void client_fleet::on_closed(ws_client& client) {
    std::string reason = client.failure() != nullptr ? client.failure() : "closed";
    if (client.close_code() != 0 && client.close_code() != 1006) {
        reason += ' ' + std::to_string(client.close_code());
    }
    ++failures_[reason];
    if (was_ready_[client.index()] != 0) {
        ++closed_after_ready_;
        --ready_;
        return;
    }
    --in_flight_;
    ++failed_;
    launch_more();
}

}  // namespace loadgen
