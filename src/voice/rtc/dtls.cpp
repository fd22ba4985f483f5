// DTLS 1.2 over OpenSSL with memory BIOs (RFC 6347, DTLS-SRTP RFC 5764).
// OpenSSL never touches a socket: datagrams go into the read BIO and what it
// writes is cut into datagrams at record boundaries (a flight may hold many
// records; a datagram carries whole records, RFC 6347 section 4.1.1).
#include "driftway/rtc/dtls.hpp"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <algorithm>
#include <cctype>

namespace driftway::rtc {

namespace {

constexpr int mtu = 1200;  // what we tell OpenSSL; leaves room for IPv6/UDP/TURN

std::string hex_fingerprint(const unsigned char* md, unsigned int len) {
    static constexpr char digits[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(len * 3);
    for (unsigned int i = 0; i < len; ++i) {
        if (i != 0) out.push_back(':');
        out.push_back(digits[md[i] >> 4]);
        out.push_back(digits[md[i] & 0xF]);
    }
    return out;
}

std::string x509_fingerprint(X509* x) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (X509_digest(x, EVP_sha256(), md, &len) != 1) return {};
    return hex_fingerprint(md, len);
}

bool same_fingerprint(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::toupper(static_cast<unsigned char>(x)) ==
                      std::toupper(static_cast<unsigned char>(y));
           });
}

std::string openssl_error() {
    unsigned long e = ERR_get_error();
    ERR_clear_error();
    if (e == 0) return "dtls error";
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    return buf;
}

// Index of our ex_data slot on SSL objects: the expected fingerprint.
int fingerprint_index() {
    static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
    return index;
}

// WebRTC certificates are self-signed: chain verification is replaced by the
// fingerprint from signaling (RFC 8827 section 6.5). The leaf is checked
// here so that a mismatch aborts the handshake with an alert.
int verify_callback(int /*preverify_ok*/, X509_STORE_CTX* store) {
    if (X509_STORE_CTX_get_error_depth(store) != 0) return 1;
    auto* ssl =
        static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
    X509* cert = X509_STORE_CTX_get_current_cert(store);
    if (ssl == nullptr || cert == nullptr) return 0;
    const auto* expected =
        static_cast<const std::string*>(SSL_get_ex_data(ssl, fingerprint_index()));
    if (expected == nullptr) return 0;
    return same_fingerprint(x509_fingerprint(cert), *expected) ? 1 : 0;
}

}  // namespace

std::string fingerprint_sha256_of_der(bytes_view der) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_Digest(der.data(), der.size(), md, &len, EVP_sha256(), nullptr) != 1) return {};
    return hex_fingerprint(md, len);
}

// ---- certificate ----

std::shared_ptr<const certificate> certificate::generate() {
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key{EVP_EC_gen("P-256"), EVP_PKEY_free};
    std::unique_ptr<X509, decltype(&X509_free)> x{X509_new(), X509_free};
    if (!key || !x) return nullptr;

    unsigned char serial[8];
    unsigned char cn_bytes[8];
    if (RAND_bytes(serial, sizeof serial) != 1 || RAND_bytes(cn_bytes, sizeof cn_bytes) != 1)
        return nullptr;
    serial[0] &= 0x7F;  // a positive serial
    std::unique_ptr<BIGNUM, decltype(&BN_free)> bn{BN_bin2bn(serial, sizeof serial, nullptr),
                                                   BN_free};
    std::string cn = "driftway-" + hex_fingerprint(cn_bytes, sizeof cn_bytes);
    cn.erase(std::remove(cn.begin(), cn.end(), ':'), cn.end());

    X509_set_version(x.get(), 2);
    if (!bn || BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(x.get())) == nullptr)
        return nullptr;
    // Valid from a day ago (clock skew) for 30 days.
    X509_gmtime_adj(X509_getm_notBefore(x.get()), -24L * 3600);
    X509_gmtime_adj(X509_getm_notAfter(x.get()), 30L * 24 * 3600);
    X509_NAME* name = X509_get_subject_name(x.get());
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
    X509_set_issuer_name(x.get(), name);
    X509_set_pubkey(x.get(), key.get());
    if (X509_sign(x.get(), key.get(), EVP_sha256()) == 0) return nullptr;

    std::shared_ptr<certificate> c{new certificate};  // private constructor: no make_shared
    c->fingerprint_ = x509_fingerprint(x.get());
    c->x509_ = x.release();
    c->key_ = key.release();
    return c;
}

certificate::~certificate() {
    X509_free(static_cast<X509*>(x509_));
    EVP_PKEY_free(static_cast<EVP_PKEY*>(key_));
}

// ---- dtls_transport ----

struct dtls_transport::impl {
    std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx{nullptr, SSL_CTX_free};
    std::unique_ptr<SSL, decltype(&SSL_free)> ssl{nullptr, SSL_free};
    BIO* rbio = nullptr;  // owned by ssl
    BIO* wbio = nullptr;  // owned by ssl
    std::shared_ptr<const certificate> cert;
    std::vector<std::uint8_t> out;  // pending bytes of wbio, reused
};

dtls_transport::dtls_transport(std::shared_ptr<const certificate> cert, dtls_role role,
                               std::string expected_fingerprint, send_fn send)
    : impl_(std::make_unique<impl>()),
      send_(std::move(send)),
      role_(role),
      expected_fingerprint_(std::move(expected_fingerprint)) {
    impl_->cert = std::move(cert);
    // Set-up in a lambda so each failure can return early from it.
    [&] {
        auto fail = [&](std::string why) {
            state_ = state::failed;
            failure_ = std::move(why);
        };
        if (!impl_->cert) return fail("no certificate");
        impl_->ctx.reset(SSL_CTX_new(DTLS_method()));
        SSL_CTX* ctx = impl_->ctx.get();
        if (ctx == nullptr) return fail(openssl_error());
        SSL_CTX_set_min_proto_version(ctx, DTLS1_2_VERSION);
        SSL_CTX_set_max_proto_version(ctx, DTLS1_2_VERSION);
        if (SSL_CTX_use_certificate(ctx, static_cast<X509*>(impl_->cert->x509())) != 1 ||
            SSL_CTX_use_PrivateKey(ctx, static_cast<EVP_PKEY*>(impl_->cert->private_key())) != 1)
            return fail(openssl_error());
        // GCM first: cheaper per packet and what Chromium prefers (RFC 7714).
        // Note: this OpenSSL call returns 0 on success.
        if (SSL_CTX_set_tlsext_use_srtp(ctx, "SRTP_AEAD_AES_128_GCM:SRTP_AES128_CM_SHA1_80") != 0)
            return fail(openssl_error());
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, verify_callback);
        SSL_CTX_set_options(ctx, SSL_OP_NO_QUERY_MTU);
        SSL_CTX_set_read_ahead(ctx, 1);

        impl_->ssl.reset(SSL_new(ctx));
        SSL* ssl = impl_->ssl.get();
        if (ssl == nullptr) return fail(openssl_error());
        impl_->rbio = BIO_new(BIO_s_mem());
        impl_->wbio = BIO_new(BIO_s_mem());
        if (impl_->rbio == nullptr || impl_->wbio == nullptr) {
            BIO_free(impl_->rbio);
            BIO_free(impl_->wbio);
            return fail("BIO_new failed");
        }
        // An empty read BIO means "no datagram yet", not end of stream.
        BIO_set_mem_eof_return(impl_->rbio, -1);
        BIO_set_mem_eof_return(impl_->wbio, -1);
        SSL_set_bio(ssl, impl_->rbio, impl_->wbio);
        SSL_set_ex_data(ssl, fingerprint_index(), &expected_fingerprint_);
        SSL_set_mtu(ssl, mtu);
        DTLS_set_link_mtu(ssl, mtu);
        if (role_ == dtls_role::server)
            SSL_set_accept_state(ssl);
        else
            SSL_set_connect_state(ssl);
    }();
}

dtls_transport::~dtls_transport() = default;

void dtls_transport::start() {
    if (role_ == dtls_role::client && state_ == state::handshaking) drive();
}

void dtls_transport::on_datagram(bytes_view datagram) {
    if (state_ == state::failed || state_ == state::closed || !impl_->ssl) return;
    if (datagram.empty() || datagram.size() > 65535) return;
    BIO_write(impl_->rbio, datagram.data(), static_cast<int>(datagram.size()));
    drive();
}

void dtls_transport::on_timeout() {
    if (state_ != state::handshaking || !impl_->ssl) return;
    if (DTLSv1_handle_timeout(impl_->ssl.get()) < 0) {
        state_ = state::failed;
        failure_ = "handshake timed out";
    }
    flush();
}

std::optional<std::chrono::milliseconds> dtls_transport::next_timeout() const {
    if (state_ != state::handshaking || !impl_->ssl) return std::nullopt;
    timeval tv{};
    if (DTLSv1_get_timeout(impl_->ssl.get(), &tv) != 1) return std::nullopt;
    return std::chrono::milliseconds{tv.tv_sec * 1000 + tv.tv_usec / 1000};
}

void dtls_transport::close() {
    if (!impl_->ssl || state_ == state::closed) return;
    if (state_ == state::connected) {
        SSL_shutdown(impl_->ssl.get());
        flush();
    }
    state_ = state::closed;
}

void dtls_transport::drive() {
    SSL* ssl = impl_->ssl.get();
    if (state_ == state::handshaking) {
        int r = SSL_do_handshake(ssl);
        if (r == 1) {
            // Defence in depth: the verify callback already checked the leaf.
            std::unique_ptr<X509, decltype(&X509_free)> peer{SSL_get1_peer_certificate(ssl),
                                                             X509_free};
            if (!peer || !same_fingerprint(x509_fingerprint(peer.get()), expected_fingerprint_)) {
                state_ = state::failed;
                failure_ = "peer certificate does not match the fingerprint";
                flush();
                return;
            }
            SRTP_PROTECTION_PROFILE* p = SSL_get_selected_srtp_profile(ssl);
            if (p == nullptr ||
                (p->id != SRTP_AES128_CM_SHA1_80 && p->id != SRTP_AEAD_AES_128_GCM)) {
                state_ = state::failed;
                failure_ = "no SRTP profile negotiated";
                flush();
                return;
            }
            srtp_keys keys;
            keys.profile = p->id == SRTP_AEAD_AES_128_GCM ? srtp_profile::aead_aes_128_gcm
                                                          : srtp_profile::aes128_cm_sha1_80;
            const std::size_t key_len = 16;
            const std::size_t salt_len = srtp_key_salt_length(keys.profile) - key_len;
            // RFC 5764 section 4.2: client key | server key | client salt | server salt.
            std::vector<std::uint8_t> material(2 * (key_len + salt_len));
            static constexpr char label[] = "EXTRACTOR-dtls_srtp";
            if (SSL_export_keying_material(ssl, material.data(), material.size(), label,
                                           sizeof label - 1, nullptr, 0, 0) != 1) {
                state_ = state::failed;
                failure_ = openssl_error();
                return;
            }
            auto key_salt = [&](bool client) {
                std::vector<std::uint8_t> ks;
                const auto* k = material.data() + (client ? 0 : key_len);
                const auto* s = material.data() + 2 * key_len + (client ? 0 : salt_len);
                ks.insert(ks.end(), k, k + key_len);
                ks.insert(ks.end(), s, s + salt_len);
                return ks;
            };
            const bool we_are_client = role_ == dtls_role::client;
            keys.local_key_salt = key_salt(we_are_client);
            keys.remote_key_salt = key_salt(!we_are_client);
            OPENSSL_cleanse(material.data(), material.size());
            keys_ = std::move(keys);
            state_ = state::connected;
            flush();  // the final flight (server: ChangeCipherSpec + Finished)
            return;
        }
        int err = SSL_get_error(ssl, r);
        if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE) {
            state_ = state::failed;
            failure_ = openssl_error();
        }
        flush();
        return;
    }
    if (state_ == state::connected) {
        // No application data on a media transport; reading processes
        // retransmitted handshake flights and alerts (close_notify).
        unsigned char buf[2048];
        for (;;) {
            int r = SSL_read(ssl, buf, sizeof buf);
            if (r > 0) continue;
            int err = SSL_get_error(ssl, r);
            if (err == SSL_ERROR_ZERO_RETURN) {
                state_ = state::closed;
            } else if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE) {
                state_ = state::failed;
                failure_ = openssl_error();
            }
            break;
        }
        flush();
    }
}

void dtls_transport::flush() {
    auto& out = impl_->out;
    const int pending = static_cast<int>(BIO_ctrl_pending(impl_->wbio));
    if (pending <= 0) return;
    out.resize(static_cast<std::size_t>(pending));
    const int n = BIO_read(impl_->wbio, out.data(), pending);
    if (n <= 0) return;
    out.resize(static_cast<std::size_t>(n));
    // Pack whole records (13-byte header, length at offset 11) into
    // datagrams of at most `mtu` bytes.
    std::size_t start = 0;
    std::size_t pos = 0;
    while (pos < out.size()) {
        std::size_t record = out.size() - pos;
        if (out.size() - pos >= 13)
            record = std::min(record, 13 + std::size_t{read_u16(&out[pos + 11])});
        if (pos > start && pos + record - start > static_cast<std::size_t>(mtu)) {
            if (send_) send_(bytes_view{out.data() + start, pos - start});
            start = pos;
        }
        pos += record;
    }
    if (pos > start && send_) send_(bytes_view{out.data() + start, pos - start});
}

}  // namespace driftway::rtc
