// The client under test, started by `wscheck test-client --exec 'CMD {url}'`: a shell command
// in a process group of its own, so that ending it ends whatever it started and nothing else.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <sys/types.h>

namespace wscheck::runner {

class client_process {
public:
    /// Runs `/bin/sh -c command` in a new process group, stdin from /dev/null. nullopt and
    /// `error` (one sentence) when it cannot be started.
    static std::optional<client_process> start(const std::string& command, std::string& error);

    client_process(client_process&& other) noexcept : pid_(other.pid_), status_(other.status_) { other.pid_ = -1; }
    client_process& operator=(client_process&&) = delete;
    client_process(const client_process&) = delete;
    /// Ends the group if it still runs (kill_group).
    ~client_process();

    /// True once the shell has exited (checked without blocking).
    bool exited();
    /// SIGTERM to the group, up to `grace` for it to go, then SIGKILL; reaps the shell.
    /// Called when the run ends, also after a normal exit, for anything left in the group.
    void kill_group(std::chrono::milliseconds grace = std::chrono::milliseconds{2000});
    /// "exited with status 0", "was killed by signal 11 (Segmentation fault)"; "" while it runs.
    std::string describe_exit() const;
    /// True when it exited with status 0.
    bool succeeded() const noexcept;

private:
    explicit client_process(pid_t pid) : pid_(pid) {}
    pid_t pid_ = -1;           ///< also the process group id; -1 once moved from
    std::optional<int> status_; ///< waitpid status once reaped
};

} // namespace wscheck::runner
