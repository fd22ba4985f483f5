#include "cli.hpp"

#include <algorithm>
#include <stdexcept>

namespace driftway::app {

std::optional<std::string> command_line::flag(const std::string& name) const {
    auto it = flags.find(name);
    if (it == flags.end()) return std::nullopt;
    return it->second;
}

bool command_line::has_switch(const std::string& name) const {
    return std::find(switches.begin(), switches.end(), name) != switches.end();
}

command_line parse_command_line(int argc, char** argv, const std::vector<std::string>& switches) {
    command_line out;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        if (arg.rfind("--", 0) != 0) {
            out.command.push_back(arg);
            continue;
        }
        std::string name = arg.substr(2);
        if (const auto eq = name.find('='); eq != std::string::npos) {
            out.flags[name.substr(0, eq)] = name.substr(eq + 1);
            continue;
        }
        if (std::find(switches.begin(), switches.end(), name) != switches.end()) {
            out.switches.push_back(name);
            continue;
        }
        if (i + 1 >= argc) throw std::invalid_argument("--" + name + " needs a value");
        out.flags[name] = argv[++i];
    }
    return out;
}

}  // namespace driftway::app
