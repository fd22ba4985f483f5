#pragma once
// Builds the server's TLS context from PEM files. A context is immutable once
// built; a reload builds a new one and new connections pick it up.
#include <boost/asio/ssl/context.hpp>

#include <memory>
#include <string>

namespace driftway::net::detail {

// Null with `error` set when the files cannot be read or do not match.
std::shared_ptr<boost::asio::ssl::context> load_tls_context(const std::string& cert_file,
                                                            const std::string& key_file,
                                                            std::string& error);

}  // namespace driftway::net::detail
