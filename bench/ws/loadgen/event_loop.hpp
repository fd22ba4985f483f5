#pragma once
// A level-triggered epoll loop. Handlers are plain pointers: whoever
// registers one keeps it alive until the loop is gone (objects are never
// freed while a batch of events may still name them).
#include "unique_fd.hpp"

#include <sys/epoll.h>

#include <cstdint>
#include <vector>

namespace loadgen {

class io_handler {
public:
    virtual void on_io(std::uint32_t events) = 0;

protected:
    ~io_handler() = default;
};

class event_loop {
public:
    event_loop();

    void add(int fd, std::uint32_t events, io_handler* handler);
    void modify(int fd, std::uint32_t events, io_handler* handler);
    // Closing the descriptor also removes it; this is for descriptors kept open.
    void remove(int fd);

    // Waits up to timeout_ms and runs the handlers of every ready descriptor.
    void poll(int timeout_ms);

private:
    unique_fd epoll_;
    std::vector<epoll_event> ready_;
};

}  // namespace loadgen
