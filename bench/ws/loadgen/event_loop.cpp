#include "event_loop.hpp"

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

namespace loadgen {

namespace {

[[noreturn]] void fail(const char* what) {
    throw std::runtime_error(std::string(what) + ": " + std::strerror(errno));
}

}  // namespace

event_loop::event_loop() : epoll_(epoll_create1(EPOLL_CLOEXEC)), ready_(1024) {
    if (!epoll_) fail("epoll_create1");
}

void event_loop::add(int fd, std::uint32_t events, io_handler* handler) {
    epoll_event ev{};
    ev.events = events;
    ev.data.ptr = handler;
    if (epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd, &ev) != 0) fail("epoll_ctl add");
}

void event_loop::modify(int fd, std::uint32_t events, io_handler* handler) {
    epoll_event ev{};
    ev.events = events;
    ev.data.ptr = handler;
    if (epoll_ctl(epoll_.get(), EPOLL_CTL_MOD, fd, &ev) != 0) fail("epoll_ctl mod");
}

void event_loop::remove(int fd) {
    epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, fd, nullptr);
}

void event_loop::poll(int timeout_ms) {
    int n = epoll_wait(epoll_.get(), ready_.data(), static_cast<int>(ready_.size()), timeout_ms);
    if (n < 0) {
        if (errno == EINTR) return;
        fail("epoll_wait");
    }
    for (int i = 0; i < n; ++i) {
        static_cast<io_handler*>(ready_[static_cast<std::size_t>(i)].data.ptr)
            ->on_io(ready_[static_cast<std::size_t>(i)].events);
    }
}

}  // namespace loadgen
