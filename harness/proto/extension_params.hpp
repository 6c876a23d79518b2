// permessage-deflate negotiation (RFC 7692 5, 7.1): the parameters of an offer and of a
// response, parsing and building them on top of the 9.1 extension grammar (handshake.hpp),
// the rules a server follows to accept an offer, and the checks a client makes of a response.
// Sans-IO, never throws: a bad parameter is a std::error_code of `violation`.
//
// The four parameters (7.1):
//   server_no_context_takeover   the server resets its compressor after each message
//   client_no_context_takeover   the client resets its compressor after each message
//   server_max_window_bits=N     the server compresses with a window of at most 2^N bytes
//   client_max_window_bits[=N]   in an offer: the client can limit its window (N: it will use
//                                at most 2^N); in a response: the window the client must use
// Window bits are 8..15, written as a decimal without leading zeros, token or quoted-string
// (7.1: "10" and 10 are the same value).
#pragma once

#include "harness/proto/handshake.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace wscheck::proto {

inline constexpr std::string_view permessage_deflate = "permessage-deflate";
/// 7.1.2: the smallest and largest LZ77 window, as base-2 logarithms.
inline constexpr std::uint8_t min_window_bits = 8;
inline constexpr std::uint8_t max_window_bits = 15;

/// One permessage-deflate offer, as a client sends it.
struct deflate_offer {
    bool server_no_context_takeover = false;
    bool client_no_context_takeover = false;
    std::optional<std::uint8_t> server_max_window_bits;
    /// client_max_window_bits present, with or without a value (7.1.2.2).
    bool client_max_window_bits = false;
    /// Its value when it has one (only meaningful with client_max_window_bits set).
    std::optional<std::uint8_t> client_max_window_bits_value;

    friend bool operator==(const deflate_offer&, const deflate_offer&) = default;
};

/// A server's response accepting one offer. Window bits are present only when sent.
struct deflate_response {
    bool server_no_context_takeover = false;
    bool client_no_context_takeover = false;
    std::optional<std::uint8_t> server_max_window_bits;
    std::optional<std::uint8_t> client_max_window_bits;

    friend bool operator==(const deflate_response&, const deflate_response&) = default;
};

/// What both endpoints do once a response accepted an offer: each direction's window and
/// whether its compressor resets after every message. Absent window bits mean 15 (7.1.2).
struct deflate_agreement {
    bool server_no_context_takeover = false;
    bool client_no_context_takeover = false;
    std::uint8_t server_max_window_bits = max_window_bits;
    std::uint8_t client_max_window_bits = max_window_bits;

    static deflate_agreement from(const deflate_response& response) noexcept;
    /// "server: 15-bit window, context takeover; client: 10-bit window, no context takeover"
    std::string describe() const;
    friend bool operator==(const deflate_agreement&, const deflate_agreement&) = default;
};

/// A permessage-deflate offer's parameters. Its name must be permessage-deflate (the caller
/// picks those out). Errors: deflate_unknown_param (a parameter 7.1 does not define),
/// deflate_duplicate_param, deflate_bad_param_value (bits outside 8..15 or not a plain
/// decimal, a value on a flag, server_max_window_bits without a value). `out` is written only
/// on success. A server declines an offer that fails these (5).
std::error_code parse_deflate_offer(const extension_offer& ext, deflate_offer& out);
/// A response's parameters, with the same errors, and also deflate_bad_param_value for a
/// client_max_window_bits without a value (7.1.2.2: a response gives the value).
std::error_code parse_deflate_response(const extension_offer& ext, deflate_response& out);

/// The extension element for an offer or a response (format_extensions() writes it).
extension_offer to_extension(const deflate_offer& offer);
extension_offer to_extension(const deflate_response& response);
/// Offers in preference order as one Sec-WebSocket-Extensions value.
std::string format_deflate_offers(std::span<const deflate_offer> offers);

/// Whether `response` is one a server may send to accept `offer` (7.1): flags the offer asked
/// of the server are there (server_no_context_takeover, 7.1.1.1; server_max_window_bits no
/// more than offered, 7.1.2.1), client_max_window_bits only when offered and no more than
/// its value (7.1.2.2). Errors: deflate_param_dropped, deflate_not_offered.
std::error_code check_deflate_acceptance(const deflate_offer& offer, const deflate_response& response);

/// The client's check of a server's 101 (RFC 7692 5): `offers` are the permessage-deflate
/// offers it sent, `response` every extension the server accepted (check_response() has
/// already checked that each was offered by name). No permessage-deflate in the response:
/// success and `out` empty (declined). Otherwise exactly one element, whose parameters
/// parse as a response and which check_deflate_acceptance() allows for at least one offer;
/// the error is the first offer's (or the parse error). On success `out` holds the agreement.
std::error_code check_deflate_response(std::span<const deflate_offer> offers,
                                       const std::vector<extension_offer>& response,
                                       std::optional<deflate_agreement>& out);

/// What a server asks for when it accepts an offer. Each item is applied within what 7.1
/// allows for that offer: a smaller window than the offer's, never a larger one.
struct deflate_server_policy {
    /// Reset our compressor after every message (server_no_context_takeover); always sent
    /// when the offer asks for it (7.1.1.1).
    bool server_no_context_takeover = false;
    /// Ask the client to reset its compressor (client_no_context_takeover, 7.1.1.2).
    bool client_no_context_takeover = false;
    /// Our compressor's window: min(this, the offer's server_max_window_bits); sent when
    /// below 15 or when the offer had the parameter (7.1.2.1).
    std::uint8_t server_max_window_bits = max_window_bits;
    /// The window we ask of the client when its offer has client_max_window_bits:
    /// min(this, the offer's value); sent when below 15 or the offer gave a value. An offer
    /// without client_max_window_bits cannot be asked (7.1.2.2); it gets 15.
    std::uint8_t client_max_window_bits = max_window_bits;
};

/// A server's choice: which offer it accepted, what it answers, and what both ends use.
struct deflate_acceptance {
    std::size_t offer_index = 0; ///< among the permessage-deflate elements of the request
    deflate_response response;
    deflate_agreement agreement;
};

/// The server side (5, 7.1): the first permessage-deflate offer in `offered` (the client's
/// order is its preference, 9.1) that parses, answered within `policy`. nullopt when there is
/// none or none parses: the server declines (answers without the extension).
std::optional<deflate_acceptance> negotiate_deflate(const std::vector<extension_offer>& offered,
                                                    const deflate_server_policy& policy);

} // namespace wscheck::proto
