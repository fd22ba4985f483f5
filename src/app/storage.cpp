#include "storage.hpp"

#include "settings.hpp"

#include <filesystem>

namespace driftway::app {

std::unique_ptr<store::backend> open_storage(const config& c, unsigned threads) {
    if (c.storage.driver == "postgres") {
        return store::make_postgres({.conninfo = c.storage.postgres_url,
                                     .pool_size = c.storage.postgres_pool_size,
                                     .migrate = true});
    }
    std::filesystem::create_directories(c.storage.data_dir);
    return store::make_sqlite({.path = database_path(c), .read_threads = threads, .migrate = true});
}

}  // namespace driftway::app
