#pragma once
// The groups of routes that add_message_routes() registers, one per file.
#include "driftway/auth/api_router.hpp"
#include "driftway/text/services.hpp"

namespace driftway::text::messages {

void add_reaction_routes(auth::api_router& api, text_services& s);    // reaction_routes.cpp
void add_pin_routes(auth::api_router& api, text_services& s);         // pin_routes.cpp
void add_thread_routes(auth::api_router& api, text_services& s);      // thread_routes.cpp
void add_typing_routes(auth::api_router& api, text_services& s);      // typing_routes.cpp
void add_read_state_routes(auth::api_router& api, text_services& s);  // read_state_routes.cpp

}  // namespace driftway::text::messages
