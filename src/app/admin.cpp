#include "admin.hpp"

#include "settings.hpp"
#include "storage.hpp"

#include "driftway/auth/account_rules.hpp"
#include "driftway/auth/crypto.hpp"
#include "driftway/auth/password.hpp"
#include "driftway/core/block_on.hpp"
#include "driftway/core/clock.hpp"
#include "driftway/core/json.hpp"
#include "driftway/core/snowflake.hpp"
#include "driftway/store/backend.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <filesystem>
#include <iostream>

namespace driftway::app {

int admin_migrate(const config& c) {
    std::filesystem::create_directories(c.storage.data_dir);
    auto db = open_storage(c, 1);
    std::cout << "schema version " << db->schema_version() << " (latest "
              << db->latest_schema_version() << ")\n";
    db->close();
    return 0;
}

int admin_create_owner(const config& c, const command_line& cl) {
    auto username = cl.flag("username");
    auto email = cl.flag("email");
    if (!username || !email) {
        std::cerr << "usage: driftway admin create-owner --username NAME --email ADDRESS "
                     "(password on standard input)\n";
        return 2;
    }
    std::string password;
    std::getline(std::cin, password);
    if (!password.empty() && password.back() == '\r') password.pop_back();
    for (const auto& [what, problem] : {std::pair{"username", auth::check_username(*username)},
                                        std::pair{"email", auth::check_email(*email)},
                                        std::pair{"password", auth::check_password(password)}}) {
        if (problem) {
            std::cerr << "error: the " << what << " " << *problem << "\n";
            return 1;
        }
    }

    auth::init_crypto();
    std::filesystem::create_directories(c.storage.data_dir);
    auto db = open_storage(c, 1);
    auth::password_cost cost = auth::password_cost::interactive;
    auth::parse_password_cost(c.auth.password_cost, cost);

    const auto settings = block_on(db->instance().get());
    if (settings.owner_id || block_on(db->users().count()) > 0) {
        std::cerr << "error: this instance already has an owner (the first account)\n";
        db->close();
        return 1;
    }
    store::user u;
    u.id = snowflake_generator(c.server.node_id).next();
    u.username = *username;
    u.email = auth::lower_ascii(*email);
    u.display_name = *username;
    u.password_hash = auth::hash_password(password, cost);
    u.created_at = clock::unix_ms();
    u.last_active = u.created_at;
    auto created = block_on(db->users().create(std::move(u), true));
    db->close();
    if (!created) {
        std::cerr << "error: " << created.error().message << "\n";
        return 1;
    }
    std::cout << "created owner " << created->username << " (id " << created->id << ")\n";
    return 0;
}

}  // namespace driftway::app
