// The opening handshake (RFC 6455 4): the client's request, the server's checks (4.2.1), the
// server's response (4.2.2) and the client's checks of it (4.1). Sans-IO: strings in, strings
// out. Builders write whatever they are told, so cases can send broken handshakes on purpose.
#pragma once

#include "harness/proto/http1.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace wscheck::proto {

/// The GUID of 1.3 that turns a key into an accept value.
inline constexpr std::string_view websocket_guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/// base64(SHA-1(key + GUID)), via OpenSSL.
std::string compute_accept(std::string_view sec_websocket_key);

/// A fresh Sec-WebSocket-Key: 16 random bytes (OpenSSL RAND_bytes), base64-encoded.
std::string generate_key();

/// True when `key` is base64 of exactly 16 bytes (4.2.1 item 5).
bool is_valid_key(std::string_view key) noexcept;

/// One extension of a Sec-WebSocket-Extensions list, e.g. permessage-deflate;
/// client_max_window_bits (a parameter with no value has an empty one).
struct extension_offer {
    std::string name;
    std::vector<std::pair<std::string, std::optional<std::string>>> params;
};

/// Parses a Sec-WebSocket-Extensions value (RFC 6455 9.1 grammar). nullopt when malformed.
std::optional<std::vector<extension_offer>> parse_extensions(std::string_view value);
/// Writes extensions back in the 9.1 grammar.
std::string format_extensions(const std::vector<extension_offer>& exts);

/// What a client puts in its request. Defaults give a valid request; each field can be
/// changed, dropped or doubled by a case.
struct client_request {
    std::string method = "GET";
    std::string target = "/";
    std::string version = "HTTP/1.1";
    std::string host;                       ///< "host:port"; empty = no Host field
    std::string key;                        ///< empty = no Sec-WebSocket-Key field
    std::string ws_version = "13";          ///< empty = no Sec-WebSocket-Version field
    std::string upgrade = "websocket";      ///< empty = no Upgrade field
    std::string connection = "Upgrade";     ///< empty = no Connection field
    std::vector<std::string> subprotocols;  ///< Sec-WebSocket-Protocol, in preference order
    std::string extensions;                 ///< Sec-WebSocket-Extensions value; empty = none
    std::vector<http_field> extra_fields;   ///< appended as given (Origin, Cookie, ...)
};

/// The request's bytes: request line, fields in a fixed order, blank line.
std::string build_request(const client_request& req);

/// What a server decided about a request it accepts.
struct accepted_request {
    std::string key;
    std::string target;
    std::vector<std::string> subprotocols; ///< offered, in the client's order
    std::vector<extension_offer> extensions;
    std::optional<std::string> origin;
};

/// The checks of 4.2.1, in its order: method GET, HTTP/1.1 or above, one Host, Upgrade has
/// "websocket", Connection has "Upgrade", one valid Sec-WebSocket-Key, Sec-WebSocket-Version
/// 13. On failure returns the violation; info(ec)->http_status gives the status to answer
/// (400, 405 or 426 — for 426 add "Sec-WebSocket-Version: 13", see build_rejection()).
std::error_code check_request(const http_head& req, accepted_request& out);

/// The server's 101 response (4.2.2). `subprotocol` and `extensions` are echoed when set.
std::string build_response(std::string_view key, std::optional<std::string_view> subprotocol = {},
                           std::string_view extensions = {});

/// An error response for a failed check_request(): the violation's status, a short text body,
/// "Connection: close", and for bad_version "Sec-WebSocket-Version: 13" (4.4).
std::string build_rejection(std::error_code ec);

/// What the client learns from an accepted response.
struct accepted_response {
    std::optional<std::string> subprotocol;
    std::vector<extension_offer> extensions;
};

/// The checks of 4.1 on the server's response to a request made with `req`: status 101,
/// Upgrade "websocket", Connection "Upgrade", the right Sec-WebSocket-Accept, a subprotocol
/// and extensions only among those offered.
std::error_code check_response(const http_head& resp, const client_request& req,
                               accepted_response& out);

} // namespace wscheck::proto
