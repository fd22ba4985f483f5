#pragma once
// Where uploaded files live, content-addressed by SHA-256 so identical
// uploads are stored once. Local disk now (data/files/ab/cd/<sha256>); a
// shared store in the cluster shape implements the same interface.
#include <boost/asio/awaitable.hpp>

#include <memory>
#include <optional>
#include <string>

namespace driftway::store {

class file_store {
public:
    virtual ~file_store() = default;
    // Stores bytes; returns the lowercase hex SHA-256, which is the key.
    virtual boost::asio::awaitable<std::string> put(std::string bytes) = 0;
    // The file's bytes, or nullopt when missing.
    virtual boost::asio::awaitable<std::optional<std::string>> get(std::string sha256) = 0;
};

// Files under root (created if needed). Blocking disk I/O runs on the store's own
// small thread pool, never on the caller's thread.
std::unique_ptr<file_store> make_local_file_store(std::string root);

}  // namespace driftway::store
