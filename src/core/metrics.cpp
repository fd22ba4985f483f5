#include "driftway/core/metrics.hpp"

#include <charconv>
#include <cmath>
#include <variant>

namespace driftway::metrics {

histogram::histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)),
      buckets_(std::make_unique<std::atomic<std::uint64_t>[]>(bounds_.size() + 1)) {}

void histogram::observe(double v) noexcept {
    std::size_t i = 0;
    while (i < bounds_.size() && v > bounds_[i]) ++i;
    buckets_[i].fetch_add(1, std::memory_order_relaxed);
    sum_micro_.fetch_add(static_cast<std::uint64_t>(std::llround(std::max(v, 0.0) * 1e6)),
                         std::memory_order_relaxed);
    count_.fetch_add(1, std::memory_order_relaxed);
}

void histogram::snapshot(std::vector<std::uint64_t>& cumulative, double& sum,
                         std::uint64_t& count) const {
    cumulative.assign(bounds_.size() + 1, 0);
    std::uint64_t running = 0;
    for (std::size_t i = 0; i <= bounds_.size(); ++i) {
        running += buckets_[i].load(std::memory_order_relaxed);
        cumulative[i] = running;
    }
    sum = static_cast<double>(sum_micro_.load(std::memory_order_relaxed)) / 1e6;
    count = running;
}

namespace {
enum kind { k_counter, k_gauge, k_histogram, k_callback };
constexpr const char* kind_names[] = {"counter", "gauge", "histogram", "gauge"};

std::string escape_label(std::string_view v) {
    std::string out;
    for (char c : v) {
        if (c == '\\' || c == '"') out.push_back('\\');
        if (c == '\n') {
            out += "\\n";
            continue;
        }
        out.push_back(c);
    }
    return out;
}

std::string label_text(const labels& l, std::string_view extra_key = {},
                       std::string_view extra_value = {}) {
    if (l.empty() && extra_key.empty()) return {};
    std::string out = "{";
    bool first = true;
    for (const auto& [k, v] : l) {
        if (!first) out += ',';
        first = false;
        out += k + "=\"" + escape_label(v) + "\"";
    }
    if (!extra_key.empty()) {
        if (!first) out += ',';
        out += std::string(extra_key) + "=\"" + std::string(extra_value) + "\"";
    }
    out += '}';
    return out;
}

std::string number(double v) {
    if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
    if (std::isnan(v)) return "NaN";
    // Shortest text that reads back as the same double: le="0.1", not "0.10000000000000001".
    char buf[64];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);
    return std::string(buf, r.ptr);
}
}  // namespace

struct registry::family {
    std::string help;
    int kind = k_counter;
    std::vector<double> bounds;
    std::function<double()> callback;
    // Keyed by rendered label text; node-based so references stay valid.
    std::map<std::string, std::pair<labels, std::unique_ptr<counter>>> counters;
    std::map<std::string, std::pair<labels, std::unique_ptr<gauge>>> gauges;
    std::map<std::string, std::pair<labels, std::unique_ptr<histogram>>> histograms;
};

registry::registry() = default;
registry::~registry() = default;

registry::family& registry::family_for(std::string_view name, std::string_view help, int k) {
    auto it = families_.find(name);
    if (it == families_.end()) {
        auto f = std::make_unique<family>();
        f->help = help;
        f->kind = k;
        it = families_.emplace(std::string(name), std::move(f)).first;
    }
    return *it->second;
}

counter& registry::get_counter(std::string_view name, std::string_view help, const labels& l) {
    std::lock_guard lock(mutex_);
    auto& f = family_for(name, help, k_counter);
    auto key = label_text(l);
    auto it = f.counters.find(key);
    if (it == f.counters.end())
        it = f.counters.emplace(key, std::make_pair(l, std::make_unique<counter>())).first;
    return *it->second.second;
}

gauge& registry::get_gauge(std::string_view name, std::string_view help, const labels& l) {
    std::lock_guard lock(mutex_);
    auto& f = family_for(name, help, k_gauge);
    auto key = label_text(l);
    auto it = f.gauges.find(key);
    if (it == f.gauges.end())
        it = f.gauges.emplace(key, std::make_pair(l, std::make_unique<gauge>())).first;
    return *it->second.second;
}

histogram& registry::get_histogram(std::string_view name, std::string_view help,
                                   const std::vector<double>& bounds, const labels& l) {
    std::lock_guard lock(mutex_);
    auto& f = family_for(name, help, k_histogram);
    if (f.bounds.empty()) f.bounds = bounds;
    auto key = label_text(l);
    auto it = f.histograms.find(key);
    if (it == f.histograms.end())
        it = f.histograms.emplace(key, std::make_pair(l, std::make_unique<histogram>(f.bounds)))
                 .first;
    return *it->second.second;
}

void registry::add_callback_gauge(std::string_view name, std::string_view help,
                                  std::function<double()> fn) {
    std::lock_guard lock(mutex_);
    auto& f = family_for(name, help, k_callback);
    f.callback = std::move(fn);
}

std::string registry::render() const {
    std::lock_guard lock(mutex_);
    std::string out;
    out.reserve(4096);
    std::vector<std::uint64_t> cumulative;
    for (const auto& [name, f] : families_) {
        out += "# HELP " + name + ' ' + f->help + '\n';
        out += "# TYPE " + name + ' ' + kind_names[f->kind] + '\n';
        switch (f->kind) {
            case k_counter:
                for (const auto& [key, c] : f->counters)
                    out += name + key + ' ' + std::to_string(c.second->value()) + '\n';
                break;
            case k_gauge:
                for (const auto& [key, g] : f->gauges)
                    out += name + key + ' ' + std::to_string(g.second->value()) + '\n';
                break;
            case k_callback:
                if (f->callback) out += name + ' ' + number(f->callback()) + '\n';
                break;
            case k_histogram:
                for (const auto& [key, h] : f->histograms) {
                    double sum = 0;
                    std::uint64_t count = 0;
                    h.second->snapshot(cumulative, sum, count);
                    const auto& b = h.second->bounds();
                    for (std::size_t i = 0; i <= b.size(); ++i) {
                        const std::string le = i < b.size() ? number(b[i]) : "+Inf";
                        out += name + "_bucket" + label_text(h.first, "le", le) + ' ' +
                               std::to_string(cumulative[i]) + '\n';
                    }
                    out += name + "_sum" + key + ' ' + number(sum) + '\n';
                    out += name + "_count" + key + ' ' + std::to_string(count) + '\n';
                }
                break;
        }
    }
    return out;
}

registry& global() {
    static registry r;
    return r;
}

const std::vector<double>& latency_buckets() {
    static const std::vector<double> b{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                       0.1,    0.25,  0.5,    1,     2.5,  5};
    return b;
}

}  // namespace driftway::metrics
