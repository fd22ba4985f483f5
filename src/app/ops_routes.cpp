#include "ops_routes.hpp"

#include "driftway/core/clock.hpp"
#include "driftway/core/json.hpp"
#include "driftway/core/metrics.hpp"
#include "driftway/core/process.hpp"

namespace driftway::app {

health_check database_check(store::backend& db) {
    return {"database", [&db]() { return db.ping(); }};
}

void add_ops_routes(net::router& router, std::vector<health_check> checks, std::string version) {
    router.add(net::method::get, "/health",
               [checks = std::move(checks),
                version](net::request&) -> boost::asio::awaitable<net::response> {
                   bool ok = true;
                   json::object results;
                   for (const auto& check : checks) {
                       const auto outcome = co_await check.run();
                       json::object entry;
                       entry["status"] = outcome.ok ? "ok" : "down";
                       entry["latency_ms"] = outcome.latency_ms;
                       if (!outcome.ok) entry["detail"] = outcome.detail;
                       results[check.name] = std::move(entry);
                       ok = ok && outcome.ok;
                   }
                   json::object memory;
                   memory["status"] = "ok";
                   memory["rss_bytes"] = process::resident_memory_bytes();
                   results["memory"] = std::move(memory);
                   json::object body;
                   body["status"] = ok ? "ok" : "degraded";
                   body["timestamp"] = clock::iso8601(clock::unix_ms());
                   body["version"] = version;
                   body["uptime_seconds"] = process::uptime_seconds();
                   body["checks"] = std::move(results);
                   auto res = net::response::json(ok ? 200 : 503, body);
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
