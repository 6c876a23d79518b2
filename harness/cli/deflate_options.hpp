// The --deflate options of the commands that run the reference client (send, echo-client):
// the same names, meanings and checks in both, and the permessage-deflate offer they make.
#pragma once

#include "harness/proto/extension_params.hpp"

#include <optional>

namespace CLI {
class App;
}

namespace wscheck::cli {

struct deflate_offer_args {
    bool deflate = false;
    proto::deflate_offer offer;
    // CLI11 would read a std::uint8_t as a character: window bits are parsed as unsigned.
    unsigned server_max_window_bits = 0; // 0: not offered
    unsigned client_max_window_bits = 0; // 0: offered without a value

    /// The offer to send (RFC 7692 5), or nullopt without --deflate.
    std::optional<proto::deflate_offer> offer_to_send() const;
};

/// Adds --deflate and the --deflate-* options (each implies --deflate) to `cmd`, writing into
/// `args`, which must outlive the command's callback.
void add_deflate_offer_options(CLI::App& cmd, deflate_offer_args& args);

} // namespace wscheck::cli
