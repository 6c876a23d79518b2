// The live fuzzer's two conversations with the target, each on a fresh connection, each with
// a deadline on every step and a cap on what it reads:
//   send_input  writes one input (its writes, with their pauses) while reading whatever comes
//               back, then half-closes (TCP FIN) and waits for the server to close too;
//   probe       the liveness check: a valid opening handshake and the echo of a short text
//               message.
#pragma once

#include "fuzz/live/fuzz_input.hpp"
#include "harness/net/stream.hpp"
#include "harness/net/url.hpp"

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <system_error>

namespace wscheck::fuzz {

using std::chrono::milliseconds;

/// Where to connect: the URL, and the TLS context for wss:// (must outlive every call).
struct target {
    net::ws_url url;
    net::ssl::context* tls = nullptr;
    /// `wscheck fuzz --deflate`: the probe offers permessage-deflate and, when the server
    /// accepts it, sends its message compressed and inflates the echo, so that a server whose
    /// compression broke for everyone fails it.
    bool deflate = false;
};

struct io_limits {
    milliseconds connect_timeout{2000};  ///< TCP connect (and TLS handshake)
    milliseconds write_timeout{2000};    ///< each write; a server that stops reading is let go
    /// After the input and our FIN: how long the server may take to close its side.
    milliseconds close_timeout{2000};
    /// Over TLS, where there is no half-close to wait on: silence that ends the input.
    milliseconds tls_quiet{100};
    milliseconds probe_timeout{2000};    ///< the whole liveness check
    std::size_t read_cap = 1024 * 1024;  ///< bytes read per input; past it we stop listening
};

/// How an input's connection went.
struct input_result {
    enum class status {
        closed,          ///< the server closed (or reset) the connection: the normal end
        not_connected,   ///< connect failed: `error` (refused when the target is down)
        still_open,      ///< TCP: no close within close_timeout after our FIN (a hang, if it repeats)
        flooded,         ///< the server sent more than read_cap: we stopped listening
        tls_ended,       ///< TLS: the server was silent for tls_quiet; we closed
    };
    status what = status::closed;
    std::error_code error;
    std::size_t bytes_written = 0;
    std::size_t bytes_read = 0;
};

/// Connects, makes `in`'s writes in order (each after its pause) while reading (and
/// discarding, up to read_cap) what the server sends, then half-closes and waits for the
/// server's close. A write that fails ends the writing: a server may drop a connection after
/// any violation. Never blocks longer than connect + pauses + writes + close_timeout.
input_result send_input(const target& t, const fuzz_input& in, const io_limits& limits);

/// What the liveness check found.
struct probe_result {
    enum class status {
        alive,     ///< handshake completed (101, right accept key) and the message came back
        refused,   ///< the connection was refused: nothing listens on the port
        timed_out, ///< no answer within probe_timeout (the TCP connect itself may have worked)
        broken,    ///< answered wrongly: connection closed or reset, a status other than 101, a
                   ///< bad accept key, a frame other than the echo, the connection failed
        /// Our side could not connect (no local port or descriptor left, no route): says
        /// nothing about the server.
        local_error,
    };
    status what = status::alive;
    std::string detail; ///< one sentence, for the finding
    bool connected = false; ///< the TCP (and TLS) connect completed
};

/// The liveness check: connect, a valid request (offering permessage-deflate with
/// t.deflate), the 101, a masked text message holding `message`, its echo; then our Close and the socket closed (we do not wait for the server's
/// Close). All within limits.probe_timeout.
probe_result probe(const target& t, std::string_view message, const io_limits& limits);

std::string_view to_string(probe_result::status s) noexcept;

} // namespace wscheck::fuzz
