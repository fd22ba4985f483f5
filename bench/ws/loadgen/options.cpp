#include "options.hpp"

#include <charconv>
#include <cstring>
#include <map>

namespace loadgen {

const char* usage() {
    return R"(usage: ws_loadgen --dialect driftway|relay --server HOST:PORT [options] MODE ARGS

modes:
  idle N          open N clients (Driftway: identified sessions), hold them, and
                  report the server's memory per connection (needs --pid)
  burst N M       N clients in one channel; M messages posted at once;
                  deliveries per second until all N*M arrived or the deadline
  chat C G R S    C clients in G channels; R messages/s in all for S seconds;
                  end-to-end latency from the sender's stamp to each receiver
  inserts S       Driftway only: REST posts at full speed for S seconds;
                  201 answers (durable messages) per second

options:
  --path P               upgrade path (driftway: /gateway, relay: /)
  --pid PID              the server's pid, for its VmRSS
  --users U              distinct Driftway users (sessions share them); default:
                         min(clients, 100), at least one per channel
  --http-conns K         REST connections that post (burst 8, chat 32, inserts 128)
  --setup-conns K        REST connections for setup (32)
  --sources K            client source addresses 127.0.0.1 .. 127.0.0.K (4)
  --open-concurrency K   upgrades in flight per process (256)
  --procs P              receiving processes (default: as the open-file limit needs)
  --hold S               idle: seconds to hold before measuring (5)
  --timeout S            bound on each phase (120)
  --drain S              chat: seconds to wait for deliveries after posting (5)
  --payload B            relay: bytes per posted frame (256)
)";
}

namespace {

template <typename T>
bool parse_number(const char* text, T& out) {
    const char* end = text + std::strlen(text);
    auto [ptr, ec] = std::from_chars(text, end, out);
    return ec == std::errc{} && ptr == end;
}

}  // namespace

std::optional<options> parse_options(int argc, char** argv, std::string& error) {
    options o;
    bool have_dialect = false;
    bool have_server = false;
    std::map<std::string, unsigned*> unsigned_flags{
        {"--users", &o.users},
        {"--http-conns", &o.http_connections},
        {"--setup-conns", &o.setup_connections},
        {"--sources", &o.sources},
        {"--open-concurrency", &o.open_concurrency},
        {"--procs", &o.procs},
        {"--payload", &o.payload_bytes},
    };
    std::map<std::string, double*> seconds_flags{
        {"--hold", &o.hold_seconds},
        {"--timeout", &o.timeout_seconds},
        {"--drain", &o.drain_seconds},
    };
    int i = 1;
    for (; i < argc && std::strncmp(argv[i], "--", 2) == 0; i += 2) {
        std::string flag = argv[i];
        if (flag == "--help") {
            error = usage();
            return std::nullopt;
        }
        if (i + 1 >= argc) {
            error = flag + " needs a value";
            return std::nullopt;
        }
        const char* value = argv[i + 1];
        if (flag == "--dialect") {
            if (std::strcmp(value, "driftway") == 0) {
                o.kind = dialect::driftway;
            } else if (std::strcmp(value, "relay") == 0) {
                o.kind = dialect::relay;
            } else {
                error = "unknown dialect " + std::string(value);
                return std::nullopt;
            }
            have_dialect = true;
        } else if (flag == "--server") {
            std::string text = value;
            auto colon = text.rfind(':');
            if (colon == std::string::npos || !parse_number(text.c_str() + colon + 1, o.port)) {
                error = "--server wants HOST:PORT";
                return std::nullopt;
            }
            o.host = text.substr(0, colon);
            have_server = true;
        } else if (flag == "--path") {
            o.path = value;
        } else if (flag == "--pid") {
            if (!parse_number(value, o.server_pid)) {
                error = "bad --pid";
                return std::nullopt;
            }
        } else if (auto u = unsigned_flags.find(flag); u != unsigned_flags.end()) {
            if (!parse_number(value, *u->second)) {
                error = "bad " + flag;
                return std::nullopt;
            }
        } else if (auto s = seconds_flags.find(flag); s != seconds_flags.end()) {
            char* end = nullptr;
            *s->second = std::strtod(value, &end);
            if (end == value || *end != '\0' || *s->second < 0) {
                error = "bad " + flag;
                return std::nullopt;
            }
        } else {
            error = "unknown option " + flag;
            return std::nullopt;
        }
    }
    if (!have_dialect || !have_server || i >= argc) {
        error = usage();
        return std::nullopt;
    }
    o.mode = argv[i++];
    for (; i < argc; ++i) {
        char* end = nullptr;
        double n = std::strtod(argv[i], &end);
        if (end == argv[i] || *end != '\0' || n < 0) {
            error = "bad count " + std::string(argv[i]);
            return std::nullopt;
        }
        o.counts.push_back(n);
    }
    static const std::map<std::string, std::size_t> arity{
        {"idle", 1}, {"burst", 2}, {"chat", 4}, {"inserts", 1}};
    auto a = arity.find(o.mode);
    if (a == arity.end() || a->second != o.counts.size()) {
        error = "bad mode or arguments\n" + std::string(usage());
        return std::nullopt;
    }
    if (o.path.empty()) o.path = o.kind == dialect::driftway ? "/gateway" : "/";
    if (o.sources == 0) o.sources = 1;
    if (o.open_concurrency == 0) o.open_concurrency = 1;
    return o;
}

}  // namespace loadgen
