// WebSocket URIs (RFC 6455 3): ws://host[:port]/path?query and wss://...
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace wscheck::net {

/// A parsed ws:// or wss:// URI.
struct ws_url {
    bool secure = false;       ///< wss: TLS on top of TCP
    std::string host;          ///< a name or an address; an IPv6 literal without its brackets
    std::uint16_t port = 80;   ///< 80 for ws, 443 for wss unless given (3)
    std::string target = "/"; ///< the resource name of 3: path (at least "/") and "?query"

    /// True when `port` is the scheme's default, so Host needs no port (4.1 item 4).
    bool has_default_port() const noexcept { return port == (secure ? 443 : 80); }
    /// The host as it appears in a URI or a Host field: an IPv6 literal in brackets.
    std::string host_literal() const;
    /// The Host field value of 4.1 item 4: host, and ":port" when not the default.
    std::string host_field() const;
    /// The URI back in text form, with the port always written.
    std::string to_string() const;
};

/// Parses a WebSocket URI. The scheme is case-insensitive (3); a fragment is refused (3:
/// "MUST NOT be used"), as are userinfo, an empty host, a port outside 1-65535 and any
/// scheme other than ws and wss. On failure returns nullopt and sets `error` to one sentence
/// saying what is wrong ("unsupported scheme 'http' (expected ws:// or wss://)").
std::optional<ws_url> parse_ws_url(std::string_view text, std::string& error);

} // namespace wscheck::net
