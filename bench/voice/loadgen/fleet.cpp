#include "fleet.hpp"

#include "base64.hpp"
#include "clock.hpp"
#include "proc_cpu.hpp"

#include <sys/epoll.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <sstream>

namespace driftway::bench {
namespace {

constexpr std::int64_t frame_ms = 20;
constexpr std::int64_t tick_ms = 10;
constexpr std::uint64_t probe_key = ~std::uint64_t{0};  // epoll key of the floor probe

double self_cpu_seconds() {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

std::string fixed(double v, int digits = 2) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", digits, v);
    return buf;
}

}  // namespace

fleet::fleet() {
    rtc::init_srtp();
    cert_ = rtc::certificate::generate();
    frames_ = encode_tone_frames();
    epfd_ = epoll_create1(EPOLL_CLOEXEC);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = 0;
    epoll_ctl(epfd_, EPOLL_CTL_ADD, STDIN_FILENO, &ev);
    std::string error;
    probe_ok_ = probe_.open(error);
    if (probe_ok_) {
        ev.data.u64 = probe_key;
        epoll_ctl(epfd_, EPOLL_CTL_ADD, probe_.receive_fd(), &ev);
    } else {
        std::fprintf(stderr, "voice_loadgen: no loopback floor: %s\n", error.c_str());
    }
}

fleet::~fleet() {
    members_.clear();
    if (epfd_ >= 0) ::close(epfd_);
}

void fleet::reply(const std::string& line) {
    std::fwrite(line.data(), 1, line.size(), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
}

fleet::member* fleet::find(int id) {
    auto it = members_.find(id);
    return it == members_.end() ? nullptr : &it->second;
}

void fleet::command(const std::string& line) {
    std::istringstream in(line);
    std::string op;
    in >> op;
    if (op.empty()) return;
    if (op == "quit") {
        quit_ = true;
        return;
    }
    if (op == "new") {
        int id = 0, follows = -1;
        std::string role;
        in >> id >> role >> follows;
        if (id <= 0 || find(id) != nullptr || (role != "pub" && role != "sub"))
            return reply("err bad new");
        member m;
        m.p = std::make_unique<peer>(id, role == "pub", cert_, *this);
        m.follows = role == "sub" ? follows : -1;
        std::string error;
        if (!m.p->open(error)) return reply("err " + error);
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.u64 = static_cast<std::uint64_t>(id);
        epoll_ctl(epfd_, EPOLL_CTL_ADD, m.p->fd(), &ev);
        members_.emplace(id, std::move(m));
        return reply("ok");
    }
    if (op == "offer" || op == "answer" || op == "remote") {
        int id = 0;
        std::string b64;
        in >> id >> b64;
        member* m = find(id);
        if (m == nullptr) return reply("err no peer " + std::to_string(id));
        if (op == "offer") return reply("sdp " + base64_encode(m->p->create_offer()));
        const auto text = base64_decode(b64);
        if (!text) return reply("err bad base64");
        std::string error;
        if (op == "answer") {
            auto a = m->p->answer(*text, error);
            return reply(a ? "sdp " + base64_encode(*a) : "err " + error);
        }
        return reply(m->p->set_answer(*text, error) ? "ok" : "err " + error);
    }
    if (op == "wait") {
        wait_op w;
        std::int64_t ms = 0;
        in >> ms;
        w.deadline_ms = monotonic_ms() + ms;
        for (int id = 0; in >> id;) w.ids.push_back(id);
        if (w.ids.empty())
            for (const auto& [id, m] : members_) w.ids.push_back(id);
        wait_ = std::move(w);
        return;
    }
    if (op == "measure") {
        measure_op m;
        std::int64_t warmup = 0;
        in >> warmup >> m.window_ms >> m.grace_ms >> m.pid;
        m.warmup_end_ms = monotonic_ms() + warmup;
        measure_ = m;
        return;
    }
    if (op == "failures") {
        std::map<std::string, int> reasons;
        for (const auto& [id, m] : members_)
            if (m.p->current_state() == peer::state::failed) ++reasons[m.p->failure()];
        std::string out = "failures";
        for (const auto& [r, n] : reasons) out += " [" + r + "]=" + std::to_string(n);
        return reply(out);
    }
    reply("err unknown command " + op);
}

void fleet::on_media(int subscriber, std::uint32_t publisher, std::uint32_t, std::int64_t send_ns,
                     std::int64_t recv_ns) {
    if (!measure_ || !measure_->open) return;
    if (send_ns < measure_->t0_ns || (measure_->t1_ns != 0 && send_ns >= measure_->t1_ns)) return;
    member* m = find(subscriber);
    if (m == nullptr || !m->counted || m->follows != static_cast<int>(publisher)) {
        ++foreign_;
        return;
    }
    if (measure_->t1_ns != 0 && recv_ns > measure_->t1_ns + measure_->grace_ms * 1'000'000) {
        ++late_;
        return;
    }
    ++received_;
    latency_.add(recv_ns - send_ns);
}

void fleet::send_due(std::int64_t now_ms) {
    if (frames_.empty()) return;
    if (publishers_seen_ != members_.size()) {
        publishers_.clear();
        for (auto& [id, m] : members_)
            if (m.p->publisher()) publishers_.emplace_back(id, &m);
        publishers_seen_ = members_.size();
    }
    for (auto [id, mp] : publishers_) {
        member& m = *mp;
        if (m.p->current_state() != peer::state::connected) continue;
        if (m.next_send_ms < 0) m.next_send_ms = now_ms + id % frame_ms;  // spread the publishers
        while (m.next_send_ms <= now_ms) {
            const auto& f = frames_[m.counter % frames_.size()];
            const std::int64_t t = realtime_ns();
            if (m.p->send_frame(f, m.counter) && measure_ && measure_->open &&
                t >= measure_->t0_ns && measure_->t1_ns == 0) {
                ++m.sent_in_window;
                // The floor, sampled at the same moments as the real sends.
                if (probe_ok_) probe_.send(f.bytes.size() + trailer_size);
            }
            ++m.counter;
            m.next_send_ms += frame_ms;
            // Fell behind by more than a second (stopped process): skip ahead.
            if (now_ms - m.next_send_ms > 1000) m.next_send_ms = now_ms;
        }
    }
}

void fleet::open_window(std::int64_t) {
    received_ = foreign_ = late_ = 0;
    latency_.clear();
    probe_.histogram().clear();
    for (auto& [id, m] : members_) {
        m.sent_in_window = 0;
        m.counted = !m.p->publisher() && m.p->current_state() == peer::state::connected;
    }
    measure_->open = true;
    measure_->cpu0 = process_cpu_seconds(measure_->pid).value_or(-1);
    measure_->self_cpu0 = self_cpu_seconds();
    measure_->t0_ns = realtime_ns();
}

void fleet::close_window(std::int64_t now_ms) {
    measure_->t1_ns = realtime_ns();
    measure_->t1_ms = now_ms;
    measure_->cpu1 = process_cpu_seconds(measure_->pid);
    measure_->self_cpu1 = self_cpu_seconds();
}

void fleet::finish_measure() {
    const auto& w = *measure_;
    std::map<int, std::uint64_t> subs_of;
    std::uint64_t subs = 0, pubs = 0, failed = 0, decrypt_failures = 0, sent = 0;
    for (const auto& [id, m] : members_) {
        if (m.counted) ++subs_of[m.follows], ++subs;
        if (m.p->publisher()) ++pubs, sent += m.sent_in_window;
        if (m.p->current_state() == peer::state::failed) ++failed;
        decrypt_failures += m.p->decrypt_failures();
    }
    std::uint64_t expected = 0;
    for (const auto& [id, m] : members_)
        if (m.p->publisher()) expected += m.sent_in_window * subs_of[id];
    const double secs = static_cast<double>(w.t1_ns - w.t0_ns) / 1e9;
    const double cpu = w.cpu1 && w.cpu0 >= 0 ? *w.cpu1 - w.cpu0 : -1;
    const double self = w.self_cpu1 ? *w.self_cpu1 - w.self_cpu0 : -1;
    const double loss =
        expected ? 100.0 * (1.0 - static_cast<double>(received_) / static_cast<double>(expected))
                 : 100.0;
    std::string r = "result";
    r += " publishers=" + std::to_string(pubs) + " streams=" + std::to_string(subs);
    r += " seconds=" + fixed(secs, 3) + " sent=" + std::to_string(sent);
    r += " expected=" + std::to_string(expected) + " received=" + std::to_string(received_);
    r += " late=" + std::to_string(late_) + " foreign=" + std::to_string(foreign_);
    r += " loss_pct=" + fixed(std::max(loss, 0.0), 3);
    r += " pps=" + fixed(static_cast<double>(received_) / secs, 0);
    r += " p50_us=" + fixed(latency_.quantile_us(0.5), 1) +
         " p99_us=" + fixed(latency_.quantile_us(0.99), 1);
    r += " p999_us=" + fixed(latency_.quantile_us(0.999), 1) +
         " mean_us=" + fixed(latency_.mean_us(), 1);
    // The load client's own floor (no server) and the one-way figures minus
    // it: quantiles do not subtract exactly, so "added" is approximate.
    const auto& floor = probe_.histogram();
    r += " floor_p50_us=" + fixed(floor.quantile_us(0.5), 1) +
         " floor_p99_us=" + fixed(floor.quantile_us(0.99), 1) +
         " floor_samples=" + std::to_string(floor.count());
    if (floor.count() != 0 && latency_.count() != 0) {
        r += " added_p50_us=" + fixed(latency_.quantile_us(0.5) - floor.quantile_us(0.5), 1) +
             " added_p99_us=" + fixed(latency_.quantile_us(0.99) - floor.quantile_us(0.99), 1);
    }
    r += " server_cpu_s=" + fixed(cpu, 3);
    r += " cpu_us_per_packet=" +
         (received_ && cpu >= 0 ? fixed(cpu * 1e6 / static_cast<double>(received_), 2) : "-");
    r += " server_cpu_pct=" + (cpu >= 0 ? fixed(100.0 * cpu / secs, 1) : "-");
    r += " loadgen_cpu_pct=" + fixed(100.0 * self / secs, 1);
    r += " failed_peers=" + std::to_string(failed) +
         " decrypt_failures=" + std::to_string(decrypt_failures);
    measure_.reset();
    reply(r);
}

void fleet::poll_async(std::int64_t now_ms) {
    if (wait_) {
        std::uint64_t connected = 0, failed = 0, pending = 0;
        for (int id : wait_->ids) {
            member* m = find(id);
            const auto s = m ? m->p->current_state() : peer::state::failed;
            if (s == peer::state::connected)
                ++connected;
            else if (s == peer::state::failed)
                ++failed;
            else
                ++pending;
        }
        if (pending == 0 || now_ms >= wait_->deadline_ms) {
            wait_.reset();
            reply("connected " + std::to_string(connected) + " failed " + std::to_string(failed) +
                  " pending " + std::to_string(pending));
        }
    }
    if (measure_) {
        if (!measure_->open && now_ms >= measure_->warmup_end_ms) open_window(now_ms);
        if (measure_->open && measure_->t1_ns == 0 &&
            now_ms >= measure_->warmup_end_ms + measure_->window_ms)
            close_window(now_ms);
        if (measure_->t1_ns != 0 && now_ms >= measure_->t1_ms + measure_->grace_ms)
            finish_measure();
    }
}

int fleet::run() {
    if (!cert_) {
        std::fprintf(stderr, "voice_loadgen: no certificate\n");
        return 1;
    }
    if (frames_.empty()) {
        std::fprintf(stderr, "voice_loadgen: the Opus encoder failed\n");
        return 1;
    }
    std::vector<epoll_event> events(256);
    while (!quit_) {
        const std::int64_t now = monotonic_ms();
        // Sleep until the next publisher frame or housekeeping tick.
        std::int64_t due = next_tick_ms_;
        for (const auto& [id, m] : publishers_)
            if (m->next_send_ms >= 0) due = std::min(due, m->next_send_ms);
        const int timeout = static_cast<int>(std::clamp<std::int64_t>(due - now, 0, tick_ms));
        const int n = epoll_wait(epfd_, events.data(), static_cast<int>(events.size()), timeout);
        for (int i = 0; i < n; ++i) {
            // Publishers keep their 20 ms cadence while a long batch of
            // receptions is processed: late sends would arrive at the server
            // in bunches and measure the load client, not the server.
            if (i % 16 == 15) send_due(monotonic_ms());
            const auto key = events[static_cast<std::size_t>(i)].data.u64;
            if (key == probe_key) {
                probe_.on_readable(measure_ && measure_->open && measure_->t1_ns == 0);
                continue;
            }
            if (key != 0) {
                if (member* m = find(static_cast<int>(key))) m->p->on_readable();
                continue;
            }
            char buf[65536];
            const ssize_t r = ::read(STDIN_FILENO, buf, sizeof buf);
            if (r <= 0) {
                quit_ = true;
                break;
            }
            input_.append(buf, static_cast<std::size_t>(r));
        }
        // Commands run one at a time: a wait or measure holds the rest back.
        for (std::size_t nl;
             !wait_ && !measure_ && (nl = input_.find('\n')) != std::string::npos;) {
            const std::string line = input_.substr(0, nl);
            input_.erase(0, nl + 1);
            command(line);
        }
        const std::int64_t after = monotonic_ms();
        send_due(after);
        if (after >= next_tick_ms_) {
            for (auto& [id, m] : members_) m.p->tick(after);
            next_tick_ms_ = after + tick_ms;
        }
        poll_async(after);
    }
    return 0;
}

}  // namespace driftway::bench
