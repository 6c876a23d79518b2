#include "fuzz/live/target_process.hpp"

#include "harness/net/stream.hpp"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <thread>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace wscheck::fuzz {

namespace {

std::string describe_status(int status) {
    if (WIFEXITED(status)) {
        const int code = WEXITSTATUS(status);
        std::string how = "exited with status " + std::to_string(code);
        // A shell that waited for the command reports its death by signal N as 128 + N.
        if (code > 128 && code < 128 + 65) {
            const char* name = strsignal(code - 128);
            how += " (the shell's report of the command killed by signal " + std::to_string(code - 128) +
                   (name != nullptr ? std::string{" ("} + name + ")" : "") + ")";
        }
        return how;
    }
    if (WIFSIGNALED(status)) {
        const int sig = WTERMSIG(status);
        const char* name = strsignal(sig);
        return "killed by signal " + std::to_string(sig) + (name != nullptr ? std::string{" ("} + name + ")" : "");
    }
    return "ended (status " + std::to_string(status) + ")";
}

} // namespace

bool port_accepts(const net::ws_url& url, std::chrono::milliseconds timeout) {
    net::asio::io_context io;
    auto s = net::stream::make_client(io); // TCP only: TLS readiness is the probe's business
    bool done = false;
    std::error_code result;
    s->async_connect(url.host, url.port, timeout, [&](std::error_code ec) {
        result = ec;
        done = true;
    });
    net::run_until(io, [&] { return done; }, net::clock::now() + timeout + std::chrono::milliseconds{200});
    s->close();
    io.restart();
    io.run_for(std::chrono::milliseconds{50});
    return done && !result;
}

target_process::target_process(std::string command, std::filesystem::path log_file)
    : command_(std::move(command)), log_file_(std::move(log_file)) {}

target_process::~target_process() {
    stop();
}

bool target_process::start(const net::ws_url& url, std::chrono::milliseconds ready_timeout, std::string& error) {
    stop();
    const int log_fd = ::open(log_file_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (log_fd < 0) {
        error = "cannot open " + log_file_.string() + ": " + std::strerror(errno);
        return false;
    }
    const pid_t pid = ::fork();
    if (pid < 0) {
        error = std::string{"cannot start the server: "} + std::strerror(errno);
        ::close(log_fd);
        return false;
    }
    if (pid == 0) {
        // The child: a process group of its own (so that stop() reaches what the shell starts
        // and our terminal's Ctrl-C does not), default signal handling, output to the log.
        ::setpgid(0, 0);
        ::signal(SIGINT, SIG_DFL);
        ::signal(SIGTERM, SIG_DFL);
        ::signal(SIGPIPE, SIG_DFL);
        ::dup2(log_fd, STDOUT_FILENO);
        ::dup2(log_fd, STDERR_FILENO);
        const int null_fd = ::open("/dev/null", O_RDONLY);
        if (null_fd >= 0) {
            ::dup2(null_fd, STDIN_FILENO);
        }
        for (int fd = 3; fd < 1024; ++fd) {
            ::close(fd);
        }
        ::execl("/bin/sh", "sh", "-c", command_.c_str(), static_cast<char*>(nullptr));
        ::_exit(127);
    }
    ::setpgid(pid, pid); // also here: whichever runs first, the group exists before we signal it
    ::close(log_fd);
    pid_ = pid;
    exit_.reset();

    const auto deadline = std::chrono::steady_clock::now() + ready_timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (const auto how = exit_description()) {
            error = "the server command " + *how + " before listening (its output is in " + log_file_.string() + ")";
            pid_ = -1;
            return false;
        }
        if (port_accepts(url, std::chrono::milliseconds{200})) {
            ++starts_;
            return true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds{20});
    }
    stop();
    error = "the server command did not listen on port " + std::to_string(url.port) + " within " +
            std::to_string(ready_timeout.count()) + " ms (its output is in " + log_file_.string() + ")";
    return false;
}

bool target_process::restart(const net::ws_url& url, std::chrono::milliseconds ready_timeout, std::string& error) {
    stop();
    return start(url, ready_timeout, error);
}

std::optional<std::string> target_process::exit_description() {
    const std::lock_guard lock{exit_mutex_};
    if (exit_ || pid_ <= 0) {
        return exit_;
    }
    int status = 0;
    const pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
        exit_ = describe_status(status);
    }
    return exit_;
}

std::optional<std::string> target_process::wait_exit(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        if (auto how = exit_description()) {
            return how;
        }
        if (std::chrono::steady_clock::now() >= deadline) {
            return std::nullopt;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds{10});
    }
}

void target_process::stop() noexcept {
    if (pid_ <= 0) {
        return;
    }
    // The group too: the shell may have started the server as its child. A group whose
    // leader has exited may still hold that child, so it is signalled whatever exit_ says.
    ::kill(-pid_, SIGTERM);
    if (!exit_) {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{2};
        while (!exit_description() && std::chrono::steady_clock::now() < deadline) {
            std::this_thread::sleep_for(std::chrono::milliseconds{10});
        }
    }
    ::kill(-pid_, SIGKILL);
    if (!exit_) {
        int status = 0;
        ::waitpid(pid_, &status, 0);
    }
    pid_ = -1;
    exit_.reset();
}

} // namespace wscheck::fuzz
