#include "settings.hpp"

#include <cstdlib>

namespace driftway::app {

result<config> load_settings(const command_line& cl) {
    auto env = config::environment();
    std::optional<std::string> file = cl.flag("config");
    if (!file) {
        if (auto it = env.find("DRIFTWAY_CONFIG"); it != env.end() && !it->second.empty())
            file = it->second;
    }
    if (auto listen = cl.flag("listen")) env["DRIFTWAY_SERVER_LISTEN"] = *listen;
    if (auto data = cl.flag("data")) env["DRIFTWAY_STORAGE_DATA_DIR"] = *data;
    auto loaded = config::load(file, env);
    if (!loaded) return loaded.error();
    return *loaded;
}

std::string database_path(const config& c) {
    return c.storage.data_dir + "/driftway.db";
}

std::string jwt_key_path(const config& c) {
    return c.storage.data_dir + "/keys/jwt_ed25519.key";
}

}  // namespace driftway::app
