#include "harness/runner/client_process.hpp"

#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace wscheck::runner {

std::optional<client_process> client_process::start(const std::string& command, std::string& error) {
    const pid_t pid = ::fork();
    if (pid < 0) {
        error = std::string{"cannot start the client: "} + std::strerror(errno);
        return std::nullopt;
    }
    if (pid == 0) {
        // The child: its own process group, so that kill_group reaches what the command starts
        // (and not wscheck, nor the terminal's foreground group, which gets Ctrl-C).
        ::setpgid(0, 0);
        const int null = ::open("/dev/null", O_RDONLY);
        if (null >= 0) {
            ::dup2(null, STDIN_FILENO);
            ::close(null);
        }
        ::execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
        ::_exit(127);
    }
    ::setpgid(pid, pid); // also here: whichever runs first, the group exists before we signal it
    return client_process{pid};
}

client_process::~client_process() {
    if (pid_ > 0) {
        kill_group(std::chrono::milliseconds{500});
    }
}

bool client_process::exited() {
    if (status_) {
        return true;
    }
    if (pid_ <= 0) {
        return true;
    }
    int st = 0;
    const pid_t r = ::waitpid(pid_, &st, WNOHANG);
    if (r == pid_) {
        status_ = st;
        return true;
    }
    return false;
}

void client_process::kill_group(std::chrono::milliseconds grace) {
    if (pid_ <= 0) {
        return;
    }
    ::kill(-pid_, SIGTERM);
    const auto until = std::chrono::steady_clock::now() + grace;
    // Bounded: polls the shell every 20 ms until it is gone or the grace period is over.
    while (!exited() && std::chrono::steady_clock::now() < until) {
        std::this_thread::sleep_for(std::chrono::milliseconds{20});
    }
    ::kill(-pid_, SIGKILL); // whatever is left of the group (ESRCH when nothing is)
    if (!status_) {
        int st = 0;
        if (::waitpid(pid_, &st, 0) == pid_) {
            status_ = st;
        }
    }
}

std::string client_process::describe_exit() const {
    if (!status_) {
        return "";
    }
    const int st = *status_;
    if (WIFEXITED(st)) {
        return "exited with status " + std::to_string(WEXITSTATUS(st));
    }
    if (WIFSIGNALED(st)) {
        const int sig = WTERMSIG(st);
        const char* name = ::strsignal(sig);
        return "was killed by signal " + std::to_string(sig) + (name ? " (" + std::string{name} + ")" : "");
    }
    return "ended";
}

bool client_process::succeeded() const noexcept {
    return status_ && WIFEXITED(*status_) && WEXITSTATUS(*status_) == 0;
}

} // namespace wscheck::runner
