#pragma once
// The job runner of one node with everything it needs: its own thread and
// io_context (jobs never run on a shard thread, and a slow webhook cannot
// delay requests), an HTTP client, and the built-in job kinds (http_post).
// Construction starts it; stop() ends it. The store must outlive it and be
// closed only after stop() returned.
#include "driftway/jobs/runner.hpp"

#include <chrono>
#include <memory>

namespace driftway::jobs {

class node {
public:
    node(store::job_repository& jobs, runner_options options);
    ~node();  // stop(), if not done
    node(const node&) = delete;
    node& operator=(const node&) = delete;

    // Lets the jobs in hand finish for up to grace, then abandons the rest
    // (they run again after their lease) and joins the thread. Idempotent.
    void stop(std::chrono::milliseconds grace = std::chrono::seconds(5));

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace driftway::jobs
