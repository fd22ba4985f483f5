#pragma once
// The groups of routes that add_space_routes() registers, one per file.
#include "driftway/auth/api_router.hpp"
#include "driftway/text/services.hpp"

namespace driftway::text::routes {

void add_member_routes(auth::api_router& api, text_services& s);      // member_routes.cpp
void add_role_routes(auth::api_router& api, text_services& s);        // role_routes.cpp
void add_moderation_routes(auth::api_router& api, text_services& s);  // moderation_routes.cpp

}  // namespace driftway::text::routes
