#include "reports/atomic_file.hpp"

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <sys/stat.h>
#include <unistd.h>

namespace wscheck::reports {

namespace {

std::string errno_sentence(std::string_view what, const std::filesystem::path& p, int err) {
    return std::string{what} + " " + p.string() + ": " + std::strerror(err) + ".";
}

/// Writes all of `data` to `fd`, retrying short writes and EINTR; returns 0 or an errno.
int write_all(int fd, std::string_view data) noexcept {
    while (!data.empty()) {
        const ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return errno;
        }
        data.remove_prefix(static_cast<std::size_t>(n));
    }
    return 0;
}

/// A name no other writer in this process or another one uses at the same time.
std::filesystem::path temporary_name(const std::filesystem::path& target) {
    static std::atomic<unsigned> counter{0};
    std::string name = target.filename().string();
    name += ".tmp.";
    name += std::to_string(::getpid());
    name += '.';
    name += std::to_string(counter.fetch_add(1));
    return target.parent_path() / name;
}

std::string write_atomically(const std::filesystem::path& target, std::string_view content, durability d) {
    if (target.filename().empty()) {
        return "Cannot write a report to " + target.string() + ": it names a directory.";
    }
    std::filesystem::path dir = target.parent_path();
    if (!dir.empty()) {
        std::error_code ec;
        std::filesystem::create_directories(dir, ec);
        if (ec) {
            return "Cannot create the directory " + dir.string() + ": " + ec.message() + ".";
        }
    }
    const std::filesystem::path temp = temporary_name(target);
    // O_EXCL: never write through a file (or link) someone else put there.
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) {
        return errno_sentence("Cannot create", temp, errno);
    }
    int err = write_all(fd, content);
    std::string_view failed = "Cannot write";
    std::filesystem::path subject = temp;
    if (err == 0 && d == durability::synced && ::fsync(fd) != 0) {
        err = errno;
        failed = "Cannot flush";
    }
    if (::close(fd) != 0 && err == 0) {
        err = errno;
        failed = "Cannot close";
    }
    if (err == 0 && ::rename(temp.c_str(), target.c_str()) != 0) {
        err = errno;
        failed = "Cannot rename the temporary file over";
        subject = target;
    }
    if (err != 0) {
        ::unlink(temp.c_str());
        return errno_sentence(failed, subject, err);
    }
    // The rename is durable only once the directory entry is on disk; a failure here leaves
    // the new report in place, so it is not reported.
    if (d == durability::unsynced) {
        return {};
    }
    const std::filesystem::path sync_dir = dir.empty() ? std::filesystem::path{"."} : dir;
    const int dfd = ::open(sync_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        (void)::fsync(dfd);
        ::close(dfd);
    }
    return {};
}

} // namespace

std::string write_file_atomically(const std::filesystem::path& target, std::string_view content,
                                  durability d) noexcept {
    try {
        return write_atomically(target, content, d);
    } catch (const std::exception& e) {
        return "Cannot write " + target.string() + ": " + e.what() + ".";
    } catch (...) {
        return "Cannot write the report: unexpected error.";
    }
}

std::string read_file(const std::filesystem::path& file, std::string& out,
                      std::size_t max_bytes) noexcept {
    try {
        std::ifstream in{file, std::ios::binary};
        if (!in) {
            return errno_sentence("Cannot open", file, errno != 0 ? errno : ENOENT);
        }
        out.clear();
        char buf[64 * 1024];
        while (in) {
            in.read(buf, sizeof buf);
            const auto n = static_cast<std::size_t>(in.gcount());
            if (out.size() + n > max_bytes) {
                return "Cannot read " + file.string() + ": it is larger than " +
                       std::to_string(max_bytes) + " bytes.";
            }
            out.append(buf, n);
        }
        if (in.bad()) {
            return "Cannot read " + file.string() + ": an I/O error occurred.";
        }
        return {};
    } catch (const std::exception& e) {
        return "Cannot read " + file.string() + ": " + e.what() + ".";
    } catch (...) {
        return "Cannot read " + file.string() + ": unexpected error.";
    }
}

} // namespace wscheck::reports
