// driftway: the single binary. `serve` runs every module in one process;
// `admin` holds the operator's commands.
#include "admin.hpp"
#include "admin_jobs.hpp"
#include "cli.hpp"
#include "gateway_node.hpp"
#include "settings.hpp"
#include "single_node.hpp"
#include "text_node.hpp"
#include "voice_node.hpp"

#include "driftway/core/log.hpp"

#include <iostream>

namespace {

constexpr const char* version = DRIFTWAY_VERSION;

void usage(std::ostream& out) {
    out << "usage:\n"
           "  driftway --version\n"
           "  driftway serve [--config FILE] [--listen HOST:PORT] [--data DIR]\n"
           "  driftway text [--config FILE] [--listen HOST:PORT] [--data DIR]\n"
           "      (the REST API and realtime gateway alone, for the cluster shape)\n"
           "  driftway voice [--config FILE] [--listen HOST:PORT] [--data DIR]\n"
           "      (the voice service alone: signaling on /voice, media on [voice] media_listen)\n"
           "  driftway gateway [--config FILE] [--listen HOST:PORT] [--data DIR]\n"
           "      (the REST proxy alone, in front of [proxy] text_upstreams)\n"
           "  driftway admin migrate [--config FILE] [--data DIR]\n"
           "  driftway admin create-owner --username NAME --email ADDRESS [--config FILE] "
           "[--data DIR]\n"
           "      (reads the password from standard input)\n"
           "  driftway admin dead-letters list [--limit N] [--before ID] [--json]\n"
           "  driftway admin dead-letters replay ID|--all\n"
           "  driftway admin dead-letters delete ID\n"
           "  driftway admin jobs enqueue-http-post --url URL --payload JSON\n";
}

int run(int argc, char** argv) {
    using namespace driftway;
    const auto cl = app::parse_command_line(argc, argv, {"version", "help", "json", "all"});
    if (cl.has_switch("version")) {
        std::cout << "driftway " << version << "\n";
        return 0;
    }
    if (cl.has_switch("help") || cl.command.empty()) {
        usage(cl.has_switch("help") ? std::cout : std::cerr);
        return cl.has_switch("help") ? 0 : 2;
    }
    auto settings = app::load_settings(cl);
    if (!settings) {
        std::cerr << "driftway: bad configuration: " << settings.error().message << "\n";
        return 2;
    }
    log::level level = log::level::info;
    log::parse_level(settings->log.level, level);
    log::set_level(level);

    const auto& cmd = cl.command;
    if (cmd[0] == "serve" && cmd.size() == 1) return app::serve(*settings, version);
    if (cmd[0] == "text" && cmd.size() == 1) return app::serve_text(*settings, version);
    if (cmd[0] == "voice" && cmd.size() == 1) return app::serve_voice(*settings, version);
    if (cmd[0] == "gateway" && cmd.size() == 1) return app::serve_gateway(*settings, version);
    if (cmd[0] == "admin" && cmd.size() == 2 && cmd[1] == "migrate")
        return app::admin_migrate(*settings);
    if (cmd[0] == "admin" && cmd.size() == 2 && cmd[1] == "create-owner")
        return app::admin_create_owner(*settings, cl);
    if (cmd[0] == "admin" && cmd.size() >= 2 && cmd[1] == "dead-letters")
        return app::admin_dead_letters(*settings, cl);
    if (cmd[0] == "admin" && cmd.size() >= 2 && cmd[1] == "jobs")
        return app::admin_jobs(*settings, cl);
    usage(std::cerr);
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        return run(argc, argv);
    } catch (const std::invalid_argument& e) {
        std::cerr << "driftway: " << e.what() << "\n";
        return 2;
    } catch (const std::exception& e) {
        driftway::log::error("fatal", {{"error", e.what()}});
        std::cerr << "driftway: " << e.what() << "\n";
        return 1;
    }
}
