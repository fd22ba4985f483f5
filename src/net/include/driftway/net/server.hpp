#pragma once
// The HTTP(S) server: one io_context and thread per shard, each with its own
// SO_REUSEPORT listener so the kernel spreads connections; a connection stays
// on the shard that accepted it. Beast lives only in src/net/*.cpp.
#include "driftway/net/pipeline.hpp"
#include "driftway/net/websocket.hpp"

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace driftway::net {

struct tls_options {
    bool enabled = false;
    std::string cert_file;      // PEM chain
    std::string key_file;       // PEM private key
    std::string redirect_host;  // plain-HTTP listener answering 308 to https; empty: none
    std::uint16_t redirect_port = 0;
};

struct server_options {
    std::string host = "127.0.0.1";
    std::uint16_t port = 8080;  // 0: any free port
    unsigned shards = 1;
    std::size_t max_body_bytes = 1 << 20;           // bodies of ordinary requests
    std::size_t max_upload_bytes = 25 << 20;        // bodies of upload_paths
    std::vector<std::string> upload_path_prefixes;  // e.g. "/api/v1/attachments"
    std::size_t max_header_bytes = 16 << 10;
    std::chrono::seconds idle_timeout{60};     // keep-alive connection with no request
    std::chrono::seconds request_timeout{30};  // reading one request
    tls_options tls;
};

class server {
public:
    server(server_options options, pipeline& p);
    ~server();

    // Binds the listeners (throws on failure: port in use, bad TLS files).
    void start();
    // Port actually bound (useful with port 0).
    std::uint16_t port() const;
    std::uint16_t redirect_port() const;

    // Runs the shard threads; returns after stop() has drained them.
    void run();

    // Stop accepting, let in-flight requests finish (up to grace), close idle
    // connections, then let run() return. Safe from any thread.
    void stop(std::chrono::milliseconds grace);

    // Loads the certificate and key again (SIGHUP); new connections use them,
    // existing ones keep theirs. Returns false (and keeps the old ones) on error.
    bool reload_tls();

    // Serves WebSocket upgrades of GET `path` (call before start()). Other
    // requests to the path get 426 Upgrade Required.
    void add_websocket(std::string path, ws::acceptor accept, ws::options options = {});

    // Shard executors, for services that live on the shards (gateway sessions).
    std::vector<boost::asio::io_context*> shards();

    std::size_t open_connections() const;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace driftway::net
