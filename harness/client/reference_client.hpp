// The reference client: a conformant RFC 6455 client endpoint on the same sans-IO core as the
// server (proto::session in the client role, which masks every frame with a fresh
// RAND_bytes key, 5.3), with a synchronous-looking API.
//
// Each call runs the client's own io_context on the calling thread until it is done or its
// deadline (client_options::timeout) passes. Once the session is open, one read stays
// outstanding across calls while no event waits for receive(); a receive() that times out
// loses nothing, the event simply has not come yet. A write that misses its deadline
// abandons the connection.
//
// Events are handed out one at a time, and the session's answer to each (a Pong, the echo of
// a Close, the Close that fails the connection) is written when receive() returns it. So an
// application that answers each message before asking for the next event answers in wire
// order: when a message and a bad frame arrive in one read, the message's echo goes out
// before the Close that fails the connection (what the Autobahn suite's strict OK wants). A
// Ping is answered when receive() returns it, not earlier.
//
// Not thread-safe: one thread drives a client at a time.
#pragma once

#include "harness/net/stream.hpp"
#include "harness/net/tls.hpp"
#include "harness/net/url.hpp"
#include "harness/net/wire_log.hpp"
#include "harness/proto/extension_params.hpp"
#include "harness/proto/handshake.hpp"
#include "harness/proto/session.hpp"

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace wscheck::client {

struct client_options {
    /// The deadline of each call: connect (TCP, TLS and the opening handshake together),
    /// each send, each receive, and close.
    std::chrono::milliseconds timeout{10'000};
    net::tls_client_options tls;                       ///< for wss://
    std::uint64_t max_message_size = 64 * 1024 * 1024; ///< larger messages: Close 1009
    std::vector<std::string> subprotocols;             ///< offered in Sec-WebSocket-Protocol
    std::vector<proto::http_field> extra_fields;       ///< added to the request (Origin, ...)
    proto::http_limits http;                           ///< caps on the response head
    std::size_t wire_log_bytes = 0;                    ///< > 0: record traffic (wire_log())
    /// permessage-deflate offers, in preference order (RFC 7692 5); empty: none. The
    /// server's answer is checked with proto::check_deflate_response.
    std::vector<proto::deflate_offer> deflate_offers;
    /// Messages shorter than this go uncompressed (proto::session_options::deflate_min_size).
    std::size_t deflate_min_size = 0;
};

class reference_client {
public:
    explicit reference_client(client_options options = {});
    ~reference_client();
    reference_client(const reference_client&) = delete;
    reference_client& operator=(const reference_client&) = delete;

    /// Connects and performs the opening handshake (4.1): sends a request with a fresh key,
    /// and checks the response with proto::check_response (101, Upgrade, Connection,
    /// Sec-WebSocket-Accept, extensions, subprotocol). On failure error_detail() says what
    /// went wrong in one sentence. A client connects once.
    std::error_code connect(std::string_view url);
    std::error_code connect(const net::ws_url& url);

    /// Send one message (or, for send_fragmented, one message in several frames) and wait
    /// until it is written. not_open unless the session is open.
    std::error_code send_text(std::string_view text);
    std::error_code send_binary(std::span<const std::uint8_t> data);
    std::error_code send_fragmented(proto::opcode op,
                                    std::span<const std::span<const std::uint8_t>> pieces);
    std::error_code ping(std::span<const std::uint8_t> payload = {});

    /// The next event from the peer: a message, a ping (answered now), a pong, the peer's
    /// Close (answered now), or `failed` when the peer broke the protocol (our Close goes out
    /// now). timed_out when nothing came within the timeout (the connection stays
    /// usable); connection_closed when the connection is over and nothing is left.
    std::error_code receive(proto::session_event& out);

    /// The closing handshake started by us (7.1.2): sends Close(code, reason), waits for the
    /// peer's Close (messages that arrive first stay queued for receive()) and then for the
    /// server to close the TCP connection (7.1.1), closing it ourselves if it does not within
    /// the timeout. `reply` gets the peer's Close event. If the peer closed first, this just
    /// waits for the end of the connection and `reply` gets the peer's Close.
    std::error_code close(std::optional<std::uint16_t> code = proto::close_code::normal,
                          std::string_view reason = {}, proto::session_event* reply = nullptr);

    /// One sentence about the last failure ("cannot connect to 127.0.0.1:1: Connection refused").
    const std::string& error_detail() const noexcept { return detail_; }
    /// open/closing/closed once connected; closed before.
    proto::session_state state() const noexcept;
    /// True once the transport has ended (EOF, error or our own close).
    bool transport_closed() const noexcept { return eof_ || io_error_ || !stream_; }
    const proto::http_head& response_head() const noexcept { return response_head_; }
    const proto::accepted_response& handshake() const noexcept { return accepted_; }
    /// The permessage-deflate agreement once connected; empty when not offered or declined.
    std::optional<proto::deflate_agreement> deflate() const {
        return session_ ? session_->deflate() : std::nullopt;
    }
    /// The traffic so far, when client_options::wire_log_bytes is set.
    std::shared_ptr<net::wire_log> wire_log() const noexcept { return log_; }

private:
    std::error_code fail(std::error_code ec, std::string detail);
    std::error_code handshake(const net::ws_url& url, net::clock::time_point deadline);
    std::error_code flush(net::clock::time_point deadline);
    bool run_until(const std::function<bool()>& done, net::clock::time_point deadline);
    void pump();
    void on_read(std::error_code ec, std::size_t n);
    /// Pops one event from the session and writes its answer; false when none is queued.
    bool pop_event(proto::session_event& out);
    /// Pops events into events_ up to the peer's Close or our failure; true once that came
    /// or the transport ended.
    bool take_events_until_close();
    net::clock::time_point deadline() const;

    client_options options_;
    boost::asio::io_context io_;
    std::optional<net::ssl::context> tls_;
    std::shared_ptr<net::stream> stream_;
    std::shared_ptr<net::wire_log> log_;

    proto::client_request request_;
    proto::http_head response_head_;
    proto::accepted_response accepted_;
    std::optional<proto::session> session_;
    std::deque<proto::session_event> events_; ///< taken by close() before the peer's Close

    std::vector<std::uint8_t> rd_buf_;
    bool reading_ = false;
    bool eof_ = false;
    std::vector<std::uint8_t> wr_buf_;
    bool writing_ = false;
    std::error_code io_error_;
    std::string detail_;
};

} // namespace wscheck::client
