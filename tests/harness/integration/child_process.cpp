#include "tests/harness/integration/child_process.hpp"

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace wscheck::test {

child_process::child_process(std::vector<std::string> argv, std::vector<std::string> extra_env) {
    int out_pipe[2];
    int err_pipe[2];
    if (pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0) {
        throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out_pipe[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, err_pipe[1], STDERR_FILENO);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);

    std::vector<std::string> env_strings;
    for (char** e = environ; *e != nullptr; ++e) {
        env_strings.emplace_back(*e);
    }
    for (auto& extra : extra_env) {
        env_strings.push_back(std::move(extra));
    }
    std::vector<char*> env;
    for (auto& s : env_strings) {
        env.push_back(s.data());
    }
    env.push_back(nullptr);
    std::vector<char*> args;
    for (auto& a : argv) {
        args.push_back(a.data());
    }
    args.push_back(nullptr);

    const int rc = posix_spawnp(&pid_, args[0], &actions, nullptr, args.data(), env.data());
    posix_spawn_file_actions_destroy(&actions);
    close(out_pipe[1]);
    close(err_pipe[1]);
    out_fd_ = out_pipe[0];
    err_fd_ = err_pipe[0];
    if (rc != 0) {
        close(out_fd_);
        close(err_fd_);
        out_fd_ = err_fd_ = -1;
        pid_ = -1;
        throw std::runtime_error("cannot start " + argv[0] + ": " + std::strerror(rc));
    }
}

child_process::~child_process() {
    if (pid_ > 0 && !status_) {
        kill(pid_, SIGKILL);
        waitpid(pid_, nullptr, 0);
    }
    if (out_fd_ >= 0) {
        close(out_fd_);
    }
    if (err_fd_ >= 0) {
        close(err_fd_);
    }
}

void child_process::send_signal(int sig) noexcept {
    if (pid_ > 0 && !status_) {
        kill(pid_, sig);
    }
}

template <typename Stop>
void child_process::pump(std::chrono::steady_clock::time_point deadline, Stop stop) {
    while (!stop() && (out_fd_ >= 0 || err_fd_ >= 0)) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            return;
        }
        pollfd fds[2] = {{out_fd_, POLLIN, 0}, {err_fd_, POLLIN, 0}};
        const int ready = poll(fds, 2, static_cast<int>(std::min<long long>(left.count(), 1000)));
        if (ready < 0 && errno != EINTR) {
            return;
        }
        for (int i = 0; i < 2; ++i) {
            if (fds[i].fd < 0 || fds[i].revents == 0) {
                continue;
            }
            char buf[65536];
            const ssize_t n = read(fds[i].fd, buf, sizeof buf);
            if (n <= 0) {
                close(fds[i].fd);
                (i == 0 ? out_fd_ : err_fd_) = -1;
                continue;
            }
            (i == 0 ? out_ : err_).append(buf, static_cast<std::size_t>(n));
        }
    }
}

std::optional<std::string> child_process::read_line(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    pump(deadline, [&] { return out_.find('\n', out_read_) != std::string::npos; });
    const auto end = out_.find('\n', out_read_);
    if (end == std::string::npos) {
        return std::nullopt;
    }
    std::string line = out_.substr(out_read_, end - out_read_);
    out_read_ = end + 1;
    return line;
}

std::optional<int> child_process::wait(std::chrono::milliseconds timeout) {
    if (status_) {
        return status_;
    }
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    pump(deadline, [] { return false; }); // until both pipes close (or the deadline)
    for (;;) {
        int status = 0;
        const pid_t r = waitpid(pid_, &status, WNOHANG);
        if (r == pid_) {
            status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            return status_;
        }
        if (std::chrono::steady_clock::now() >= deadline) {
            kill(pid_, SIGKILL);
            waitpid(pid_, nullptr, 0);
            status_ = 128 + SIGKILL;
            return std::nullopt;
        }
        usleep(10'000);
    }
}

bool running_in_ci() {
    const char* ci = std::getenv("CI");
    return ci != nullptr && *ci != '\0';
}

bool command_succeeds(const std::vector<std::string>& argv,
                      const std::vector<std::string>& extra_env) {
    try {
        child_process child(argv, extra_env);
        const auto status = child.wait(std::chrono::seconds(20));
        return status && *status == 0;
    } catch (const std::exception&) {
        return false;
    }
}

} // namespace wscheck::test
