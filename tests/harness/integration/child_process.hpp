// A child process for the integration tests (third-party peers, the wscheck binary): stdout
// and stderr are captured, every wait has a deadline, and the destructor kills what is left.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <sys/types.h>

namespace wscheck::test {

class child_process {
public:
    /// Starts argv[0] (a path, or a name looked up in PATH) with `extra_env` ("NAME=value")
    /// added to our environment. Throws std::runtime_error if it cannot be started.
    explicit child_process(std::vector<std::string> argv, std::vector<std::string> extra_env = {});
    ~child_process();
    child_process(const child_process&) = delete;
    child_process& operator=(const child_process&) = delete;

    /// The next line of stdout, without its newline; nullopt on EOF or timeout.
    std::optional<std::string> read_line(std::chrono::milliseconds timeout);
    /// Waits for the exit; the exit status, 128+signal when killed by one, or nullopt on
    /// timeout (the process is then killed).
    std::optional<int> wait(std::chrono::milliseconds timeout);
    void send_signal(int sig) noexcept;

    /// Everything read from stdout / stderr so far (wait() reads to the end).
    const std::string& out() const noexcept { return out_; }
    const std::string& err() const noexcept { return err_; }

private:
    // Reads what is available on both pipes until `deadline`, or until `stop()` holds.
    template <typename Stop>
    void pump(std::chrono::steady_clock::time_point deadline, Stop stop);

    pid_t pid_ = -1;
    int out_fd_ = -1;
    int err_fd_ = -1;
    std::string out_;
    std::size_t out_read_ = 0; // bytes of out_ returned by read_line()
    std::string err_;
    std::optional<int> status_;
};

/// True when the environment variable CI is set (and not empty): missing peers then fail the
/// tests instead of skipping them.
bool running_in_ci();

/// Whether a program runs: `argv` exits 0 within a few seconds.
bool command_succeeds(const std::vector<std::string>& argv,
                      const std::vector<std::string>& extra_env = {});

} // namespace wscheck::test
