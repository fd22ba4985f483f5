#pragma once
// Watches SIGINT/SIGTERM (stop) and SIGHUP (reload) on a thread of its own,
// so a busy shard cannot delay shutdown. Installed before the server starts:
// a signal that arrives early is not lost to its default action.
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <functional>
#include <thread>

namespace driftway::app {

class signal_watcher {
public:
    signal_watcher(std::function<void(int signal)> on_stop, std::function<void()> on_reload);
    ~signal_watcher();  // stops watching and joins the thread
    signal_watcher(const signal_watcher&) = delete;
    signal_watcher& operator=(const signal_watcher&) = delete;

private:
    void wait();

    boost::asio::io_context io_;
    boost::asio::signal_set signals_;
    std::function<void(int)> on_stop_;
    std::function<void()> on_reload_;
    std::thread thread_;
};

}  // namespace driftway::app
