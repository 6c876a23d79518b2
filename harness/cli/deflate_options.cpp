#include "harness/cli/deflate_options.hpp"

#include <CLI/CLI.hpp>

namespace wscheck::cli {

std::optional<proto::deflate_offer> deflate_offer_args::offer_to_send() const {
    if (!deflate) {
        return std::nullopt;
    }
    // client_max_window_bits is always offered (with a value when given): it lets the server
    // choose our window (RFC 7692 7.1.2.2).
    proto::deflate_offer o = offer;
    if (server_max_window_bits != 0) {
        o.server_max_window_bits = static_cast<std::uint8_t>(server_max_window_bits);
    }
    o.client_max_window_bits = true;
    if (client_max_window_bits != 0) {
        o.client_max_window_bits_value = static_cast<std::uint8_t>(client_max_window_bits);
    }
    return o;
}

void add_deflate_offer_options(CLI::App& cmd, deflate_offer_args& args) {
    // permessage-deflate (RFC 7692): off by default; the other --deflate-* options imply it.
    cmd.add_flag("--deflate", args.deflate, "Offer permessage-deflate (RFC 7692) and compress our messages");
    const auto implies_deflate = [&args](auto) { args.deflate = true; };
    cmd.add_flag("--deflate-server-no-context-takeover", args.offer.server_no_context_takeover,
                 "Ask the server to reset its compressor after every message")
        ->each(implies_deflate);
    cmd.add_flag("--deflate-client-no-context-takeover", args.offer.client_no_context_takeover,
                 "Offer to reset our compressor after every message (the server decides)")
        ->each(implies_deflate);
    cmd.add_option("--deflate-server-max-window-bits", args.server_max_window_bits,
                   "Ask the server for a window of at most 2^N bytes, 8-15")
        ->check(CLI::Range(8, 15))
        ->each(implies_deflate);
    cmd.add_option("--deflate-client-max-window-bits", args.client_max_window_bits,
                   "Compress with a window of at most 2^N bytes, 8-15 (default: the server chooses)")
        ->check(CLI::Range(8, 15))
        ->each(implies_deflate);
}

} // namespace wscheck::cli
