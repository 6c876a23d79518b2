// wscheck: WebSocket (RFC 6455) conformance test harness. The subcommands are in cmd_*.cpp.
#include "harness/cli/commands.hpp"
#include "harness/net/setup_error.hpp"

#include <CLI/CLI.hpp>

#include <exception>
#include <iostream>

int main(int argc, char** argv) {
    using namespace wscheck::cli;

    CLI::App app{"wscheck: a WebSocket (RFC 6455) conformance test harness and reference peer",
                 "wscheck"};
    app.require_subcommand(1);
    app.set_version_flag("--version", "wscheck 0.1.0");
    app.footer("Exit status: 0 success, 1 the peer failed, 2 bad arguments or environment.");

    int status = exit_ok;
    add_serve_command(app, status);
    add_send_command(app, status);
    add_test_command(app, status);
    add_report_command(app, status);
    add_compare_command(app, status);
    add_fuzz_command(app, status);
    add_test_client_command(app, status);
    add_echo_client_command(app, status);

    // Every failure is one line on stderr: no stack traces, no exception dumps.
    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        // CLI11 reports a mistyped subcommand as "A subcommand is required": name it instead.
        if (argc > 1 && argv[1][0] != '-' && app.get_subcommands().empty()) {
            std::cerr << "wscheck: unknown subcommand '" << argv[1] << "' (see wscheck --help)\n";
            return exit_usage;
        }
        std::cerr << "wscheck: " << e.what() << " (see wscheck --help)\n";
        return exit_usage;
    } catch (const usage_error& e) {
        std::cerr << "wscheck: " << e.what() << "\n";
        return exit_usage;
    } catch (const wscheck::net::setup_error& e) {
        std::cerr << "wscheck: " << e.what() << "\n";
        return exit_usage;
    } catch (const std::exception& e) {
        std::cerr << "wscheck: internal error: " << e.what() << "\n";
        return exit_usage;
    }
    return status;
}
