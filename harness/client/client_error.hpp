#pragma once

#include <system_error>

namespace wscheck::client {

/// Failures of the reference client that are neither a transport error (Asio's codes) nor a
/// protocol violation of the peer (proto::violation).
enum class client_error {
    bad_url = 1,       ///< the URL is not a ws:// or wss:// URL
    tls_setup,         ///< the TLS context cannot be made (CA file unreadable, ...)
    no_randomness,     ///< OpenSSL's generator failed, so no Sec-WebSocket-Key could be made
    not_open,          ///< no open session: not connected, or already closing or closed
    connection_closed, ///< the connection is over and no event is left to receive
};

const std::error_category& client_category() noexcept;
std::error_code make_error_code(client_error e) noexcept;

} // namespace wscheck::client

template <>
struct std::is_error_code_enum<wscheck::client::client_error> : std::true_type {};
