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

/// base64(SHA-1(key + GUID)) (1.3, 4.2.2), via OpenSSL. The key is used as the string it
/// is, not base64-decoded. Empty only if OpenSSL cannot compute a SHA-1.
std::string compute_accept(std::string_view sec_websocket_key);

/// A fresh Sec-WebSocket-Key: 16 random bytes (OpenSSL RAND_bytes), base64-encoded (4.1).
/// Empty when OpenSSL's generator fails, rather than a predictable key.
std::string generate_key();

/// True when `key` is base64 of exactly 16 bytes (4.2.1 item 5): 22 characters of the
/// RFC 4648 4 alphabet, then "==", with the unused low bits of the last character zero (the
/// canonical form every encoder writes; RFC 4648 3.5 lets a decoder reject the others). No
/// whitespace: callers strip the field's OWS first, as http_parser does.
bool is_valid_key(std::string_view key) noexcept;

/// One extension of a Sec-WebSocket-Extensions list, e.g. permessage-deflate;
/// client_max_window_bits. A parameter sent without "=value" has nullopt as its value; a
/// quoted-string value is stored unescaped.
struct extension_offer {
    std::string name;
    std::vector<std::pair<std::string, std::optional<std::string>>> params;
};

/// Parses a Sec-WebSocket-Extensions value (RFC 6455 9.1 grammar, with the implied LWS of
/// RFC 2616 2.1 that 4.3 adopts: whitespace may surround any token or separator, and empty
/// list elements are skipped). nullopt when malformed: no extension at all, a name or
/// parameter that is not a token, or a quoted value that does not unescape to a token.
/// Several fields of one head are parsed as their values joined with ", " (9.1).
std::optional<std::vector<extension_offer>> parse_extensions(std::string_view value);
/// Writes extensions back in the 9.1 grammar ("a; p=1; q, b"); a value that is not a token
/// is written as a quoted-string, so cases can send what the grammar forbids.
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

/// The request's bytes: request line, then Host, Upgrade, Connection, Sec-WebSocket-Key,
/// Sec-WebSocket-Version, Sec-WebSocket-Protocol (one field, ", "-joined),
/// Sec-WebSocket-Extensions and the extra fields, each only when set, then the blank line.
/// Nothing is checked: what a case asks for is what is written.
std::string build_request(const client_request& req);

/// What a server decided about a request it accepts.
struct accepted_request {
    std::string key;
    std::string target;
    std::vector<std::string> subprotocols; ///< offered, in the client's order (all fields)
    std::vector<extension_offer> extensions; ///< offered, in the client's order
    std::optional<std::string> origin;     ///< the first Origin field, when sent (4.2.1 item 7)
};

/// The checks of 4.2.1, in its order, the first failure winning: method GET
/// (http_bad_method), HTTP/1.1 or above (http_bad_version), exactly one Host (http_no_host),
/// Upgrade lists the token "websocket" (no_upgrade) and Connection the token "Upgrade"
/// (no_connection_upgrade), both case-insensitively in comma-separated lists, exactly one
/// Sec-WebSocket-Key that is_valid_key() (bad_sec_key; 11.3.1 forbids a second one), exactly
/// one Sec-WebSocket-Version and it is "13" (bad_version; 11.3.5). On failure returns the
/// violation and leaves `out` alone; info(ec)->http_status gives the status to answer
/// (build_rejection() writes it, with "Sec-WebSocket-Version: 13" for bad_version, 4.4).
/// On success fills `out`. An extension offer that does not parse is left out of
/// `out.extensions` rather than failing the request: a server may decline any offer (9.1).
std::error_code check_request(const http_head& req, accepted_request& out);

/// The server's 101 response (4.2.2). `subprotocol` and `extensions` are echoed when set.
std::string build_response(std::string_view key, std::optional<std::string_view> subprotocol = {},
                           std::string_view extensions = {});

/// An error response for a failed check_request(): the violation's status (400 when the
/// code has none), a short text body, "Connection: close", and for bad_version
/// "Sec-WebSocket-Version: 13" (4.4). A 405 carries "Allow: GET" (RFC 9110 15.5.6) and a 426
/// "Upgrade: websocket" (RFC 9110 15.5.22).
std::string build_rejection(std::error_code ec);

/// What the client learns from an accepted response.
struct accepted_response {
    std::optional<std::string> subprotocol;
    std::vector<extension_offer> extensions;
};

/// The checks of 4.1 on the server's response to a request made with `req`, in its order:
/// status 101 (bad_status); an Upgrade whose every list element is "websocket",
/// case-insensitively (no_upgrade); Connection lists the token "Upgrade" (no_connection_upgrade);
/// exactly one Sec-WebSocket-Accept equal to compute_accept(req.key) (bad_accept; 11.3.3);
/// extensions well-formed and each named in req.extensions (bad_extension; their parameters
/// are the extension's own business, e.g. RFC 7692); at most one Sec-WebSocket-Protocol,
/// holding one of req.subprotocols exactly (bad_subprotocol; 4.2.2, 11.3.4). On success
/// fills `out`; on failure leaves it alone.
std::error_code check_response(const http_head& resp, const client_request& req,
                               accepted_response& out);

} // namespace wscheck::proto
