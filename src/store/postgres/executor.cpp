#include "postgres/executor.hpp"

namespace driftway::store::postgres {

namespace {

std::vector<std::unique_ptr<connection>> one(std::unique_ptr<connection> c) {
    std::vector<std::unique_ptr<connection>> v;
    v.push_back(std::move(c));
    return v;
}

}  // namespace

executor::executor(std::unique_ptr<connection> writer,
                   std::vector<std::unique_ptr<connection>> readers,
                   worker::commit_hook before_commit)
    : writer_("dw-pg-w", one(std::move(writer)), std::move(before_commit)) {
    if (!readers.empty()) readers_ = std::make_unique<worker>("dw-pg-r", std::move(readers));
}

executor::~executor() {
    close();
}

void executor::close() {
    // Readers first: the writer may still be finishing queued writes.
    if (readers_) readers_->close();
    writer_.close();
}

}  // namespace driftway::store::postgres
