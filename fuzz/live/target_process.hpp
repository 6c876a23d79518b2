// `wscheck fuzz --exec CMD`: the server under test, started by us, so that a crash does not
// end the run. The process group handling is runner::client_process's (the one `wscheck
// test-client --exec` uses): /bin/sh -c in a group of its own, only that group ever signalled.
// Here the server's output also goes to a log file, and a start waits until the port accepts.
#pragma once

#include "harness/net/url.hpp"
#include "harness/runner/client_process.hpp"

#include <chrono>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>

namespace wscheck::fuzz {

class target_process {
public:
    /// Nothing runs until start(). `log_file` receives the server's stdout and stderr (appended).
    target_process(std::string command, std::filesystem::path log_file);
    /// stop().
    ~target_process();
    target_process(const target_process&) = delete;
    target_process& operator=(const target_process&) = delete;

    /// Starts the command and waits until `url`'s port accepts a TCP connection, at most
    /// `ready_timeout`. False, with `error` set to one sentence, when it cannot be started,
    /// exits first, or does not listen in time (it is then stopped).
    bool start(const net::ws_url& url, std::chrono::milliseconds ready_timeout, std::string& error);
    /// stop(), then start().
    bool restart(const net::ws_url& url, std::chrono::milliseconds ready_timeout, std::string& error);
    /// Once the process has exited: how ("exited with status 3", "was killed by signal 6
    /// (Aborted)"); nullopt while it runs (or when none was started). Safe to call from several
    /// threads (the fuzzer's workers); start, restart and stop are not.
    std::optional<std::string> exit_description();
    /// Waits up to `timeout` for the process to exit (a crash in progress); exit_description().
    std::optional<std::string> wait_exit(std::chrono::milliseconds timeout);
    /// SIGTERM to the group, SIGKILL after 2 s, reaped. Idempotent.
    void stop() noexcept;
    /// Times start() succeeded, minus one: restarts after the first start.
    unsigned restarts() const noexcept { return starts_ == 0 ? 0 : starts_ - 1; }
    const std::string& command() const noexcept { return command_; }

private:
    std::string command_;
    std::filesystem::path log_file_;
    std::optional<runner::client_process> process_;
    unsigned starts_ = 0;
    std::mutex exit_mutex_; ///< guards the reaping in exit_description()
};

/// True when something accepts TCP connections on host:port within `timeout`.
bool port_accepts(const net::ws_url& url, std::chrono::milliseconds timeout);

} // namespace wscheck::fuzz
