// Blocking loopback sockets with deadlines, for tests that must send bytes no conformant
// client would (broken handshakes) or watch exactly what a server does on the wire.
#pragma once

#include "harness/proto/frame.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <vector>

namespace wscheck::test {

class raw_socket {
public:
    /// Connects to 127.0.0.1:port; check ok().
    explicit raw_socket(std::uint16_t port);
    /// Adopts a connected descriptor (from raw_listener::accept).
    explicit raw_socket(int fd) noexcept : fd_(fd) {}
    ~raw_socket();
    raw_socket(const raw_socket&) = delete;
    raw_socket& operator=(const raw_socket&) = delete;

    bool ok() const noexcept { return fd_ >= 0; }
    bool send(std::span<const std::uint8_t> data);
    bool send(const std::string& data);
    /// Reads until `done(buffer)` holds, EOF, or the timeout; returns what was read (appended
    /// to an internal buffer, consumed by the caller with take()).
    template <typename Done>
    bool read_until(std::chrono::milliseconds timeout, Done done);
    /// Reads until the peer closes (true) or the timeout (false).
    bool read_to_eof(std::chrono::milliseconds timeout);
    /// Reads until the HTTP head (ending in an empty line) is in; returns it and keeps the rest.
    std::optional<std::string> read_head(std::chrono::milliseconds timeout);
    /// Reads one whole frame; returns header and (unmasked) payload.
    struct frame {
        proto::frame_header header;
        std::vector<std::uint8_t> payload;
    };
    std::optional<frame> read_frame(std::chrono::milliseconds timeout);

    std::string& buffer() noexcept { return buffer_; }
    bool eof() const noexcept { return eof_; }
    void shutdown_send() noexcept;

private:
    bool read_some(std::chrono::milliseconds timeout);

    int fd_ = -1;
    std::string buffer_;
    bool eof_ = false;
};

template <typename Done>
bool raw_socket::read_until(std::chrono::milliseconds timeout, Done done) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done(buffer_)) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0 || eof_ || !read_some(left)) {
            return done(buffer_);
        }
    }
    return true;
}

/// A listening socket on 127.0.0.1, port 0.
class raw_listener {
public:
    raw_listener();
    ~raw_listener();
    raw_listener(const raw_listener&) = delete;
    raw_listener& operator=(const raw_listener&) = delete;
    std::uint16_t port() const noexcept { return port_; }
    /// The next connection's descriptor, or -1 after the timeout.
    int accept(std::chrono::milliseconds timeout);

private:
    int fd_ = -1;
    std::uint16_t port_ = 0;
};

/// A masked client frame (5.2, 5.3) with a fixed key, for handshake-free byte tests.
std::vector<std::uint8_t> client_frame(proto::opcode op, std::span<const std::uint8_t> payload,
                                       bool fin = true);
std::span<const std::uint8_t> bytes_of(const std::string& s);

/// A one-byte-payload frame that breaks one rule, for tests that send it right behind a
/// valid message in the same write (the shapes of Autobahn 3.2, 4.1.3, 4.2.3, 5.15, 6.x): the
/// peer must answer the message first, then fail the connection with `close_code`.
struct bad_frame_case {
    const char* name;
    std::uint8_t first_byte; ///< FIN, RSV and opcode bits
    std::uint8_t payload;
    std::uint16_t close_code;
};
std::vector<bad_frame_case> bad_frames_after_a_message();
/// For test listings: the case's name rather than its bytes.
inline void PrintTo(const bad_frame_case& c, std::ostream* os) { *os << c.name; }

/// The standard handshake request for a raw client ("GET / HTTP/1.1" ... with a fixed key).
std::string valid_request(std::uint16_t port);

} // namespace wscheck::test
