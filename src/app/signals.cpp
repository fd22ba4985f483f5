#include "signals.hpp"

#include <csignal>

namespace driftway::app {

signal_watcher::signal_watcher(std::function<void(int)> on_stop, std::function<void()> on_reload)
    : signals_(io_, SIGINT, SIGTERM, SIGHUP),
      on_stop_(std::move(on_stop)),
      on_reload_(std::move(on_reload)) {
    wait();
    thread_ = std::thread([this] { io_.run(); });
}

signal_watcher::~signal_watcher() {
    io_.stop();
    if (thread_.joinable()) thread_.join();
}

void signal_watcher::wait() {
    signals_.async_wait([this](const boost::system::error_code& ec, int sig) {
        if (ec) return;
        if (sig == SIGHUP)
            on_reload_();
        else
            on_stop_(sig);
        wait();
    });
}

}  // namespace driftway::app
