#include "driftway/bus/redis_connection.hpp"

#include "driftway/core/log.hpp"

#include <hiredis/async.h>
#include <hiredis/hiredis.h>
#include <boost/asio/async_result.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <exception>

namespace driftway::bus {

namespace asio = boost::asio;

redis_reply to_redis_reply(const void* raw) {
    const auto* r = static_cast<const redisReply*>(raw);
    redis_reply out;
    if (!r) return redis_reply::failure("no reply");
    switch (r->type) {
        case REDIS_REPLY_STRING:
            out.type = redis_reply::kind::string;
            out.str.assign(r->str, r->len);
            break;
        case REDIS_REPLY_STATUS:
            out.type = redis_reply::kind::status;
            out.str.assign(r->str, r->len);
            break;
        case REDIS_REPLY_ERROR:
            out.type = redis_reply::kind::error;
            out.str.assign(r->str, r->len);
            break;
        case REDIS_REPLY_INTEGER:
            out.type = redis_reply::kind::integer;
            out.integer = r->integer;
            break;
        case REDIS_REPLY_ARRAY:
            out.type = redis_reply::kind::array;
            out.elements.reserve(r->elements);
            for (std::size_t i = 0; i < r->elements; ++i)
                out.elements.push_back(to_redis_reply(r->element[i]));
            break;
        default:
            out.type = redis_reply::kind::nil;
    }
    return out;
}

namespace {

// Watches one hiredis socket. hiredis owns the descriptor: it is released,
// never closed, when hiredis calls cleanup. Pending waits hold a shared_ptr,
// so a wait that completes after cleanup finds ac == nullptr and does nothing.
struct watcher : std::enable_shared_from_this<watcher> {
    watcher(const asio::any_io_executor& ex, int fd, redisAsyncContext* c)
        : descriptor(ex, fd), ac(c) {}
    asio::posix::stream_descriptor descriptor;
    redisAsyncContext* ac;
    bool want_read = false, want_write = false;
    bool reading = false, writing = false;

    void arm_read() {
        reading = true;
        descriptor.async_wait(asio::posix::descriptor_base::wait_read,
                              [self = shared_from_this()](boost::system::error_code ec) {
                                  self->reading = false;
                                  if (ec || !self->ac || !self->want_read) return;
                                  redisAsyncHandleRead(self->ac);  // may free the context
                                  if (self->ac && self->want_read && !self->reading)
                                      self->arm_read();
                              });
    }
    void arm_write() {
        writing = true;
        descriptor.async_wait(asio::posix::descriptor_base::wait_write,
                              [self = shared_from_this()](boost::system::error_code ec) {
                                  self->writing = false;
                                  if (ec || !self->ac || !self->want_write) return;
                                  redisAsyncHandleWrite(self->ac);
                                  if (self->ac && self->want_write && !self->writing)
                                      self->arm_write();
                              });
    }

    static void add_read(void* p) {
        auto* w = static_cast<watcher*>(p);
        w->want_read = true;
        if (!w->reading) w->arm_read();
    }
    static void del_read(void* p) { static_cast<watcher*>(p)->want_read = false; }
    static void add_write(void* p) {
        auto* w = static_cast<watcher*>(p);
        w->want_write = true;
        if (!w->writing) w->arm_write();
    }
    static void del_write(void* p) { static_cast<watcher*>(p)->want_write = false; }
};

}  // namespace

struct redis_connection::impl : std::enable_shared_from_this<impl> {
    impl(asio::any_io_executor ex, redis_options o)
        : executor(std::move(ex)),
          options(std::move(o)),
          timer(executor),
          backoff(options.min_backoff) {}

    asio::any_io_executor executor;
    redis_options options;
    asio::steady_timer timer;
    std::chrono::milliseconds backoff;
    std::function<void()> connected_hook;
    redisAsyncContext* ac = nullptr;  // null while waiting to reconnect
    std::shared_ptr<watcher> watch;   // of ac's socket
    bool started = false, stopping = false;
    std::atomic<bool> is_connected{false};
    std::atomic<std::uint64_t> connects{0};

    static void cleanup(void* p) {
        auto* w = static_cast<watcher*>(p);
        w->ac = nullptr;
        w->want_read = w->want_write = false;
        boost::system::error_code ec;
        w->descriptor.cancel(ec);
        (void)w->descriptor.release();
    }

    void connect() {
        if (stopping || ac) return;
        redisAsyncContext* c = redisAsyncConnect(options.host.c_str(), options.port);
        if (!c) return schedule_reconnect();
        if (c->err) {
            log::debug("redis connect failed", {{"error", c->errstr}, {"port", options.port}});
            redisAsyncFree(c);
            return schedule_reconnect();
        }
        ac = c;
        c->data = this;
        watch = std::make_shared<watcher>(executor, c->c.fd, c);
        c->ev.data = watch.get();
        c->ev.addRead = &watcher::add_read;
        c->ev.delRead = &watcher::del_read;
        c->ev.addWrite = &watcher::add_write;
        c->ev.delWrite = &watcher::del_write;
        c->ev.cleanup = &impl::cleanup;
        redisAsyncSetConnectCallback(c, &impl::on_connected);  // arms the first write wait
        redisAsyncSetDisconnectCallback(c, &impl::on_disconnected);
    }

    void schedule_reconnect() {
        if (stopping) return;
        timer.expires_after(backoff);
        backoff = std::min(backoff * 2, options.max_backoff);
        timer.async_wait([self = shared_from_this()](boost::system::error_code ec) {
            if (!ec) self->connect();
        });
    }

    // hiredis frees the context after a failed connect or a disconnect.
    static void on_connected(const redisAsyncContext* c, int status) {
        auto* self = static_cast<impl*>(c->data);
        if (status != REDIS_OK) {
            self->ac = nullptr;
            self->schedule_reconnect();
            return;
        }
        self->backoff = self->options.min_backoff;
        self->is_connected = true;
        self->connects.fetch_add(1);
        if (self->connected_hook) {
            try {
                self->connected_hook();
            } catch (const std::exception& e) {
                log::error("redis on_connect failed", {{"error", e.what()}});
            }
        }
    }
    static void on_disconnected(const redisAsyncContext* c, int status) {
        auto* self = static_cast<impl*>(c->data);
        self->ac = nullptr;
        self->is_connected = false;
        if (self->stopping) return;
        log::warn("redis connection lost",
                  {{"port", self->options.port}, {"clean", status == REDIS_OK}});
        self->schedule_reconnect();
    }

    static void on_reply(redisAsyncContext*, void* reply, void* privdata) {
        std::unique_ptr<callback> done(static_cast<callback*>(privdata));
        try {
            (*done)(reply ? to_redis_reply(reply) : redis_reply::failure("connection lost"));
        } catch (const std::exception& e) {
            log::error("redis reply handler failed", {{"error", e.what()}});
        }
    }

    // On the executor.
    void issue(const std::vector<std::string>& args, callback done) {
        if (!ac) return done(redis_reply::failure("not connected"));
        std::vector<const char*> argv;
        std::vector<std::size_t> lens;
        argv.reserve(args.size());
        lens.reserve(args.size());
        for (const auto& a : args) {
            argv.push_back(a.data());
            lens.push_back(a.size());
        }
        auto holder = std::make_unique<callback>(std::move(done));
        if (redisAsyncCommandArgv(ac, &impl::on_reply, holder.get(), static_cast<int>(argv.size()),
                                  argv.data(), lens.data()) == REDIS_OK) {
            (void)holder.release();  // on_reply owns it now
        } else {
            (*holder)(redis_reply::failure("command rejected"));
        }
    }
};

redis_connection::redis_connection(asio::any_io_executor executor, redis_options options)
    : impl_(std::make_shared<impl>(std::move(executor), std::move(options))) {}

redis_connection::~redis_connection() {
    impl_->stopping = true;
    impl_->timer.cancel();
    if (auto* c = impl_->ac) {
        impl_->ac = nullptr;
        redisAsyncFree(c);  // pending callbacks complete with failed
    }
}

void redis_connection::start() {
    asio::dispatch(impl_->executor, [self = impl_] {
        if (self->started) return;
        self->started = true;
        self->connect();
    });
}

void redis_connection::send(std::vector<std::string> args, callback done) {
    asio::post(impl_->executor,
               [self = impl_, args = std::move(args), done = std::move(done)]() mutable {
                   self->issue(args, std::move(done));
               });
}

void redis_connection::send_pipeline(std::vector<std::vector<std::string>> commands,
                                     std::function<void(std::vector<redis_reply>)> done) {
    asio::post(impl_->executor, [self = impl_, commands = std::move(commands),
                                 done = std::move(done)]() mutable {
        struct gather {
            std::vector<redis_reply> replies;
            std::size_t left;
            std::function<void(std::vector<redis_reply>)> done;
        };
        auto g = std::make_shared<gather>(
            gather{std::vector<redis_reply>(commands.size()), commands.size(), std::move(done)});
        if (commands.empty()) return g->done({});
        for (std::size_t i = 0; i < commands.size(); ++i)
            self->issue(commands[i], [g, i](redis_reply r) {
                g->replies[i] = std::move(r);
                if (--g->left == 0 && g->done) g->done(std::move(g->replies));
            });
    });
}

asio::awaitable<redis_reply> redis_connection::command(std::vector<std::string> args) {
    co_return co_await asio::async_initiate<const asio::use_awaitable_t<>&, void(redis_reply)>(
        [this](auto handler, std::vector<std::string> a) {
            auto h = std::make_shared<decltype(handler)>(std::move(handler));
            send(std::move(a), [h](redis_reply r) {
                auto ex = asio::get_associated_executor(*h);
                asio::post(ex, [h, r = std::move(r)]() mutable { (*h)(std::move(r)); });
            });
        },
        asio::use_awaitable, std::move(args));
}

void redis_connection::on_connect(std::function<void()> f) {
    impl_->connected_hook = std::move(f);
}

bool redis_connection::send_persistent(const std::vector<std::string>& args,
                                       persistent_handler* handler) {
    auto* c = impl_->ac;
    if (!c) return false;
    std::vector<const char*> argv;
    std::vector<std::size_t> lens;
    for (const auto& a : args) {
        argv.push_back(a.data());
        lens.push_back(a.size());
    }
    // hiredis keeps a SUBSCRIBE callback for every message of its channels.
    return redisAsyncCommandArgv(
               c,
               [](redisAsyncContext*, void* reply, void* priv) {
                   static_cast<persistent_handler*>(priv)->on_reply(reply);
               },
               handler, static_cast<int>(argv.size()), argv.data(), lens.data()) == REDIS_OK;
}

bool redis_connection::connected() const noexcept {
    return impl_->is_connected.load();
}

std::uint64_t redis_connection::connect_count() const noexcept {
    return impl_->connects.load();
}

const asio::any_io_executor& redis_connection::executor() const noexcept {
    return impl_->executor;
}

}  // namespace driftway::bus
