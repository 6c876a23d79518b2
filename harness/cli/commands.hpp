// The wscheck subcommands. Each lives in its own cmd_<name>.cpp and registers itself on the
// top-level CLI11 app; main.cpp calls every add_*_command and maps errors to exit statuses.
//
// To add a subcommand: write cmd_<name>.cpp with add_<name>_command(), declare it below, call
// it from main.cpp, and list the file in CMakeLists.txt.
#pragma once

#include <stdexcept>
#include <string>

namespace CLI {
class App;
}

namespace wscheck::cli {

/// Exit statuses shared by every subcommand (as h2spec's): 0 everything passed; 1 the peer
/// failed (a check, an echo, a handshake); 2 the command could not do its job (bad arguments,
/// unreachable host, port in use, unreadable file).
inline constexpr int exit_ok = 0;
inline constexpr int exit_failed = 1;
inline constexpr int exit_usage = 2;

/// Thrown by a subcommand for a problem with what the user asked for or with the
/// environment; main prints "wscheck: <what()>" on one line and exits with exit_usage.
class usage_error : public std::runtime_error {
public:
    explicit usage_error(const std::string& what) : std::runtime_error(what) {}
};

/// Each adds its subcommand to `app`; the subcommand's callback runs it and stores its exit
/// status in `status`.
void add_serve_command(CLI::App& app, int& status);
void add_send_command(CLI::App& app, int& status);
void add_test_command(CLI::App& app, int& status);
void add_report_command(CLI::App& app, int& status);
void add_compare_command(CLI::App& app, int& status);
void add_fuzz_command(CLI::App& app, int& status);
void add_test_client_command(CLI::App& app, int& status);
void add_echo_client_command(CLI::App& app, int& status);

} // namespace wscheck::cli
