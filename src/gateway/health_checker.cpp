#include "driftway/gateway/health_checker.hpp"

#include "driftway/core/clock.hpp"
#include "driftway/core/log.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <atomic>
#include <optional>

namespace driftway::gateway {

namespace asio = boost::asio;

struct health_checker::state {
    std::atomic<bool> stopped{false};
    asio::io_context* ioc = nullptr;
    std::optional<asio::steady_timer> timer;  // touched only on ioc's thread
};

namespace {
std::int64_t now_ms() {
    return clock::mono_ns() / 1'000'000;
}
}  // namespace

health_checker::health_checker(std::vector<upstream_group*> groups, net::http_client& client,
                               health_options options)
    : groups_(std::move(groups)),
      client_(client),
      options_(options),
      state_(std::make_shared<state>()) {}

health_checker::~health_checker() = default;

void health_checker::start(asio::io_context& ioc) {
    state_->ioc = &ioc;
    state_->timer.emplace(ioc);
    asio::co_spawn(ioc, loop(), [](std::exception_ptr e) {
        if (!e) return;
        try {
            std::rethrow_exception(e);
        } catch (const std::exception& ex) {
            log::error("health checks stopped", {{"error", ex.what()}});
        }
    });
}

void health_checker::stop() {
    auto s = state_;
    if (s->stopped.exchange(true) || s->ioc == nullptr) return;
    asio::post(*s->ioc, [s] {
        if (s->timer) s->timer->cancel();
    });
}

asio::awaitable<void> health_checker::loop() {
    const auto s = state_;
    while (!s->stopped.load()) {
        co_await check_all();
        if (s->stopped.load()) break;
        s->timer->expires_after(options_.interval);
        co_await s->timer->async_wait(asio::as_tuple(asio::use_awaitable));
    }
}

asio::awaitable<void> health_checker::check_all() {
    for (auto* g : groups_) {
        for (const auto& u : g->members()) co_await probe(*u);
    }
}

asio::awaitable<void> health_checker::probe(upstream& u) {
    // Open breakers are left alone until their time is up; then the check
    // claims the half-open trial (unless a request already holds it).
    const breaker_state before = u.state(now_ms());
    const bool judged = before == breaker_state::closed ||
                        (before == breaker_state::half_open && u.allow(now_ms()));

    net::request req;
    req.verb = net::method::get;
    req.target = "/health";
    req.path = "/health";
    req.headers.add("Accept", "application/json");
    req.headers.add("User-Agent", "driftway-gateway-health");
    const net::client_result r =
        co_await client_.send(u.address().host, u.address().port, req, options_.timeout);

    const bool ok = r.ok() && r.res.status == 200;
    if (ok != u.healthy()) {
        log::info("upstream health changed",
                  {{"upstream", u.name()},
                   {"healthy", ok},
                   {"detail", r.ok() ? std::to_string(r.res.status) : r.detail}});
    }
    u.set_healthy(ok);
    if (!judged) co_return;
    // Reachable at all is what the breaker judges: a node that answers 503
    // because its database is down still answers (and its 503s reach clients).
    if (r.ok() && r.res.status != 502 && r.res.status != 504) {
        u.on_success(now_ms());
    } else {
        u.on_failure(now_ms());
    }
}

}  // namespace driftway::gateway
