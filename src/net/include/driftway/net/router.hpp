#pragma once
// Maps method + path pattern to a handler. Patterns are literal segments and
// {name} placeholders: "/api/v1/channels/{channel_id}/messages". Matching is
// by segment, literal segments first, so "/users/@me" wins over "/users/{id}".
#include "driftway/net/http.hpp"

#include <boost/asio/awaitable.hpp>

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace driftway::net {

using handler = std::function<boost::asio::awaitable<response>(request&)>;

class router {
public:
    router();
    ~router();
    router(router&&) noexcept;
    router& operator=(router&&) noexcept;

    void add(method m, std::string pattern, handler h);

    struct match_result {
        const handler* h = nullptr;   // null: no route
        bool path_known = false;      // the path matched another method (405)
        std::vector<method> allowed;  // methods registered for the path
    };
    // Fills req.route and req.params on success.
    match_result match(request& req) const;

private:
    struct node;
    std::unique_ptr<node> root_;
    std::vector<std::unique_ptr<std::string>> patterns_;  // stable storage for req.route
};

}  // namespace driftway::net
