// wscheck send: connect to a WebSocket server with the reference client, send messages and
// print what comes back.
#include "harness/cli/commands.hpp"
#include "harness/cli/deflate_options.hpp"
#include "harness/client/client_error.hpp"
#include "harness/client/reference_client.hpp"
#include "harness/proto/error.hpp"

#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>

namespace wscheck::cli {

namespace {

struct send_args {
    std::string url;
    std::vector<std::string> messages;
    bool binary = false;
    bool ping = false;
    std::string cacert;
    bool insecure = false;
    double timeout_s = 10;
    bool verbose = false;
    deflate_offer_args deflate;
};

// Prints the client's wire log to stderr when the command ends, however it ends.
struct wire_log_printer {
    const client::reference_client& client;
    ~wire_log_printer() {
        if (const auto& log = client.wire_log()) {
            std::cerr << "wire log (> sent, < received):\n";
            log->write_text(std::cerr);
        }
    }
};

std::span<const std::uint8_t> as_bytes(std::string_view s) {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

int peer_failure(const std::string& what) {
    std::cerr << "wscheck: " << what << '\n';
    return exit_failed;
}

// Waits for the next message or pong, skipping pings (the session already answered them).
std::error_code next_reply(client::reference_client& client, proto::session_event& event) {
    for (;;) {
        if (auto ec = client.receive(event)) {
            return ec;
        }
        if (event.what != proto::session_event::kind::ping) {
            return {};
        }
    }
}

int run_send(const send_args& args) {
    if (args.messages.empty() && !args.ping) {
        throw usage_error("nothing to send: give at least one MESSAGE, or --ping");
    }
    if (!(args.timeout_s > 0) || args.timeout_s > 3600) {
        throw usage_error("--timeout must be between 0 and 3600 seconds");
    }
    std::string url_error;
    const auto url = net::parse_ws_url(args.url, url_error);
    if (!url) {
        throw usage_error("invalid URL '" + args.url + "': " + url_error);
    }
    if (!url->secure && (args.insecure || !args.cacert.empty())) {
        throw usage_error("--cacert and --insecure apply to wss:// URLs only");
    }

    client::client_options options;
    options.timeout = std::chrono::milliseconds(static_cast<long long>(args.timeout_s * 1000));
    options.tls.ca_file = args.cacert;
    options.tls.insecure = args.insecure;
    if (args.verbose) {
        options.wire_log_bytes = 1024 * 1024;
    }
    if (const auto offer = args.deflate.offer_to_send()) {
        options.deflate_offers.push_back(*offer);
    }
    client::reference_client client(options);
    const wire_log_printer print_log{client};

    if (const auto ec = client.connect(*url)) {
        // A server that answers but refuses the handshake failed; anything before that
        // (refused, unreachable, unreadable CA file) means we could not do the job.
        if (proto::info(ec) != nullptr) {
            return peer_failure(client.error_detail());
        }
        auto detail = client.error_detail();
        if (url->secure && detail.find("certificate verify failed") != std::string::npos) {
            detail += " (to trust a self-signed server, pass --cacert FILE or --insecure)";
        }
        throw usage_error(detail);
    }

    if (args.verbose && args.deflate.deflate) {
        const auto agreed = client.deflate();
        std::cerr << "permessage-deflate: "
                  << (agreed ? "agreed (" + agreed->describe() + ")" : std::string("declined by the server"))
                  << '\n';
    }
    proto::session_event event;
    if (args.ping) {
        const std::string payload = "wscheck";
        if (const auto ec = client.ping(as_bytes(payload)); ec || next_reply(client, event)) {
            return peer_failure(client.error_detail());
        }
        if (event.what != proto::session_event::kind::pong || event.text() != payload) {
            return peer_failure("expected a pong carrying the ping's payload (RFC 6455 5.5.3)");
        }
        std::cout << "pong: " << event.text() << std::endl;
    }
    for (const auto& message : args.messages) {
        const auto ec = args.binary ? client.send_binary(as_bytes(message)) : client.send_text(message);
        if (ec || next_reply(client, event)) {
            return peer_failure(client.error_detail());
        }
        const auto expected = args.binary ? proto::session_event::kind::binary
                                          : proto::session_event::kind::text;
        if (event.what == proto::session_event::kind::failed) {
            return peer_failure("the peer broke the protocol: " + event.error.message());
        }
        if (event.what == proto::session_event::kind::close) {
            return peer_failure("the peer closed the connection (code " +
                                (event.code ? std::to_string(*event.code) : "none") + ")");
        }
        std::cout.write(reinterpret_cast<const char*>(event.data.data()),
                        static_cast<std::streamsize>(event.data.size()));
        std::cout << std::endl;
        if (event.what != expected || event.text() != message) {
            return peer_failure("the echo differs from the message sent");
        }
    }
    if (client.close(proto::close_code::normal, {}, &event)) {
        return peer_failure(client.error_detail());
    }
    return exit_ok;
}

} // namespace

void add_send_command(CLI::App& app, int& status) {
    auto args = std::make_shared<send_args>();
    auto* cmd = app.add_subcommand(
        "send", "Send messages to a WebSocket server and print each echo (then close with 1000)");
    cmd->add_option("URL", args->url, "ws://host[:port]/path or wss://...")->required();
    cmd->add_option("MESSAGE", args->messages, "Messages to send, one per argument");
    cmd->add_flag("--binary", args->binary, "Send binary messages instead of text");
    cmd->add_flag("--ping", args->ping, "Send a ping first and print the pong");
    cmd->add_option("--cacert", args->cacert, "PEM file of certificates to trust (wss://)");
    cmd->add_flag("-k,--insecure", args->insecure, "Accept any server certificate (wss://)");
    cmd->add_option("--timeout", args->timeout_s, "Seconds allowed for each step")
        ->capture_default_str();
    cmd->add_flag("-v,--verbose", args->verbose,
                  "Print the traffic (both directions, timestamped, hex) to stderr at the end");
    add_deflate_offer_options(*cmd, args->deflate);
    cmd->callback([args, &status] { status = run_send(*args); });
}

} // namespace wscheck::cli
