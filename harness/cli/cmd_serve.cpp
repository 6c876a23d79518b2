// wscheck serve: run the reference echo server until SIGINT or SIGTERM.
#include "harness/cli/commands.hpp"
#include "harness/server/reference_server.hpp"

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <csignal>
#include <iostream>
#include <memory>

namespace wscheck::cli {

namespace {

struct serve_args {
    server::server_options options;
    bool deflate = false;
    proto::deflate_server_policy deflate_policy;
    // CLI11 would read a std::uint8_t as a character: window bits are parsed as unsigned.
    unsigned server_max_window_bits = proto::max_window_bits;
    unsigned client_max_window_bits = proto::max_window_bits;
    double idle_timeout_s = 60;
    double handshake_timeout_s = 10;
    bool verbose = false;
};

std::chrono::milliseconds to_ms(double seconds, const char* option) {
    if (!(seconds > 0) || seconds > 86400) {
        throw usage_error(std::string(option) + " must be more than 0 and at most 86400 seconds");
    }
    return std::chrono::milliseconds(static_cast<long long>(seconds * 1000));
}

int run_serve(serve_args& args) {
    auto& options = args.options;
    if (options.cert_file.empty() != options.key_file.empty()) {
        throw usage_error("--cert and --key go together");
    }
    if (!options.cert_file.empty()) {
        options.tls = true;
    }
    if (options.max_message_size == 0) {
        throw usage_error("--max-message-size must be at least 1");
    }
    if (args.deflate) {
        options.deflate = args.deflate_policy;
        options.deflate->server_max_window_bits = static_cast<std::uint8_t>(args.server_max_window_bits);
        options.deflate->client_max_window_bits = static_cast<std::uint8_t>(args.client_max_window_bits);
    }
    options.idle_timeout = to_ms(args.idle_timeout_s, "--idle-timeout");
    options.handshake_timeout = to_ms(args.handshake_timeout_s, "--handshake-timeout");
    if (args.verbose) {
        options.on_log = [](std::string_view line) { std::cerr << "wscheck serve: " << line << '\n'; };
    }

    boost::asio::io_context io;
    server::reference_server server(io, options); // throws setup_error: port in use, bad cert
    // The first stdout line is the URL, so scripts can start us on port 0 and read it.
    std::cout << server.url() << std::endl;
    server.start();

    // 7.4.1 1001: on SIGINT/SIGTERM the server is "going away"; io.run() returns once every
    // connection has finished its closing handshake (each within close_timeout).
    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code& ec, int) {
        if (ec) {
            return;
        }
        if (args.verbose) {
            std::cerr << "wscheck serve: shutting down\n";
        }
        server.stop([&] { signals.cancel(); });
    });
    io.run();
    return exit_ok;
}

} // namespace

void add_serve_command(CLI::App& app, int& status) {
    auto args = std::make_shared<serve_args>();
    auto* cmd = app.add_subcommand("serve", "Run the reference echo server (conformant RFC 6455 "
                                            "endpoint) until SIGINT/SIGTERM");
    auto& o = args->options;
    cmd->add_option("--host", o.host, "Address to listen on (IP literal)")->capture_default_str();
    cmd->add_option("--port", o.port, "Port; 0 picks a free one. The first stdout line is the URL")
        ->capture_default_str();
    cmd->add_flag("--tls", o.tls, "Serve wss:// (self-signed certificate unless --cert/--key)");
    cmd->add_option("--cert", o.cert_file, "PEM certificate (chain) file; implies --tls");
    cmd->add_option("--key", o.key_file, "PEM private key file for --cert");
    cmd->add_option("--max-message-size", o.max_message_size,
                    "Largest message in bytes; larger ones are refused with close code 1009")
        ->capture_default_str();
    cmd->add_option("--idle-timeout", args->idle_timeout_s,
                    "Seconds without data before closing with 1001 (going away)")
        ->capture_default_str();
    cmd->add_option("--handshake-timeout", args->handshake_timeout_s,
                    "Seconds allowed for the opening handshake")
        ->capture_default_str();
    cmd->add_flag("-v,--verbose", args->verbose, "Log rejected handshakes and failed connections to stderr");
    cmd->add_option("--threads", args->options.threads,
                    "Threads serving connections (each connection is served by one)")
        ->check(CLI::Range(1u, 256u))
        ->capture_default_str();
    // permessage-deflate (RFC 7692): off by default; the other --deflate-* options imply it.
    auto& policy = args->deflate_policy;
    cmd->add_flag("--deflate", args->deflate,
                  "Accept permessage-deflate offers (RFC 7692) and compress the echoes");
    const auto implies_deflate = [args](auto) { args->deflate = true; };
    cmd->add_flag("--deflate-server-no-context-takeover", policy.server_no_context_takeover,
                  "Reset our compressor after every message (server_no_context_takeover)")
        ->each(implies_deflate);
    cmd->add_flag("--deflate-client-no-context-takeover", policy.client_no_context_takeover,
                  "Ask clients to reset theirs (client_no_context_takeover)")
        ->each(implies_deflate);
    cmd->add_option("--deflate-server-max-window-bits", args->server_max_window_bits,
                    "Our compressor's window, 8-15 (lowered further when an offer asks)")
        ->check(CLI::Range(8, 15))
        ->each(implies_deflate)
        ->capture_default_str();
    cmd->add_option("--deflate-client-max-window-bits", args->client_max_window_bits,
                    "The window asked of clients whose offer lets us (client_max_window_bits), 8-15")
        ->check(CLI::Range(8, 15))
        ->each(implies_deflate)
        ->capture_default_str();
    cmd->add_option("--deflate-compress-limit", args->options.deflate_compress_limit,
                    "Compress each echo's first BYTES and store the rest (0: whole echoes)")
        ->each(implies_deflate)
        ->capture_default_str();
    cmd->callback([args, &status] { status = run_serve(*args); });
}

} // namespace wscheck::cli
