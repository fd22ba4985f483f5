#include "driftway_setup.hpp"

#include "clock.hpp"
#include "http_client.hpp"
#include "json_scan.hpp"

#include <cstdio>
#include <random>

namespace loadgen {

namespace {

constexpr std::string_view password = "bench-password-1";

// Sends every request over the pool and waits for all answers; ok when each
// status is one of the expected ones.
bool run_batch(http_pool& pool, std::vector<std::string> requests, std::int64_t deadline,
               std::initializer_list<int> expected, const char* what,
               std::vector<http_response>& responses, std::string& error) {
    responses.assign(requests.size(), {});
    for (std::size_t i = 0; i < requests.size(); ++i) {
        pool.submit(std::move(requests[i]),
                    [&responses, i](http_response& r) { responses[i] = std::move(r); });
    }
    if (!pool.drain(deadline)) {
        error = std::string(what) + ": timed out";
        return false;
    }
    for (const auto& r : responses) {
        bool good = false;
        for (int s : expected) good = good || r.status == s;
        if (!good) {
            error = std::string(what) + ": HTTP " + std::to_string(r.status) + " " +
                    r.body.substr(0, 300);
            return false;
        }
    }
    return true;
}

std::string run_tag() {
    std::random_device rd;
    char tag[9];
    std::snprintf(tag, sizeof tag, "%08x", rd());
    return tag;
}

}  // namespace

std::optional<driftway_world> build_driftway_world(event_loop& loop,
                                                   const driftway_setup_options& options,
                                                   std::string& error) {
    http_pool pool(loop, options.server, options.connections);
    const std::string& host = options.host;
    const unsigned users = std::max(options.users, options.groups);
    const std::string tag = run_tag();
    std::vector<http_response> responses;
    driftway_world world;

    // The owner first: on a fresh instance the first account owns it.
    std::vector<std::string> requests;
    for (unsigned i = 0; i <= users; ++i) {
        std::string name = "b" + tag + (i == 0 ? std::string("-owner") : "-" + std::to_string(i));
        requests.push_back(format_request("POST", "/api/v1/auth/register", host, {},
                                          R"({"username":")" + name + R"(","email":")" + name +
                                              R"(@bench.test","password":")" +
                                              std::string(password) + R"("})"));
        if (i == 0) {
            if (!run_batch(pool, std::move(requests), options.deadline, {200, 201},
                           "register owner", responses, error)) {
                return std::nullopt;
            }
            requests.clear();
            auto token = json::top_level_field(responses[0].body, "access_token");
            if (!token) {
                error = "register owner: no access_token in " + responses[0].body.substr(0, 300);
                return std::nullopt;
            }
            world.owner_token = *token;
        }
    }
    std::fprintf(stderr, "ws_loadgen: registering %u users\n", users);
    if (!run_batch(pool, std::move(requests), options.deadline, {200, 201}, "register", responses,
                   error)) {
        return std::nullopt;
    }
    for (const auto& r : responses) {
        auto token = json::top_level_field(r.body, "access_token");
        if (!token) {
            error = "register: no access_token in " + r.body.substr(0, 300);
            return std::nullopt;
        }
        world.user_tokens.push_back(*token);
    }

    const std::string& owner = world.owner_token;
    requests.clear();
    for (unsigned g = 0; g < options.groups; ++g) {
        requests.push_back(format_request("POST", "/api/v1/spaces", host, owner,
                                          R"({"name":"bench )" + std::to_string(g) + R"("})"));
    }
    if (!run_batch(pool, std::move(requests), options.deadline, {200, 201}, "create space",
                   responses, error)) {
        return std::nullopt;
    }
    std::vector<std::string> space_ids;
    for (const auto& r : responses) {
        auto id = json::top_level_field(r.body, "id");
        if (!id) {
            error = "create space: no id in " + r.body.substr(0, 300);
            return std::nullopt;
        }
        space_ids.push_back(*id);
    }

    requests.clear();
    for (const auto& space : space_ids) {
        requests.push_back(format_request("POST", "/api/v1/spaces/" + space + "/channels", host,
                                          owner, R"({"name":"bench","type":"text"})"));
    }
    if (!run_batch(pool, std::move(requests), options.deadline, {200, 201}, "create channel",
                   responses, error)) {
        return std::nullopt;
    }
    for (const auto& r : responses) {
        auto id = json::top_level_field(r.body, "id");
        if (!id) {
            error = "create channel: no id in " + r.body.substr(0, 300);
            return std::nullopt;
        }
        world.channel_ids.push_back(*id);
    }

    requests.clear();
    for (const auto& space : space_ids) {
        requests.push_back(
            format_request("POST", "/api/v1/spaces/" + space + "/invites", host, owner, "{}"));
    }
    if (!run_batch(pool, std::move(requests), options.deadline, {200, 201}, "create invite",
                   responses, error)) {
        return std::nullopt;
    }
    std::vector<std::string> codes;
    for (const auto& r : responses) {
        auto code = json::top_level_field(r.body, "code");
        if (!code) {
            error = "create invite: no code in " + r.body.substr(0, 300);
            return std::nullopt;
        }
        codes.push_back(*code);
    }

    world.group_users.resize(options.groups);
    requests.clear();
    for (unsigned u = 0; u < users; ++u) {
        unsigned g = u % options.groups;
        world.group_users[g].push_back(u);
        requests.push_back(
            format_request("POST", "/api/v1/invites/" + codes[g], host, world.user_tokens[u], {}));
    }
    std::fprintf(stderr, "ws_loadgen: %u users joining %u spaces\n", users, options.groups);
    if (!run_batch(pool, std::move(requests), options.deadline, {200, 201, 204}, "join", responses,
                   error)) {
        return std::nullopt;
    }
    return world;
}

}  // namespace loadgen
