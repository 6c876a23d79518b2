// A byte stream to a peer over TCP or TLS-over-TCP, with a deadline on every operation and an
// optional wire log. The server, the client and the case runner all talk through it.
//
// Theory of operation
//   Every operation is asynchronous (Boost.Asio) and takes a timeout. When the timeout passes
//   before the operation completes, the stream is *aborted*: the socket is closed, the
//   operation completes with `timed_out`, and every later operation fails with it too. A
//   deadline is the last moment a peer may use; past it the connection is abandoned, never
//   waited on. `no_deadline` opts out, for a caller that bounds the wait with its own timer.
//
//   At most one read and one write may be outstanding at a time (Asio's rule for ssl::stream);
//   a read and a write may run concurrently. The buffers handed to an operation must stay
//   valid until its handler runs. A stream is always owned by a shared_ptr, and its handlers
//   hold one, so it lives until its last operation has completed.
#pragma once

#include "harness/net/wire_log.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <system_error>

namespace wscheck::net {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;
using clock = std::chrono::steady_clock;
using duration = clock::duration;

/// A timeout that never expires.
inline constexpr duration no_deadline = duration::max();

/// std::error_code of asio::error::timed_out: what an operation past its deadline reports.
std::error_code timed_out_error() noexcept;
/// std::error_code of asio::error::eof: what a read reports when the peer closed.
std::error_code eof_error() noexcept;

class stream : public std::enable_shared_from_this<stream> {
public:
    using completion = std::function<void(std::error_code)>;
    using io_completion = std::function<void(std::error_code, std::size_t)>;

    /// A client stream, not yet connected; TLS when `tls` is set (the context must outlive
    /// the stream).
    static std::shared_ptr<stream> make_client(asio::io_context& io, ssl::context* tls = nullptr);
    /// A server stream over an accepted socket; TLS when `tls` is set (call async_accept_tls).
    static std::shared_ptr<stream> adopt(tcp::socket socket, ssl::context* tls = nullptr);

    stream(const stream&) = delete;
    stream& operator=(const stream&) = delete;
    ~stream();

    bool is_tls() const noexcept { return tls_ != nullptr; }
    /// The TCP socket underneath (for endpoints and options).
    tcp::socket& socket() noexcept;
    asio::any_io_executor get_executor() noexcept { return connect_deadline_.timer.get_executor(); }

    /// Resolves `host`, connects to the first address that answers and, for TLS, runs the
    /// client handshake with SNI (for a host name, RFC 6066 3) and host-name verification
    /// against the certificate (when the context verifies). All of it within `timeout`.
    void async_connect(std::string host, std::uint16_t port, duration timeout, completion handler);
    /// The server side of the TLS handshake; completes at once for a plain stream.
    void async_accept_tls(duration timeout, completion handler);
    /// Writes all of `data`.
    void async_write_all(std::span<const std::uint8_t> data, duration timeout, io_completion handler);
    /// Reads between 1 and `buffer.size()` bytes (the cap). EOF is eof_error().
    void async_read_some(std::span<std::uint8_t> buffer, duration timeout, io_completion handler);
    /// Closes gracefully within `timeout`, then closes the socket whatever happened: for TLS,
    /// sends close_notify and waits for the peer's; for TCP, sends FIN (shutdown(send)) and
    /// reads (and discards) until the peer's EOF, so that unread bytes never turn our close
    /// into a reset. Must not overlap a read or a write.
    void async_shutdown(duration timeout, completion handler);
    /// Closes the socket now; outstanding operations complete with operation_aborted.
    void close() noexcept;
    bool is_open() const noexcept;

    /// Starts recording traffic into `log` (nullptr stops).
    void set_wire_log(std::shared_ptr<net::wire_log> log) noexcept { log_ = std::move(log); }
    const std::shared_ptr<net::wire_log>& wire_log() const noexcept { return log_; }

private:
    struct deadline {
        explicit deadline(const asio::any_io_executor& ex) : timer(ex) {}
        asio::steady_timer timer;
        std::uint64_t generation = 0;
        bool expired = false;
    };

    stream(tcp::socket socket, ssl::context* tls);

    void arm(deadline& d, duration timeout);
    std::error_code disarm(deadline& d, const boost::system::error_code& ec);
    void abort(std::error_code reason) noexcept;
    void drain(std::function<void(const boost::system::error_code&)> handler);

    std::unique_ptr<ssl::stream<tcp::socket>> tls_;
    std::optional<tcp::socket> tcp_;
    tcp::resolver resolver_;
    deadline connect_deadline_;
    deadline read_deadline_;
    deadline write_deadline_;
    std::error_code abort_reason_;
    std::shared_ptr<net::wire_log> log_;
    std::array<std::uint8_t, 4096> drain_buffer_{};
};

/// Runs `io` on the calling thread until `done()` is true or `deadline` passes; returns
/// done(). For synchronous-looking code on top of the asynchronous stream (one io_context
/// per client); the stream's own deadlines still apply to each operation.
bool run_until(asio::io_context& io, const std::function<bool()>& done, clock::time_point deadline);

} // namespace wscheck::net
