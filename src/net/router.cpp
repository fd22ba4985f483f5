#include "driftway/net/router.hpp"

#include "uri.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>

namespace driftway::net {

namespace {
// Deeper paths than this match no route; it bounds the per-request state to
// the stack.
constexpr std::size_t max_segments = 32;

bool is_placeholder(std::string_view seg) noexcept {
    return seg.size() > 2 && seg.front() == '{' && seg.back() == '}';
}

// Splits "/a/b/" into "a", "b", "": the empty last segment is what makes a
// trailing slash a different resource. "/" has no segments. False when the
// path is not origin-form or is too deep.
bool split_segments(std::string_view path, std::array<std::string_view, max_segments>& out,
                    std::size_t& count) noexcept {
    count = 0;
    if (path.empty() || path.front() != '/') return false;
    if (path.size() == 1) return true;
    path.remove_prefix(1);
    for (;;) {
        if (count == max_segments) return false;
        const auto slash = path.find('/');
        out[count++] = path.substr(0, slash);
        if (slash == std::string_view::npos) return true;
        path.remove_prefix(slash + 1);
    }
}

// Literal pattern segments are compared with the decoded request segment, so
// "/users/%40me" reaches the "/users/@me" route.
bool literal_equals(std::string_view literal, std::string_view raw) {
    if (raw.find('%') == std::string_view::npos) return literal == raw;
    return detail::percent_decode(raw) == literal;
}
}  // namespace

struct router::node {
    struct route {
        method verb;
        handler h;
        const std::string* pattern;
        std::vector<std::string_view> names;  // views into *pattern, in path order
    };

    std::vector<std::pair<std::string, std::unique_ptr<node>>> literals;
    std::unique_ptr<node> param;
    std::vector<route> routes;

    const route* find(method m) const noexcept {
        for (const auto& r : routes) {
            if (r.verb == m) return &r;
        }
        // HEAD is GET without the body (RFC 9110 section 9.3.2); the server drops it.
        if (m == method::head) return find(method::get);
        return nullptr;
    }
};

router::router() : root_(std::make_unique<node>()) {}
router::~router() = default;
router::router(router&&) noexcept = default;
router& router::operator=(router&&) noexcept = default;

void router::add(method m, std::string pattern, handler h) {
    std::array<std::string_view, max_segments> segs;
    std::size_t count = 0;
    patterns_.push_back(std::make_unique<std::string>(std::move(pattern)));
    const std::string& stored = *patterns_.back();
    if (!split_segments(stored, segs, count)) {
        throw std::invalid_argument("route pattern must start with '/': " + stored);
    }

    node* n = root_.get();
    std::vector<std::string_view> names;
    for (std::size_t i = 0; i < count; ++i) {
        const std::string_view seg = segs[i];
        if (seg.empty()) throw std::invalid_argument("empty segment in route pattern: " + stored);
        if (is_placeholder(seg)) {
            names.push_back(seg.substr(1, seg.size() - 2));
            if (!n->param) n->param = std::make_unique<node>();
            n = n->param.get();
            continue;
        }
        if (seg.find_first_of("{}") != std::string_view::npos) {
            throw std::invalid_argument("bad placeholder in route pattern: " + stored);
        }
        auto it = std::find_if(n->literals.begin(), n->literals.end(),
                               [&](const auto& child) { return child.first == seg; });
        if (it == n->literals.end()) {
            n->literals.emplace_back(std::string(seg), std::make_unique<node>());
            it = std::prev(n->literals.end());
        }
        n = it->second.get();
    }
    for (const auto& r : n->routes) {
        if (r.verb == m) {
            throw std::invalid_argument("duplicate route: " + std::string(to_string(m)) + " " +
                                        stored);
        }
    }
    n->routes.push_back({m, std::move(h), &stored, std::move(names)});
}

router::match_result router::match(request& req) const {
    using route = node::route;
    // The raw target keeps "%2F" apart from "/", so a slash escaped inside an
    // id stays in that segment; each segment is decoded after splitting.
    const std::string_view raw =
        req.target.empty() ? std::string_view(req.path) : detail::split(req.target).path;
    std::array<std::string_view, max_segments> segs;
    std::size_t count = 0;
    match_result result;
    if (!split_segments(raw, segs, count)) return result;

    std::array<std::size_t, max_segments> param_at{};
    std::size_t params = 0;
    const route* found = nullptr;

    // Depth-first, literal children before the placeholder, backtracking when
    // a literal branch dead-ends. Each trie node is reached by one path only,
    // so this visits every node at most once.
    auto walk = [&](auto& self, const node& n, std::size_t i) -> bool {
        if (i == count) {
            if (n.routes.empty()) return false;
            if (const route* r = n.find(req.verb)) {
                found = r;
                return true;
            }
            result.path_known = true;
            auto allow = [&](method m) {
                if (std::find(result.allowed.begin(), result.allowed.end(), m) ==
                    result.allowed.end()) {
                    result.allowed.push_back(m);
                }
            };
            for (const auto& r : n.routes) {
                allow(r.verb);
                if (r.verb == method::get) allow(method::head);
            }
            return false;
        }
        const std::string_view seg = segs[i];
        if (seg.empty()) return false;
        for (const auto& [literal, child] : n.literals) {
            if (literal_equals(literal, seg) && self(self, *child, i + 1)) return true;
        }
        if (n.param) {
            param_at[params++] = i;
            if (self(self, *n.param, i + 1)) return true;
            --params;
        }
        return false;
    };

    if (!walk(walk, *root_, 0)) {
        std::sort(result.allowed.begin(), result.allowed.end());
        return result;
    }

    req.route = *found->pattern;
    req.params.clear();
    req.params.reserve(params);
    for (std::size_t k = 0; k < params && k < found->names.size(); ++k) {
        req.params.emplace_back(found->names[k], detail::percent_decode(segs[param_at[k]]));
    }
    result.h = &found->h;
    result.path_known = true;
    return result;
}

}  // namespace driftway::net
