#pragma once
// Serves the built web client from a folder (`server.web_root`): GET and HEAD
// of every path the API does not own. A path that names no file and whose
// last segment has no dot is a client-side route and gets index.html, so a
// reload of /channels/123 or an invite link /invite/CODE opens the app.
#include "driftway/net/router.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace driftway::net {

struct static_files_options {
    std::string root;  // folder holding index.html
    // Paths of the server itself: the path equal to one, or below it, is
    // never a file of the client and keeps the API's JSON 404.
    std::vector<std::string> reserved = {"/api", "/gateway", "/health", "/metrics"};
    // Vite names what it puts here after a hash of the content.
    std::string immutable_prefix = "/assets/";
};

class static_files {
public:
    // Throws std::runtime_error when root is not a readable folder.
    explicit static_files(static_files_options options);

    bool reserved(std::string_view path) const noexcept;

    // Answers a GET or HEAD; never throws for any request.
    response serve(const request& req) const;

private:
    response serve_file(const request& req, const std::filesystem::path& file,
                        bool immutable) const;

    static_files_options options_;
    std::filesystem::path root_;  // canonical
};

// A handler for pipeline_options::fallback serving from options.root.
handler make_static_files_handler(static_files_options options);

}  // namespace driftway::net
