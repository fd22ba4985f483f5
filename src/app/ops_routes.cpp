#include "ops_routes.hpp"

#include "driftway/core/clock.hpp"
#include "driftway/core/json.hpp"
#include "driftway/core/metrics.hpp"
#include "driftway/core/process.hpp"

namespace driftway::app {

void add_ops_routes(net::router& router, store::backend& db, std::string version) {
    router.add(net::method::get, "/health",
               [&db, version](net::request&) -> boost::asio::awaitable<net::response> {
                   const auto ping = co_await db.ping();
                   json::object database;
                   database["status"] = ping.ok ? "ok" : "down";
                   database["latency_ms"] = ping.latency_ms;
                   if (!ping.ok) database["detail"] = ping.detail;
                   json::object memory;
                   memory["status"] = "ok";
                   memory["rss_bytes"] = process::resident_memory_bytes();
                   json::object checks;
                   checks["database"] = std::move(database);
                   checks["memory"] = std::move(memory);
                   json::object body;
                   body["status"] = ping.ok ? "ok" : "degraded";
                   body["timestamp"] = clock::iso8601(clock::unix_ms());
                   body["version"] = version;
                   body["uptime_seconds"] = process::uptime_seconds();
                   body["checks"] = std::move(checks);
                   auto res = net::response::json(ping.ok ? 200 : 503, body);
                   res.headers.set("Cache-Control", "no-store");
                   co_return res;
               });
    router.add(net::method::get, "/metrics",
               [](net::request&) -> boost::asio::awaitable<net::response> {
                   co_return net::response::text(200, metrics::global().render(),
                                                 "text/plain; version=0.0.4; charset=utf-8");
               });
}

}  // namespace driftway::app
