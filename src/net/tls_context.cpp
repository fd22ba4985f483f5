#include "tls_context.hpp"

#include <openssl/ssl.h>

namespace driftway::net::detail {

std::shared_ptr<boost::asio::ssl::context> load_tls_context(const std::string& cert_file,
                                                            const std::string& key_file,
                                                            std::string& error) {
    namespace ssl = boost::asio::ssl;
    std::shared_ptr<ssl::context> ctx;
    try {
        ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
    } catch (const std::exception& e) {
        error = std::string("cannot create TLS context: ") + e.what();
        return nullptr;
    }
    SSL_CTX* native = ctx->native_handle();
    // RFC 8996 deprecates TLS 1.0 and 1.1.
    if (SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION) != 1) {
        error = "cannot restrict TLS to version 1.2 and later";
        return nullptr;
    }
    // Renegotiation only gives a client a way to make the server work harder.
    SSL_CTX_set_options(native, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
    // Idle keep-alive connections then hold no TLS read/write buffers.
    SSL_CTX_set_mode(native, SSL_MODE_RELEASE_BUFFERS);

    boost::system::error_code ec;
    ctx->use_certificate_chain_file(cert_file, ec);
    if (ec) {
        error = "cannot load TLS certificate " + cert_file + ": " + ec.message();
        return nullptr;
    }
    ctx->use_private_key_file(key_file, ssl::context::pem, ec);
    if (ec) {
        error = "cannot load TLS private key " + key_file + ": " + ec.message();
        return nullptr;
    }
    if (SSL_CTX_check_private_key(native) != 1) {
        error = "TLS private key " + key_file + " does not match certificate " + cert_file;
        return nullptr;
    }
    return ctx;
}

}  // namespace driftway::net::detail
