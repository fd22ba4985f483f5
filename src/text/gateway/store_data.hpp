#pragma once
// The gateway's data source on a real node: tokens through the
// authenticator, everything else through storage and the directory.
#include "driftway/auth/authenticator.hpp"
#include "driftway/text/services.hpp"
#include "gateway/data.hpp"

namespace driftway::text::gw {

class store_data final : public gateway_data {
public:
    store_data(text_services& services, auth::authenticator& authn)
        : services_(services), authn_(authn) {}

    task<result<id_t>> authenticate(std::string token) override;
    task<std::optional<ready_state>> ready(id_t user_id, int large_space_threshold) override;
    task<space_access> access(id_t user_id, id_t space_id) override;
    task<std::string> channel_json(id_t channel_id) override;
    task<std::optional<member_page>> members(id_t user_id, id_t space_id, std::string query,
                                             int limit) override;
    task<std::vector<id_t>> presence_audience(id_t user_id) override;
    task<void> typing(id_t user_id, id_t channel_id) override;
    void leave_voice(id_t user_id) override;

private:
    text_services& services_;
    auth::authenticator& authn_;
};

}  // namespace driftway::text::gw
