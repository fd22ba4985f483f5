// WebSocket over TLS. OpenSSL stands between the socket and the frames, so this
// transport uses the stream's asynchronous operations: reads into a small
// buffer of the connection's own, and each write copies the gathered frames
// into one contiguous buffer (one TLS record run instead of one per frame; the
// copy is cheap next to the encryption). A TLS connection costs tens of KiB
// whatever is done here (OpenSSL and Asio's TLS buffers); deployments that
// count memory per connection terminate TLS in front (DESIGN.md section 2).
#include "connection.hpp"
#include "upgrade.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

#include <array>

namespace driftway::net::ws::detail {

namespace {

constexpr std::size_t input_bytes = 4096;
constexpr std::size_t max_write_buffers = 128;
constexpr std::size_t max_write_bytes = 256 << 10;

class tls_connection final : public connection_base {
public:
    tls_connection(net::detail::shard& sh, const route& r, std::unique_ptr<handler> h,
                   std::string remote_ip, tls_stream stream,
                   std::shared_ptr<asio::ssl::context> context)
        : connection_base(sh, r, std::move(h), std::move(remote_ip)),
          stream_(std::move(stream)),
          context_(std::move(context)) {}

    void start(std::span<const char> initial) noexcept { open(initial); }

private:
    void read_more() noexcept override {
        if (read_armed_ || closed()) return;
        read_armed_ = true;
        stream_.async_read_some(
            asio::buffer(input_.data(), input_.size()),
            asio::bind_allocator(
                exact_allocator<void>{},
                [self = ref(this)](const boost::system::error_code& ec, std::size_t n) {
                    self->read_armed_ = false;
                    if (self->closed()) return;
                    if (ec) {
                        self->peer_gone();
                        return;
                    }
                    self->received({self->input_.data(), n});
                    if (self->wants_input()) self->read_more();
                }));
    }

    void write_queue() noexcept override {
        asio::post(shard_executor(), [self = ref(this)] { self->flush(); });
    }

    void flush() noexcept {
        if (closed()) return;
        if (queue_.empty()) {
            queue_drained();
            return;
        }
        std::array<iovec, max_write_buffers> buffers;
        const auto g = queue_.gather(buffers, max_write_bytes);
        try {
            output_.reserve(g.bytes);
            for (std::size_t i = 0; i < g.buffers; ++i) {
                output_.append(static_cast<const char*>(buffers[i].iov_base), buffers[i].iov_len);
            }
        } catch (...) {
            peer_gone();
            return;
        }
        asio::async_write(stream_, asio::buffer(output_),
                          [self = ref(this)](const boost::system::error_code& ec, std::size_t n) {
                              std::string().swap(self->output_);
                              if (self->closed()) return;
                              if (ec) {
                                  self->peer_gone();
                                  return;
                              }
                              self->queue_.consume(n);
                              self->flush();
                          });
    }

    // TLS has no half-close short of close_notify, which would end reading
    // too; the peer's close frame is awaited on the open stream.
    void half_close() noexcept override {}

    // close_notify (RFC 8446 section 6.1) before the socket goes; bounded by
    // the close timer like the rest of the closing handshake.
    void end() noexcept override {
        stream_.async_shutdown(
            [self = ref(this)](const boost::system::error_code&) { self->finish(); });
    }

    void close_socket() noexcept override {
        boost::system::error_code ec;
        boost::beast::get_lowest_layer(stream_).socket().close(ec);
    }

    tls_stream stream_;
    std::shared_ptr<asio::ssl::context> context_;
    std::string output_;  // the bytes of the write in flight
    std::array<std::uint8_t, input_bytes> input_;
    bool read_armed_ = false;
};

}  // namespace

void start_tls(net::detail::shard& sh, const route& r, std::unique_ptr<handler> h,
               tls_stream stream, std::shared_ptr<asio::ssl::context> ctx, std::string remote_ip,
               std::span<const char> initial) {
    make_connection<tls_connection>(sh, r, std::move(h), std::move(remote_ip), std::move(stream),
                                    std::move(ctx))
        ->start(initial);
}

}  // namespace driftway::net::ws::detail
