// One connection of the reference echo server: the network glue around a proto::session.
//
// Theory of operation
//   tls       the TLS handshake (wss only)                     bounded by handshake_timeout
//   http      read the request head with proto::http_parser    bounded by handshake_timeout
//             and check it (4.2.1); a bad one gets build_rejection() and a graceful close
//   open      the session in the server role: every byte read goes to session.receive(),
//             every text/binary event is echoed, and session.output() is written whenever it
//             is not empty. Pings and Close frames are the session's business (5.5.1-5.5.3).
//             One read stays outstanding while writing, so a peer that writes before reading
//             cannot deadlock us; reading pauses only while our unsent output is over a
//             high-water mark, so a peer that never reads cannot make us buffer without bound.
//   teardown  once the session is closed and its output written, we close the TCP connection
//             first, as 7.1.1 asks of a server: TLS close_notify or FIN, then the socket.
//   The bounds: idle_timeout without a byte from the peer starts our closing handshake with
//   1001; close_timeout bounds the wait for the peer's Close and for the teardown;
//   write_timeout bounds every write. A stream past a deadline is aborted.
#pragma once

#include "harness/net/stream.hpp"
#include "harness/proto/handshake.hpp"
#include "harness/proto/http1.hpp"
#include "harness/proto/session.hpp"
#include "harness/server/server_options.hpp"

#include <boost/asio/steady_timer.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wscheck::server {

class connection : public std::enable_shared_from_this<connection> {
public:
    /// `on_done` runs once, on the io_context, when the connection is over.
    connection(std::shared_ptr<net::stream> stream,
               std::shared_ptr<const server_options> options, std::function<void()> on_done);

    void start();
    /// Graceful shutdown: an open session gets a Close 1001 and close_timeout to answer it;
    /// a connection still in its handshake is closed at once.
    void go_away(std::string_view reason);
    /// Where the connection's handlers run: calls from elsewhere go through it.
    boost::asio::any_io_executor executor() const;

private:
    enum class phase : std::uint8_t { tls, http, rejecting, open, teardown, aborting, done };

    net::duration handshake_time_left() const;
    void read_head();
    void on_head(std::error_code ec, std::size_t n);
    void reject(std::error_code violation, std::string_view detail);
    void accept(const proto::accepted_request& request, std::span<std::uint8_t> leftover);

    void on_read(std::error_code ec, std::size_t n);
    void on_write(std::error_code ec);
    void handle_events();
    void pump();
    void start_closing(std::uint16_t code, std::string_view reason);
    void arm_idle_timer();
    void teardown();
    void abort();
    void finish();
    void log(std::string_view what) const;

    std::shared_ptr<net::stream> stream_;
    std::shared_ptr<const server_options> options_;
    std::function<void()> on_done_;
    phase phase_ = phase::tls;
    net::clock::time_point handshake_deadline_;
    std::string peer_;

    proto::http_parser head_parser_;
    std::optional<proto::session> session_;

    std::vector<std::uint8_t> rd_buf_;
    bool reading_ = false;
    std::vector<std::uint8_t> wr_buf_;   // the bytes of the write in flight
    std::vector<std::uint8_t> wr_next_;  // the handshake response, ahead of session output
    bool writing_ = false;

    boost::asio::steady_timer idle_timer_;
    boost::asio::steady_timer close_timer_;
};

} // namespace wscheck::server
