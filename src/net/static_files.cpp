#include "driftway/net/static_files.hpp"

#include "static_files.hpp"

#include "driftway/core/error.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <memory>
#include <stdexcept>
#include <system_error>
#include <utility>

namespace driftway::net {

namespace detail {

std::optional<std::vector<std::string>> web_path_segments(std::string_view path) {
    if (path.empty() || path.front() != '/') return std::nullopt;
    if (path.find('\0') != std::string_view::npos || path.find('\\') != std::string_view::npos) {
        return std::nullopt;
    }
    std::vector<std::string> out;
    std::size_t start = 1;
    while (start <= path.size()) {
        const std::size_t slash = std::min(path.find('/', start), path.size());
        const std::string_view seg = path.substr(start, slash - start);
        start = slash + 1;
        if (seg.empty()) continue;
        // Covers "." and "..", and keeps dotfiles (.git, .env) of a careless
        // deployment out of reach.
        if (seg.front() == '.') return std::nullopt;
        out.emplace_back(seg);
    }
    return out;
}

std::string_view content_type_for(std::string_view filename) noexcept {
    struct entry {
        std::string_view ext;
        std::string_view type;
    };
    static constexpr std::array<entry, 22> types{{
        {"html", "text/html; charset=utf-8"},
        {"htm", "text/html; charset=utf-8"},
        {"js", "text/javascript; charset=utf-8"},
        {"mjs", "text/javascript; charset=utf-8"},
        {"css", "text/css; charset=utf-8"},
        {"json", "application/json"},
        {"map", "application/json"},
        {"webmanifest", "application/manifest+json"},
        {"txt", "text/plain; charset=utf-8"},
        {"svg", "image/svg+xml"},
        {"png", "image/png"},
        {"jpg", "image/jpeg"},
        {"jpeg", "image/jpeg"},
        {"gif", "image/gif"},
        {"webp", "image/webp"},
        {"avif", "image/avif"},
        {"ico", "image/x-icon"},
        {"woff", "font/woff"},
        {"woff2", "font/woff2"},
        {"ttf", "font/ttf"},
        {"otf", "font/otf"},
        {"wasm", "application/wasm"},
    }};
    const auto dot = filename.rfind('.');
    if (dot == std::string_view::npos) return "application/octet-stream";
    const std::string_view ext = filename.substr(dot + 1);
    for (const auto& e : types) {
        if (e.ext.size() == ext.size() &&
            std::equal(ext.begin(), ext.end(), e.ext.begin(), [](char a, char b) {
                return (a >= 'A' && a <= 'Z' ? static_cast<char>(a - 'A' + 'a') : a) == b;
            })) {
            return e.type;
        }
    }
    return "application/octet-stream";
}

std::string make_etag(std::uintmax_t size, long long mtime_ns) {
    std::array<char, 64> buf{};
    const int n = std::snprintf(buf.data(), buf.size(), "\"%jx-%llx\"", size,
                                static_cast<unsigned long long>(mtime_ns));
    return std::string(buf.data(), static_cast<std::size_t>(std::max(n, 0)));
}

bool if_none_match_matches(std::string_view header, std::string_view etag) noexcept {
    auto opaque = [](std::string_view tag) {
        if (tag.substr(0, 2) == "W/") tag.remove_prefix(2);
        return tag;
    };
    const std::string_view want = opaque(etag);
    while (!header.empty()) {
        const std::size_t comma = std::min(header.find(','), header.size());
        std::string_view tag = header.substr(0, comma);
        header.remove_prefix(std::min(comma + 1, header.size()));
        while (!tag.empty() && (tag.front() == ' ' || tag.front() == '\t')) tag.remove_prefix(1);
        while (!tag.empty() && (tag.back() == ' ' || tag.back() == '\t')) tag.remove_suffix(1);
        if (tag == "*" || (!tag.empty() && opaque(tag) == want)) return true;
    }
    return false;
}

}  // namespace detail

namespace {

constexpr std::string_view index_file = "index.html";
constexpr std::string_view route_label = "/{web client}";

response not_found() {
    return response::from_error(driftway::error{404, "not_found", "no such endpoint", {}});
}

bool under(const std::filesystem::path& root, const std::filesystem::path& p) {
    const auto [r, q] = std::mismatch(root.begin(), root.end(), p.begin(), p.end());
    return r == root.end() && q != p.end();
}

}  // namespace

static_files::static_files(static_files_options options) : options_(std::move(options)) {
    std::error_code ec;
    root_ = std::filesystem::canonical(options_.root, ec);
    if (ec || !std::filesystem::is_directory(root_, ec)) {
        throw std::runtime_error("web_root is not a folder: " + options_.root);
    }
}

bool static_files::reserved(std::string_view path) const noexcept {
    return std::any_of(options_.reserved.begin(), options_.reserved.end(),
                       [&](const std::string& r) {
                           return path.substr(0, r.size()) == r &&
                                  (path.size() == r.size() || path[r.size()] == '/');
                       });
}

response static_files::serve(const request& req) const {
    if ((req.verb != method::get && req.verb != method::head) || reserved(req.path)) {
        return not_found();
    }
    const auto segments = detail::web_path_segments(req.path);
    if (!segments) return not_found();

    std::filesystem::path candidate = root_;
    for (const auto& s : *segments) candidate /= s;

    std::error_code ec;
    // The canonical path resolves symbolic links, so a link that points out
    // of the root is refused like a ".." would be.
    const auto real = std::filesystem::canonical(candidate, ec);
    if (!ec && under(root_, real) && std::filesystem::is_regular_file(real, ec)) {
        const bool immutable = req.path.rfind(options_.immutable_prefix, 0) == 0;
        return serve_file(req, real, immutable);
    }

    const bool looks_like_file =
        !segments->empty() && segments->back().find('.') != std::string::npos;
    if (looks_like_file) return not_found();
    return serve_file(req, root_ / index_file, false);
}

response static_files::serve_file(const request& req, const std::filesystem::path& file,
                                  bool immutable) const {
    std::error_code ec;
    const auto size = std::filesystem::file_size(file, ec);
    if (ec) return not_found();
    const auto mtime = std::filesystem::last_write_time(file, ec);
    if (ec) return not_found();
    const auto mtime_ns =
        std::chrono::duration_cast<std::chrono::nanoseconds>(mtime.time_since_epoch()).count();

    response res;
    res.headers.set("ETag", detail::make_etag(size, static_cast<long long>(mtime_ns)));
    // index.html names the hashed bundles of the current build, so it is
    // revalidated every time; the bundles never change under their name.
    res.headers.set("Cache-Control",
                    immutable ? "public, max-age=31536000, immutable" : "no-cache");

    if (const auto inm = req.header("If-None-Match");
        inm && detail::if_none_match_matches(*inm, *res.headers.get("ETag"))) {
        res.status = 304;
        return res;
    }

    std::ifstream in(file, std::ios::binary);
    if (!in) return not_found();
    std::string body;
    body.resize(static_cast<std::size_t>(size));
    in.read(body.data(), static_cast<std::streamsize>(body.size()));
    if (in.gcount() != static_cast<std::streamsize>(body.size())) return not_found();

    res.status = 200;
    res.headers.set("Content-Type",
                    std::string(detail::content_type_for(file.filename().string())));
    res.body = std::move(body);
    return res;
}

handler make_static_files_handler(static_files_options options) {
    auto files = std::make_shared<const static_files>(std::move(options));
    return [files](request& req) -> boost::asio::awaitable<response> {
        if (!files->reserved(req.path)) req.route = route_label;
        co_return files->serve(req);
    };
}

}  // namespace driftway::net
