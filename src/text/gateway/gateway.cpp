#include "driftway/text/gateway/gateway.hpp"

#include "gateway/core.hpp"
#include "gateway/store_data.hpp"

namespace driftway::text {

struct gateway::impl {
    gw::store_data data;
    gw::gateway_core core;

    impl(text_services& services, auth::authenticator& authn, bus::event_bus& bus,
         std::vector<boost::asio::io_context*> shards, gateway_options options)
        : data(services, authn), core(data, bus, std::move(shards), options) {}
};

gateway::gateway(text_services& services, auth::authenticator& authn, bus::event_bus& bus,
                 std::vector<boost::asio::io_context*> shards, gateway_options options)
    : impl_(std::make_unique<impl>(services, authn, bus, std::move(shards), options)) {
    impl_->core.start();
}

gateway::~gateway() {
    impl_->core.stop();
}

net::ws::acceptor gateway::acceptor() {
    return [core = &impl_->core](const net::request&) { return core->accept(); };
}

std::size_t gateway::session_count() const {
    return impl_->core.session_count();
}

}  // namespace driftway::text
