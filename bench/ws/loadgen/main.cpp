// ws_loadgen: load for bench/ws. See options.cpp for the modes and
// bench/ws/run for how the benchmark uses them.
#include "modes.hpp"
#include "options.hpp"

#include <csignal>
#include <cstdio>
#include <exception>

int main(int argc, char** argv) {
    std::signal(SIGPIPE, SIG_IGN);
    std::string error;
    auto opts = loadgen::parse_options(argc, argv, error);
    if (!opts) {
        std::fprintf(stderr, "%s\n", error.c_str());
        return 2;
    }
    try {
        if (opts->mode == "idle") return loadgen::run_idle(*opts);
        if (opts->mode == "burst") return loadgen::run_burst(*opts);
        if (opts->mode == "chat") return loadgen::run_chat(*opts);
        return loadgen::run_inserts(*opts);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "ws_loadgen: %s\n", e.what());
        return 1;
    }
}
