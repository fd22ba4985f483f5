#include "modes.hpp"

#include "clock.hpp"
#include "driftway_setup.hpp"
#include "poster.hpp"
#include "proc_status.hpp"
#include "tcp.hpp"
#include "worker.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>
#include <thread>

namespace loadgen {

namespace {

// Descriptors a process needs besides its client sockets.
constexpr std::uint64_t fd_reserve = 64;

void progress(const std::string& text) {
    std::fprintf(stderr, "ws_loadgen: %s\n", text.c_str());
}

template <typename T>
void result(const char* key, const T& value) {
    std::ostringstream line;
    line << key << '=' << value << '\n';
    std::fputs(line.str().c_str(), stdout);
}

void result_ms(const char* key, double microseconds) {
    std::printf("%s=%.3f\n", key, microseconds / 1000.0);
}

double percentile(std::vector<std::uint32_t>& sorted, double p) {
    if (sorted.empty()) return 0;
    auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(sorted.size())));
    return sorted[std::min(sorted.size() - 1, rank == 0 ? 0 : rank - 1)];
}

void latency_results(const char* prefix, std::vector<std::uint32_t>& samples) {
    std::sort(samples.begin(), samples.end());
    std::string p = prefix;
    result((p + "_samples").c_str(), samples.size());
    result_ms((p + "_p50_ms").c_str(), percentile(samples, 0.50));
    result_ms((p + "_p99_ms").c_str(), percentile(samples, 0.99));
    result_ms((p + "_max_ms").c_str(), samples.empty() ? 0 : samples.back());
}

std::int64_t seconds_ns(double seconds) {
    return static_cast<std::int64_t>(seconds * 1e9);
}

struct context {
    explicit context(const options& opts) : o(opts) {
        auto addr = parse_ipv4(o.host, o.port);
        if (!addr) throw std::runtime_error("--server must be an IPv4 address and port");
        server = *addr;
        host = o.host + ':' + std::to_string(o.port);
    }

    std::int64_t deadline() const { return now_ns() + seconds_ns(o.timeout_seconds); }

    const options& o;
    sockaddr_in server{};
    std::string host;
    event_loop loop;
};

std::optional<driftway_world> setup_driftway(context& ctx, unsigned users, unsigned groups) {
    driftway_setup_options setup;
    setup.server = ctx.server;
    setup.host = ctx.host;
    setup.users = users;
    setup.groups = groups;
    setup.connections = ctx.o.setup_connections;
    setup.deadline = ctx.deadline();
    std::string error;
    std::int64_t started = now_ns();
    auto world = build_driftway_world(ctx.loop, setup, error);
    if (!world) {
        progress("setup failed: " + error);
        return std::nullopt;
    }
    progress("setup: " + std::to_string(world->user_tokens.size()) + " users, " +
             std::to_string(groups) + " spaces in " +
             std::to_string((now_ns() - started) / ns_per_ms) + " ms");
    return world;
}

unsigned default_users(const options& o, std::size_t clients, unsigned groups) {
    unsigned users =
        o.users != 0 ? o.users : static_cast<unsigned>(std::min<std::size_t>(clients, 100));
    return std::max(users, groups);
}

// Clients spread round-robin over the channels; a Driftway client uses the
// users of its channel's group in turn, so the first clients opened are all
// different users (each user's first session is the one that changes presence).
fleet_plan make_plan(const context& ctx, std::size_t clients, unsigned groups,
                     const driftway_world* world) {
    fleet_plan plan;
    plan.kind = ctx.o.kind;
    plan.server = ctx.server;
    plan.channels = groups;
    plan.sources = ctx.o.sources;
    plan.open_concurrency = ctx.o.open_concurrency;
    if (world != nullptr) {
        plan.requests.push_back(upgrade_request(ctx.host, ctx.o.path));
        plan.tokens = world->user_tokens;
    } else {
        std::string separator = ctx.o.path.find('?') == std::string::npos ? "?" : "&";
        for (unsigned g = 0; g < groups; ++g) {
            plan.requests.push_back(upgrade_request(
                ctx.host, ctx.o.path + separator + "channel=c" + std::to_string(g)));
        }
    }
    plan.clients.resize(clients);
    for (std::size_t i = 0; i < clients; ++i) {
        auto g = static_cast<std::uint32_t>(i % groups);
        plan.clients[i].channel = g;
        if (world != nullptr) {
            const auto& users = world->group_users[g];
            plan.clients[i].user = users[(i / groups) % users.size()];
        }
    }
    return plan;
}

struct fleet_totals {
    std::uint64_t ready = 0;
    std::uint64_t failed = 0;
    std::uint64_t closed = 0;
    std::string reasons;
};

void add_reasons(std::string& all, const std::string& more) {
    if (more.empty() || more == "-") return;
    if (!all.empty()) all += ',';
    all += more;
}

class worker_set {
public:
    // Splits the plan's clients over processes (round-robin, so each holds
    // every channel) and starts them.
    worker_set(const context& ctx, const fleet_plan& plan) : ctx_(ctx) {
        std::uint64_t per_process = open_file_limit() > fd_reserve * 2
                                        ? open_file_limit() - fd_reserve
                                        : open_file_limit() / 2;
        std::size_t procs =
            ctx.o.procs != 0
                ? ctx.o.procs
                : std::max<std::size_t>(1, (plan.clients.size() + per_process - 1) / per_process);
        progress(std::to_string(plan.clients.size()) + " clients in " + std::to_string(procs) +
                 " process(es), open-file limit " + std::to_string(open_file_limit()));
        std::int64_t open_deadline = ctx.deadline();
        for (std::size_t w = 0; w < procs; ++w) {
            fleet_plan part = plan;
            part.clients.clear();
            for (std::size_t i = w; i < plan.clients.size(); i += procs) {
                part.clients.push_back(plan.clients[i]);
            }
            // Each process starts at a different source so their ports do not collide.
            part.source_offset = static_cast<unsigned>(w * plan.sources);
            workers_.push_back(worker::spawn(
                [part = std::move(part), open_deadline](int commands, int reports) mutable {
                    return serve_fleet(std::move(part), commands, reports, open_deadline);
                }));
        }
    }

    std::optional<fleet_totals> wait_ready() {
        fleet_totals totals;
        std::int64_t deadline = ctx_.deadline() + 10 * ns_per_s;
        for (auto& w : workers_) {
            auto line = w->read_line(deadline);
            if (!line) return std::nullopt;
            std::istringstream in(*line);
            std::string word, reasons;
            std::uint64_t ready = 0, failed = 0;
            in >> word >> ready >> failed >> reasons;
            if (word != "ready") return std::nullopt;
            totals.ready += ready;
            totals.failed += failed;
            add_reasons(totals.reasons, reasons);
        }
        return totals;
    }

    std::optional<fleet_totals> status() {
        fleet_totals totals;
        for (auto& w : workers_) {
            if (!w->send("status")) return std::nullopt;
            auto line = w->read_line(now_ns() + 30 * ns_per_s);
            if (!line) return std::nullopt;
            std::istringstream in(*line);
            std::string word, reasons;
            std::uint64_t ready = 0, closed = 0;
            in >> word >> ready >> closed >> reasons;
            totals.ready += ready;
            totals.closed += closed;
            add_reasons(totals.reasons, reasons);
        }
        return totals;
    }

    bool go() {
        for (auto& w : workers_) {
            if (!w->send("go")) return false;
        }
        for (auto& w : workers_) {
            auto line = w->read_line(now_ns() + 30 * ns_per_s);
            if (!line || *line != "measuring") return false;
        }
        return true;
    }

    struct collected {
        std::uint64_t deliveries = 0;
        std::uint64_t expected = 0;
        std::uint64_t payload_bytes = 0;
        std::int64_t first_ns = 0;
        std::int64_t last_ns = 0;
        std::uint64_t closed = 0;
        std::string reasons;
        double cpu_seconds = 0;  // of every worker, from go to its report
        std::vector<std::uint32_t> latency_us;
    };

    std::optional<collected> end(std::int64_t deadline, const std::vector<std::uint64_t>& posted) {
        std::string command = "end " + std::to_string(deadline);
        for (auto p : posted) command += ' ' + std::to_string(p);
        for (auto& w : workers_) {
            if (!w->send(command)) return std::nullopt;
        }
        collected all;
        std::int64_t read_deadline = deadline + 60 * ns_per_s;
        for (auto& w : workers_) {
            auto line = w->read_line(read_deadline);
            if (!line) return std::nullopt;
            std::istringstream in(*line);
            std::string word, reasons;
            std::uint64_t deliveries = 0, expected = 0, bytes = 0, closed = 0, samples = 0;
            std::int64_t first = 0, last = 0;
            double cpu = 0;
            in >> word >> deliveries >> expected >> bytes >> first >> last >> closed >> samples >>
                reasons >> cpu;
            all.cpu_seconds += cpu;
            if (word != "done") return std::nullopt;
            all.deliveries += deliveries;
            all.expected += expected;
            all.payload_bytes += bytes;
            if (first != 0 && (all.first_ns == 0 || first < all.first_ns)) all.first_ns = first;
            all.last_ns = std::max(all.last_ns, last);
            all.closed += closed;
            add_reasons(all.reasons, reasons);
            std::size_t at = all.latency_us.size();
            all.latency_us.resize(at + samples);
            if (!w->read_exact(reinterpret_cast<char*>(all.latency_us.data() + at),
                               samples * sizeof(std::uint32_t), read_deadline)) {
                return std::nullopt;
            }
        }
        return all;
    }

    void quit() {
        for (auto& w : workers_) w->send("quit");
        for (auto& w : workers_) w->wait(now_ns() + 30 * ns_per_s);
    }

private:
    const context& ctx_;
    std::vector<std::unique_ptr<worker>> workers_;
};

std::unique_ptr<poster> make_poster(context& ctx, const driftway_world* world, unsigned channels,
                                    unsigned default_connections) {
    if (world != nullptr) {
        unsigned connections =
            ctx.o.http_connections != 0 ? ctx.o.http_connections : default_connections;
        return make_rest_poster(ctx.loop, ctx.server, ctx.host, world->owner_token,
                                world->channel_ids, connections);
    }
    auto p = make_relay_poster(ctx.loop, ctx.server, upgrade_request(ctx.host, ctx.o.path),
                               channels, ctx.o.payload_bytes, ctx.deadline());
    if (!p) progress("the relay sender could not connect");
    return p;
}

// CPU the server and this process use over a run; workers report their own.
class cpu_meter {
public:
    explicit cpu_meter(pid_t server) : server_(server) {
        if (server_ != 0) server_start_ = cpu_seconds(server_);
        own_start_ = own_cpu_seconds();
    }

    void report(double worker_seconds, double wall_seconds) const {
        std::optional<double> server_now;
        if (server_ != 0) server_now = cpu_seconds(server_);
        std::printf("window_seconds=%.3f\n", wall_seconds);
        if (server_start_ && server_now) {
            std::printf("server_cpu_seconds=%.3f\n", *server_now - *server_start_);
        }
        std::printf("loadgen_cpu_seconds=%.3f\n", own_cpu_seconds() - own_start_ + worker_seconds);
    }

private:
    pid_t server_;
    std::optional<double> server_start_;
    double own_start_ = 0;
};

void fleet_results(const fleet_totals& t) {
    result("ready", t.ready);
    result("failed", t.failed);
    result("failures", t.reasons.empty() ? "-" : t.reasons);
}

// Runs the loop until the poster has nothing outstanding.
bool drain_poster(context& ctx, poster& p, std::int64_t deadline) {
    p.flush();
    while (p.outstanding() > 0 && now_ns() < deadline) ctx.loop.poll(10);
    return p.outstanding() == 0;
}

}  // namespace

int run_idle(const options& o) {
    context ctx(o);
    auto clients = static_cast<std::size_t>(o.counts[0]);
    std::optional<driftway_world> world;
    if (o.kind == dialect::driftway) {
        world = setup_driftway(ctx, default_users(o, clients, 1), 1);
        if (!world) return 1;
    }
    fleet_plan plan = make_plan(ctx, clients, 1, world ? &*world : nullptr);
    std::optional<std::uint64_t> before;
    if (o.server_pid != 0) before = rss_kib(o.server_pid);
    std::int64_t started = now_ns();
    worker_set workers(ctx, plan);
    auto opened = workers.wait_ready();
    if (!opened) {
        progress("a worker did not report");
        return 1;
    }
    double open_seconds = static_cast<double>(now_ns() - started) / 1e9;
    progress("holding " + std::to_string(opened->ready) + " connections for " +
             std::to_string(o.hold_seconds) + " s");
    std::this_thread::sleep_for(std::chrono::duration<double>(o.hold_seconds));
    auto held = workers.status();
    std::optional<std::uint64_t> after;
    if (o.server_pid != 0) after = rss_kib(o.server_pid);

    result("mode", "idle");
    result("requested", clients);
    fleet_results(*opened);
    result("open_seconds", open_seconds);
    result("open_file_limit", open_file_limit());
    if (held) {
        result("held", held->ready);
        result("closed_while_held", held->closed);
    }
    if (before && after && held && held->ready > 0) {
        result("server_rss_before_kib", *before);
        result("server_rss_after_kib", *after);
        double per = (static_cast<double>(*after) - static_cast<double>(*before)) * 1024.0 /
                     static_cast<double>(held->ready);
        std::printf("server_bytes_per_connection=%.0f\n", per);
    }
    workers.quit();
    return held && held->ready > 0 ? 0 : 1;
}

int run_burst(const options& o) {
    context ctx(o);
    auto clients = static_cast<std::size_t>(o.counts[0]);
    auto messages = static_cast<std::size_t>(o.counts[1]);
    std::optional<driftway_world> world;
    if (o.kind == dialect::driftway) {
        world = setup_driftway(ctx, default_users(o, clients, 1), 1);
        if (!world) return 1;
    }
    fleet_plan plan = make_plan(ctx, clients, 1, world ? &*world : nullptr);
    auto sender = make_poster(ctx, world ? &*world : nullptr, 1, 8);
    if (!sender) return 1;
    worker_set workers(ctx, plan);
    auto opened = workers.wait_ready();
    if (!opened || !workers.go()) {
        progress("a worker did not report");
        return 1;
    }
    progress(std::to_string(opened->ready) + " clients ready; posting " + std::to_string(messages) +
             " messages");
    cpu_meter cpu(o.server_pid);
    std::int64_t started = now_ns();
    for (std::size_t i = 0; i < messages; ++i) sender->post(0, now_ns());
    bool posted = drain_poster(ctx, *sender, ctx.deadline());
    std::int64_t posted_at = now_ns();
    auto got = workers.end(started + seconds_ns(o.timeout_seconds), sender->accepted());
    if (!got) {
        progress("a worker did not report");
        return 1;
    }
    result("mode", "burst");
    result("clients", clients);
    fleet_results(*opened);
    result("messages", messages);
    result("accepted", sender->accepted_total());
    result("rejected", sender->rejected());
    result("rejections", sender->rejection_summary());
    result("all_posted", posted ? "yes" : "no");
    result("post_seconds", static_cast<double>(posted_at - started) / 1e9);
    result("deliveries", got->deliveries);
    result("expected", got->expected);
    result("closed_during_run", got->closed);
    result("closes", got->reasons.empty() ? "-" : got->reasons);
    double seconds = got->last_ns > started ? static_cast<double>(got->last_ns - started) / 1e9 : 0;
    result("delivery_seconds", seconds);
    std::printf("deliveries_per_s=%.0f\n",
                seconds > 0 ? static_cast<double>(got->deliveries) / seconds : 0.0);
    result("mean_frame_bytes",
           got->deliveries > 0 ? got->payload_bytes / got->deliveries : std::uint64_t{0});
    latency_results("latency", got->latency_us);
    cpu.report(got->cpu_seconds, static_cast<double>(now_ns() - started) / 1e9);
    workers.quit();
    return got->deliveries > 0 ? 0 : 1;
}

int run_chat(const options& o) {
    context ctx(o);
    auto clients = static_cast<std::size_t>(o.counts[0]);
    auto groups = static_cast<unsigned>(std::max(1.0, o.counts[1]));
    double rate = o.counts[2];
    double seconds = o.counts[3];
    std::optional<driftway_world> world;
    if (o.kind == dialect::driftway) {
        world = setup_driftway(ctx, default_users(o, clients, groups), groups);
        if (!world) return 1;
    }
    fleet_plan plan = make_plan(ctx, clients, groups, world ? &*world : nullptr);
    auto sender = make_poster(ctx, world ? &*world : nullptr, groups, 32);
    if (!sender) return 1;
    worker_set workers(ctx, plan);
    auto opened = workers.wait_ready();
    if (!opened || !workers.go()) {
        progress("a worker did not report");
        return 1;
    }
    auto total = static_cast<std::uint64_t>(rate * seconds);
    progress(std::to_string(opened->ready) + " clients ready; posting " + std::to_string(total) +
             " messages at " + std::to_string(rate) + "/s");
    // Each message is stamped with the time it was due, not the time it
    // went out: a sender that falls behind shows up as latency.
    cpu_meter cpu(o.server_pid);
    std::int64_t start = now_ns() + 50 * ns_per_ms;
    std::uint64_t sent = 0;
    while (sent < total) {
        std::int64_t now = now_ns();
        if (now - start > seconds_ns(seconds) + seconds_ns(o.timeout_seconds)) break;
        auto due = now < start ? 0
                               : std::min<std::uint64_t>(
                                     total, static_cast<std::uint64_t>(
                                                static_cast<double>(now - start) * rate / 1e9) +
                                                1);
        for (; sent < due; ++sent) {
            sender->post(static_cast<std::uint32_t>(sent % groups),
                         start + static_cast<std::int64_t>(static_cast<double>(sent) * 1e9 / rate));
        }
        sender->flush();
        ctx.loop.poll(1);
    }
    std::int64_t posting_ended = now_ns();
    bool posted = drain_poster(ctx, *sender, ctx.deadline());
    auto got = workers.end(now_ns() + seconds_ns(o.drain_seconds), sender->accepted());
    if (!got) {
        progress("a worker did not report");
        return 1;
    }
    result("mode", "chat");
    result("clients", clients);
    result("channels", groups);
    fleet_results(*opened);
    result("rate", rate);
    result("seconds", seconds);
    result("posted", sent);
    result("accepted", sender->accepted_total());
    result("rejected", sender->rejected());
    result("rejections", sender->rejection_summary());
    result("all_answered", posted ? "yes" : "no");
    result("posting_seconds", static_cast<double>(posting_ended - start) / 1e9);
    result("deliveries", got->deliveries);
    result("expected", got->expected);
    result("closed_during_run", got->closed);
    result("closes", got->reasons.empty() ? "-" : got->reasons);
    result("mean_frame_bytes",
           got->deliveries > 0 ? got->payload_bytes / got->deliveries : std::uint64_t{0});
    latency_results("latency", got->latency_us);
    if (!sender->answer_latency_us().empty()) {
        auto answers = sender->answer_latency_us();
        latency_results("post_answer", answers);
    }
    cpu.report(got->cpu_seconds, static_cast<double>(now_ns() - start) / 1e9);
    workers.quit();
    return got->deliveries > 0 ? 0 : 1;
}

int run_inserts(const options& o) {
    if (o.kind != dialect::driftway) {
        result("mode", "inserts");
        result("supported", "no");
        return 0;
    }
    context ctx(o);
    double seconds = o.counts[0];
    auto world = setup_driftway(ctx, 1, 1);
    if (!world) return 1;
    unsigned connections = o.http_connections != 0 ? o.http_connections : 128;
    auto sender = make_poster(ctx, &*world, 1, connections);
    progress("posting with " + std::to_string(connections) + " connections for " +
             std::to_string(seconds) + " s");
    cpu_meter cpu(o.server_pid);
    std::int64_t start = now_ns();
    std::int64_t stop = start + seconds_ns(seconds);
    // Keep every connection busy and one request queued behind each.
    while (now_ns() < stop) {
        while (sender->outstanding() < 2 * connections) sender->post(0, now_ns());
        ctx.loop.poll(1);
    }
    bool answered = drain_poster(ctx, *sender, ctx.deadline());
    std::int64_t finished = now_ns();
    double elapsed = static_cast<double>(finished - start) / 1e9;
    result("mode", "inserts");
    result("supported", "yes");
    result("connections", connections);
    result("accepted", sender->accepted_total());
    result("rejected", sender->rejected());
    result("rejections", sender->rejection_summary());
    result("all_answered", answered ? "yes" : "no");
    result("elapsed_seconds", elapsed);
    std::printf("inserts_per_s=%.0f\n", static_cast<double>(sender->accepted_total()) / elapsed);
    auto answers = sender->answer_latency_us();
    latency_results("post_answer", answers);
    cpu.report(0, elapsed);
    return sender->accepted_total() > 0 ? 0 : 1;
}

}  // namespace loadgen
