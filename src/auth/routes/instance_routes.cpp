// GET|PATCH /instance: instance-wide policy, set by the owner (the first account).
#include "driftway/auth/account_routes.hpp"
#include "driftway/net/json_body.hpp"

namespace driftway::auth {

namespace {

using net::request;
using net::response;
using awaitable_response = boost::asio::awaitable<response>;

json::object instance_json(const store::instance_settings& i, const std::string& version) {
    json::object o;
    o["name"] = i.name;
    o["registration"] = i.registration;
    o["max_upload_bytes"] = i.max_upload_bytes;
    o["owner_id"] = i.owner_id ? json::value(json::id_string(*i.owner_id)) : json::value(nullptr);
    o["version"] = version;
    return o;
}

awaitable_response get_instance(account_services& s) {
    co_return response::json(200, instance_json(co_await s.db.instance().get(), s.version));
}

awaitable_response patch_instance(account_services& s, request& req, const principal& who) {
    auto settings = co_await s.db.instance().get();
    if (!settings.owner_id || *settings.owner_id != who.user_id)
        co_return response::from_error(
            error::forbidden("not_owner", "only the instance owner may change instance settings"));
    auto body = net::json_body(req, s.limits).value();
    json::object_reader in(body);
    if (auto name = in.optional_string(
            "name", {.min_length = 1, .max_length = 64, .trim = true, .single_line = true}))
        settings.name = std::move(*name);
    if (auto mode = in.optional_string("registration")) {
        if (*mode != "open" && *mode != "invite" && *mode != "closed")
            in.fail("registration", "must be one of open, invite, closed");
        else
            settings.registration = std::move(*mode);
    }
    if (auto limit = in.optional_int("max_upload_bytes", 1024, std::int64_t{1} << 34))
        settings.max_upload_bytes = *limit;
    in.finish().value();
    co_await s.db.instance().put(settings);
    co_return response::json(200, instance_json(settings, s.version));
}

}  // namespace

void add_instance_routes(api_router& api, account_services& s) {
    api.get(
        "/api/v1/instance", [&s](request&, const principal&) { return get_instance(s); },
        access::anyone);
    api.patch(
        "/api/v1/instance",
        [&s](request& req, const principal& who) { return patch_instance(s, req, who); },
        access::user_token);
}

}  // namespace driftway::auth
