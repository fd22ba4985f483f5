#include "admin_jobs.hpp"

#include "storage.hpp"

#include "driftway/core/block_on.hpp"
#include "driftway/core/clock.hpp"
#include "driftway/core/snowflake.hpp"
#include "driftway/jobs/http_post.hpp"
#include "driftway/store/backend.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <charconv>
#include <iostream>
#include <optional>

namespace driftway::app {

namespace {

constexpr const char* dead_letters_usage =
    "usage: driftway admin dead-letters list [--limit N] [--before ID] [--json]\n"
    "       driftway admin dead-letters replay ID|--all\n"
    "       driftway admin dead-letters delete ID\n";

std::optional<std::uint64_t> parse_id(const std::string& text) {
    std::uint64_t v = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size() || v == 0) return std::nullopt;
    return v;
}

// The payload as JSON when it is JSON (it always is when Driftway wrote it),
// else as the text it is.
boost::json::value payload_value(const std::string& text) {
    boost::system::error_code ec;
    auto v = boost::json::parse(text, ec);
    if (ec) return boost::json::string(text);
    return v;
}

int list(store::backend& db, const command_line& cl) {
    int limit = 50;
    if (auto l = cl.flag("limit")) {
        const auto v = parse_id(*l);
        if (!v || *v > 1000) {
            std::cerr << "error: --limit must be 1..1000\n";
            return 2;
        }
        limit = static_cast<int>(*v);
    }
    std::uint64_t before = 0;
    if (auto b = cl.flag("before")) {
        const auto v = parse_id(*b);
        if (!v) {
            std::cerr << "error: --before must be a dead letter id\n";
            return 2;
        }
        before = *v;
    }
    const auto page = block_on(db.jobs().dead_letters(before, limit));
    if (cl.has_switch("json")) {
        boost::json::array items;
        for (const auto& d : page) {
            items.push_back({{"id", std::to_string(d.id)},
                             {"kind", d.kind},
                             {"payload", payload_value(d.payload)},
                             {"attempts", d.attempts},
                             {"last_error", d.last_error},
                             {"created_at", clock::iso8601(d.created_at)},
                             {"failed_at", clock::iso8601(d.failed_at)}});
        }
        boost::json::object out{{"dead_letters", std::move(items)}};
        // The cursor of the next page, when this one was full.
        if (static_cast<int>(page.size()) == limit && !page.empty())
            out["next_before"] = std::to_string(page.back().id);
        else
            out["next_before"] = nullptr;
        std::cout << boost::json::serialize(out) << "\n";
        return 0;
    }
    if (page.empty()) {
        std::cout << "no dead letters\n";
        return 0;
    }
    for (const auto& d : page) {
        std::cout << d.id << "  " << d.kind << "  attempts " << d.attempts << "  failed "
                  << clock::iso8601(d.failed_at) << "\n    error: " << d.last_error
                  << "\n    payload: " << d.payload << "\n";
    }
    if (static_cast<int>(page.size()) == limit)
        std::cout << "(more: --before " << page.back().id << ")\n";
    return 0;
}

int replay(store::backend& db, const command_line& cl) {
    const auto& cmd = cl.command;
    if (cl.has_switch("all") && cmd.size() == 3) {
        const auto n = block_on(db.jobs().replay_all(clock::unix_ms()));
        std::cout << "replayed " << n << " dead letter" << (n == 1 ? "" : "s") << "\n";
        return 0;
    }
    const auto id = cmd.size() == 4 ? parse_id(cmd[3]) : std::nullopt;
    if (!id || cl.has_switch("all")) {
        std::cerr << dead_letters_usage;
        return 2;
    }
    if (!block_on(db.jobs().replay(*id, clock::unix_ms()))) {
        std::cerr << "error: no dead letter " << *id << "\n";
        return 1;
    }
    std::cout << "replayed " << *id << "\n";
    return 0;
}

int remove(store::backend& db, const command_line& cl) {
    const auto id = cl.command.size() == 4 ? parse_id(cl.command[3]) : std::nullopt;
    if (!id) {
        std::cerr << dead_letters_usage;
        return 2;
    }
    if (!block_on(db.jobs().remove_dead_letter(*id))) {
        std::cerr << "error: no dead letter " << *id << "\n";
        return 1;
    }
    std::cout << "deleted " << *id << "\n";
    return 0;
}

boost::asio::awaitable<bool> enqueue(store::job_repository& jobs, store::job j) {
    co_await jobs.enqueue(std::move(j));
    co_return true;
}

}  // namespace

int admin_dead_letters(const config& c, const command_line& cl) {
    const auto& cmd = cl.command;  // admin dead-letters VERB …
    const std::string verb = cmd.size() >= 3 ? cmd[2] : "";
    if (verb != "list" && verb != "replay" && verb != "delete") {
        std::cerr << dead_letters_usage;
        return 2;
    }
    if (verb == "list" && cmd.size() != 3) {
        std::cerr << dead_letters_usage;
        return 2;
    }
    auto db = open_storage(c, 1);
    int rc = 0;
    if (verb == "list") rc = list(*db, cl);
    if (verb == "replay") rc = replay(*db, cl);
    if (verb == "delete") rc = remove(*db, cl);
    db->close();
    return rc;
}

int admin_jobs(const config& c, const command_line& cl) {
    const auto& cmd = cl.command;
    const auto url = cl.flag("url");
    const auto payload = cl.flag("payload");
    if (cmd.size() != 3 || cmd[2] != "enqueue-http-post" || !url || !payload) {
        std::cerr << "usage: driftway admin jobs enqueue-http-post --url URL --payload JSON\n";
        return 2;
    }
    if (!jobs::parse_http_url(*url)) {
        std::cerr << "error: --url must be an http:// URL\n";
        return 2;
    }
    boost::system::error_code ec;
    const auto body = boost::json::parse(*payload, ec);
    if (ec) {
        std::cerr << "error: --payload is not JSON\n";
        return 2;
    }
    auto db = open_storage(c, 1);
    const auto now = clock::unix_ms();
    store::job j{.id = snowflake_generator(c.server.node_id).next(),
                 .kind = std::string(jobs::http_post_kind),
                 .payload = jobs::http_post_payload(*url, body),
                 .run_at = now,
                 .created_at = now};
    const auto id = j.id;
    block_on(enqueue(db->jobs(), std::move(j)));
    db->close();
    std::cout << id << "\n";
    return 0;
}

}  // namespace driftway::app
