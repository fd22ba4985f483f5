#include "sqlite/executor.hpp"

namespace driftway::store::sqlite {

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
    : writer_("dw-sqlite-w", one(std::move(writer)), std::move(before_commit)) {
    if (!readers.empty()) readers_ = std::make_unique<worker>("dw-sqlite-r", std::move(readers));
}

executor::~executor() {
    close();
}

void executor::close() {
    // The writer's connection closes last so that, as the last one open, it
    // checkpoints the WAL into the main database file.
    if (readers_) readers_->close();
    writer_.close();
}

}  // namespace driftway::store::sqlite
