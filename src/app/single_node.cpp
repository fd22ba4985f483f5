#include "single_node.hpp"

#include "text_node.hpp"

namespace driftway::app {

// One process: the text node with the voice service beside it, embedded
// storage and in-process bus unless the config names PostgreSQL and Redis.
int serve(const config& c, const std::string& version) {
    run_text_node(c, version, node_role::single);
    return 0;
}

}  // namespace driftway::app
