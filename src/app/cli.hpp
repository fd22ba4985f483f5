#pragma once
// Command-line parsing for `driftway <command> [flags]`.
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace driftway::app {

struct command_line {
    std::vector<std::string> command;          // e.g. {"serve"} or {"admin", "migrate"}
    std::map<std::string, std::string> flags;  // --name value / --name=value
    std::vector<std::string> switches;         // flags without a value (--help)

    std::optional<std::string> flag(const std::string& name) const;
    bool has_switch(const std::string& name) const;
};

// Flags that take no value; every other --flag takes one.
command_line parse_command_line(int argc, char** argv, const std::vector<std::string>& switches);

}  // namespace driftway::app
