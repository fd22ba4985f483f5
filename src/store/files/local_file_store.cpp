// Uploaded files on local disk, content-addressed: root/ab/cd/<sha256>. A
// file is written to a temporary name in its final folder, fsynced, renamed
// over the final name (atomic on POSIX, so readers never see half a file)
// and the folder fsynced so the rename itself survives a crash.
//
// Disk I/O blocks, so it runs on a small pool owned by the store and never on
// the caller's (shard) thread; the awaiting coroutine resumes on its own
// executor (run_on).
#include "driftway/core/run_on.hpp"
#include "driftway/store/file_store.hpp"

#include <boost/asio/thread_pool.hpp>

#include <openssl/evp.h>

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <system_error>

namespace driftway::store {

namespace {

namespace fs = std::filesystem;

std::string sha256_hex(std::string_view bytes) {
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int len = 0;
    if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1 ||
        EVP_DigestUpdate(ctx.get(), bytes.data(), bytes.size()) != 1 ||
        EVP_DigestFinal_ex(ctx.get(), digest.data(), &len) != 1)
        throw std::runtime_error("file store: SHA-256 failed");
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    out.reserve(len * 2);
    for (unsigned i = 0; i < len; ++i) {
        out.push_back(hex[digest[i] >> 4]);
        out.push_back(hex[digest[i] & 0xf]);
    }
    return out;
}

// Keys come from the database, but a key is a path component: accept only
// what put() produces.
bool valid_key(std::string_view key) noexcept {
    if (key.size() != 64) return false;
    for (char c : key)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    return true;
}

[[noreturn]] void throw_errno(const char* what, const fs::path& p) {
    throw std::system_error(errno, std::generic_category(),
                            std::string("file store: ") + what + " " + p.string());
}

class unique_fd {
public:
    explicit unique_fd(int fd) noexcept : fd_(fd) {}
    unique_fd(const unique_fd&) = delete;
    unique_fd& operator=(const unique_fd&) = delete;
    ~unique_fd() {
        if (fd_ >= 0) ::close(fd_);
    }
    int get() const noexcept { return fd_; }
    // Closes now so that a failing close() is reported.
    int release_and_close() noexcept {
        const int r = ::close(fd_);
        fd_ = -1;
        return r;
    }

private:
    int fd_;
};

void write_all(int fd, std::string_view bytes, const fs::path& p) {
    while (!bytes.empty()) {
        const auto n = ::write(fd, bytes.data(), bytes.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            throw_errno("cannot write", p);
        }
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
}

void fsync_dir(const fs::path& dir) {
    unique_fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (fd.get() < 0) throw_errno("cannot open folder", dir);
    if (::fsync(fd.get()) != 0) throw_errno("cannot fsync folder", dir);
}

class local_file_store final : public file_store {
public:
    explicit local_file_store(fs::path root) : root_(std::move(root)), pool_(2) {
        fs::create_directories(root_);
    }

    ~local_file_store() override { pool_.join(); }

    boost::asio::awaitable<std::string> put(std::string bytes) override {
        co_return co_await run_on(pool_.get_executor(),
                                  [this, b = std::move(bytes)] { return write_file(b); });
    }

    boost::asio::awaitable<std::optional<std::string>> get(std::string sha256) override {
        if (!valid_key(sha256)) co_return std::nullopt;
        co_return co_await run_on(pool_.get_executor(),
                                  [this, key = std::move(sha256)] { return read_file(key); });
    }

private:
    fs::path path_of(const std::string& key) const {
        return root_ / key.substr(0, 2) / key.substr(2, 2) / key;
    }

    std::string write_file(const std::string& bytes) {
        auto key = sha256_hex(bytes);
        const auto final_path = path_of(key);
        std::error_code ec;
        // Same content, same key: a file already there holds these bytes.
        if (fs::exists(final_path, ec)) return key;
        const auto dir = final_path.parent_path();
        fs::create_directories(dir);
        const auto tmp = dir / (key + ".tmp." + std::to_string(::getpid()) + "." +
                                std::to_string(++temp_counter_));
        {
            unique_fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640));
            if (fd.get() < 0) throw_errno("cannot create", tmp);
            try {
                write_all(fd.get(), bytes, tmp);
                if (::fsync(fd.get()) != 0) throw_errno("cannot fsync", tmp);
                if (fd.release_and_close() != 0) throw_errno("cannot close", tmp);
            } catch (...) {
                fs::remove(tmp, ec);
                throw;
            }
        }
        if (::rename(tmp.c_str(), final_path.c_str()) != 0) {
            const int saved = errno;
            fs::remove(tmp, ec);
            errno = saved;
            throw_errno("cannot rename into", final_path);
        }
        fsync_dir(dir);
        return key;
    }

    std::optional<std::string> read_file(const std::string& key) const {
        const auto p = path_of(key);
        unique_fd fd(::open(p.c_str(), O_RDONLY | O_CLOEXEC));
        if (fd.get() < 0) {
            if (errno == ENOENT) return std::nullopt;
            throw_errno("cannot open", p);
        }
        std::string out;
        std::array<char, 64 << 10> buf{};
        for (;;) {
            const auto n = ::read(fd.get(), buf.data(), buf.size());
            if (n < 0) {
                if (errno == EINTR) continue;
                throw_errno("cannot read", p);
            }
            if (n == 0) break;
            out.append(buf.data(), static_cast<std::size_t>(n));
        }
        return out;
    }

    fs::path root_;
    boost::asio::thread_pool pool_;
    std::atomic<std::uint64_t> temp_counter_{0};
};

}  // namespace

std::unique_ptr<file_store> make_local_file_store(std::string root) {
    return std::make_unique<local_file_store>(fs::path(std::move(root)));
}

}  // namespace driftway::store
