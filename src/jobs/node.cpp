#include "driftway/jobs/node.hpp"

#include "driftway/core/log.hpp"
#include "driftway/jobs/http_post.hpp"
#include "driftway/net/http_client.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <future>
#include <thread>

namespace driftway::jobs {

namespace asio = boost::asio;

struct node::impl {
    asio::io_context io{1};
    net::http_client client;
    runner run;
    std::promise<void> finished;
    std::thread thread;
    bool stopped = false;

    impl(store::job_repository& jobs, runner_options options)
        : run(io.get_executor(), jobs, std::move(options)) {
        run.add_handler(std::string(http_post_kind), make_http_post_handler(client));
        asio::co_spawn(io, run.run(), [this](std::exception_ptr e) {
            if (e) {
                try {
                    std::rethrow_exception(e);
                } catch (const std::exception& ex) {
                    log::error("job runner failed", {{"error", ex.what()}});
                }
            }
            finished.set_value();
        });
        thread = std::thread([this] { io.run(); });
    }
};

node::node(store::job_repository& jobs, runner_options options)
    : impl_(std::make_unique<impl>(jobs, std::move(options))) {}

node::~node() {
    stop();
}

void node::stop(std::chrono::milliseconds grace) {
    if (!impl_ || impl_->stopped) return;
    impl_->stopped = true;
    impl_->run.stop();
    if (impl_->finished.get_future().wait_for(grace) != std::future_status::ready)
        log::warn("job runner did not finish in time; its jobs run again after their lease");
    // Connections kept alive by the client would keep io.run() going.
    impl_->io.stop();
    impl_->thread.join();
}

}  // namespace driftway::jobs
