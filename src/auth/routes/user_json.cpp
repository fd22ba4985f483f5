#include "driftway/auth/account_routes.hpp"

#include "driftway/core/clock.hpp"

namespace driftway::auth {

json::object public_user_json(const store::user& u) {
    json::object o;
    o["id"] = json::id_string(u.id);
    o["username"] = u.username;
    o["display_name"] = u.display_name.empty() ? u.username : u.display_name;
    o["avatar"] = u.avatar ? json::value(json::id_string(*u.avatar)) : json::value(nullptr);
    o["created_at"] = clock::iso8601(u.created_at);
    return o;
}

json::object private_user_json(const store::user& u) {
    json::object o = public_user_json(u);
    o["email"] = u.email;
    o["status"] = u.status;
    auto prefs = json::parse(u.preferences);
    o["preferences"] =
        prefs && prefs->is_object() ? std::move(*prefs) : json::value(json::object{});
    o["owner"] = u.owner;
    return o;
}

}  // namespace driftway::auth
