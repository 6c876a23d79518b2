#include "harness/client/reference_client.hpp"

#include "harness/client/client_error.hpp"
#include "harness/net/setup_error.hpp"
#include "harness/proto/error.hpp"

#include <algorithm>

namespace wscheck::client {

namespace {

constexpr std::size_t read_buffer_size = 64 * 1024;
// Room for a completion that is already due when a stream deadline passes to be delivered.
constexpr auto completion_slack = std::chrono::milliseconds(500);

net::duration time_left(net::clock::time_point deadline) {
    return std::max(net::duration::zero(), deadline - net::clock::now());
}

std::string describe_violation(const std::error_code& ec) {
    if (const auto* row = proto::info(ec)) {
        // RFC 7692's sections name their RFC; RFC 6455's are bare numbers.
        const bool named = row->section.starts_with("RFC");
        return std::string(row->message) + " (" + (named ? "" : "RFC 6455 ") +
               std::string(row->section) + ")";
    }
    return ec.message();
}

} // namespace

reference_client::reference_client(client_options options)
    : options_(std::move(options)), rd_buf_(read_buffer_size) {}

reference_client::~reference_client() {
    if (stream_) {
        stream_->close();
    }
    // Let the aborted operations complete, so no handler outlives the client.
    io_.restart();
    io_.run_for(std::chrono::seconds(2));
}

net::clock::time_point reference_client::deadline() const {
    return net::clock::now() + options_.timeout;
}

proto::session_state reference_client::state() const noexcept {
    return session_ ? session_->state() : proto::session_state::closed;
}

std::error_code reference_client::fail(std::error_code ec, std::string detail) {
    detail_ = std::move(detail);
    return ec;
}

bool reference_client::run_until(const std::function<bool()>& done,
                                 net::clock::time_point deadline) {
    return net::run_until(io_, done, deadline);
}

std::error_code reference_client::connect(std::string_view url) {
    std::string error;
    const auto parsed = net::parse_ws_url(url, error);
    if (!parsed) {
        return fail(client_error::bad_url, "invalid URL '" + std::string(url) + "': " + error);
    }
    return connect(*parsed);
}

std::error_code reference_client::connect(const net::ws_url& url) {
    if (stream_) {
        return fail(client_error::not_open, "this client has already connected once");
    }
    detail_.clear();
    if (url.secure) {
        try {
            tls_.emplace(net::make_client_context(options_.tls));
        } catch (const net::setup_error& e) {
            return fail(client_error::tls_setup, e.what());
        }
    }
    stream_ = net::stream::make_client(io_, tls_ ? &*tls_ : nullptr);
    if (options_.wire_log_bytes != 0) {
        log_ = std::make_shared<net::wire_log>(options_.wire_log_bytes);
        stream_->set_wire_log(log_);
    }
    const auto until = deadline();
    bool done = false;
    std::error_code ec;
    stream_->async_connect(url.host, url.port, time_left(until), [&](std::error_code result) {
        ec = result;
        done = true;
    });
    run_until([&] { return done; }, until + completion_slack);
    if (!done) {
        stream_->close();
        return fail(net::timed_out_error(), "cannot connect to " + url.host_literal() + ":" +
                                                std::to_string(url.port) + ": timed out");
    }
    if (ec) {
        io_error_ = ec;
        return fail(ec, "cannot connect to " + url.host_literal() + ":" +
                            std::to_string(url.port) + ": " + ec.message());
    }
    return handshake(url, until);
}

std::error_code reference_client::handshake(const net::ws_url& url,
                                            net::clock::time_point until) {
    request_ = {};
    request_.target = url.target;
    request_.host = url.host_field();
    request_.key = proto::generate_key();
    request_.subprotocols = options_.subprotocols;
    request_.extra_fields = options_.extra_fields;
    request_.extensions = proto::format_deflate_offers(options_.deflate_offers);
    if (request_.key.empty()) {
        return fail(client_error::no_randomness, "OpenSSL could not generate a handshake key");
    }
    const auto request = proto::build_request(request_);
    wr_buf_.assign(request.begin(), request.end());

    bool done = false;
    std::error_code ec;
    stream_->async_write_all(wr_buf_, time_left(until), [&](std::error_code result, std::size_t) {
        ec = result;
        done = true;
    });
    run_until([&] { return done; }, until + completion_slack);
    if (!done || ec) {
        io_error_ = done ? ec : net::timed_out_error();
        stream_->close();
        return fail(io_error_, "cannot send the opening handshake: " + io_error_.message());
    }

    proto::http_parser parser(proto::http_parser::kind::response, options_.http);
    for (;;) {
        done = false;
        std::size_t n = 0;
        stream_->async_read_some(rd_buf_, time_left(until),
                                 [&](std::error_code result, std::size_t bytes) {
                                     ec = result;
                                     n = bytes;
                                     done = true;
                                 });
        run_until([&] { return done; }, until + completion_slack);
        if (!done || ec) {
            io_error_ = done ? ec : net::timed_out_error();
            stream_->close();
            return fail(io_error_, io_error_ == net::eof_error()
                                       ? "the server closed the connection during the handshake"
                                       : "no handshake response: " + io_error_.message());
        }
        std::size_t consumed = 0;
        const auto bytes = std::span<std::uint8_t>(rd_buf_).first(n);
        const auto status = parser.feed(bytes, consumed);
        if (status == proto::http_parser::status::need_more) {
            continue;
        }
        if (status == proto::http_parser::status::error) {
            stream_->close();
            return fail(parser.error(), "malformed handshake response: " +
                                            std::string(parser.error_detail()));
        }
        response_head_ = parser.head();
        if (const auto violation = proto::check_response(response_head_, request_, accepted_)) {
            stream_->close();
            std::string detail = "handshake refused: " + describe_violation(violation);
            if (violation == proto::violation::bad_status) {
                detail = "handshake refused: the server answered " +
                         std::to_string(response_head_.status) + " " + response_head_.reason +
                         " instead of 101";
            }
            return fail(violation, detail);
        }
        // RFC 7692 5: the client fails the connection on a response it cannot accept.
        std::optional<proto::deflate_agreement> deflate;
        if (const auto violation = proto::check_deflate_response(options_.deflate_offers,
                                                                 accepted_.extensions, deflate)) {
            stream_->close();
            return fail(violation, "handshake refused: " + describe_violation(violation));
        }
        proto::session_options session_options;
        session_options.local_role = proto::role::client;
        session_options.max_message_size = options_.max_message_size;
        session_options.deflate = deflate;
        session_options.deflate_min_size = options_.deflate_min_size;
        session_.emplace(std::move(session_options));
        // Bytes after the head are the server's first frames; their events wait in the
        // session for receive().
        const auto leftover = bytes.subspan(consumed);
        if (!leftover.empty()) {
            session_->receive(leftover);
        }
        pump();
        return {};
    }
}

bool reference_client::pop_event(proto::session_event& out) {
    if (!session_->next_event(out)) {
        return false;
    }
    // The event's answer (Pong, Close echo, failing Close) is in the session's output now,
    // behind whatever the application sent for the events before it; and the queue may have
    // emptied, so reading goes on.
    pump();
    return true;
}

bool reference_client::take_events_until_close() {
    proto::session_event event;
    while (!session_->peer_close() && !session_->failure() && pop_event(event)) {
        events_.push_back(std::move(event));
        event = {};
    }
    return session_->peer_close().has_value() || session_->failure() || transport_closed();
}

// Writes whatever the session has to send (our messages, its Pongs and Close replies) and
// keeps one read outstanding until the transport ends, except while the session holds events
// the application has not taken: what comes after them is read once they are taken, so an
// answer to an event never overtakes the application's answer to the one before it.
void reference_client::pump() {
    // After EOF the stream is closed (on_read): nothing more can be written or read.
    if (!session_ || !stream_ || io_error_ || eof_) {
        return;
    }
    if (!writing_) {
        const auto out = session_->output();
        if (!out.empty()) {
            wr_buf_.assign(out.begin(), out.end());
            session_->consume_output(out.size());
            writing_ = true;
            stream_->async_write_all(wr_buf_, options_.timeout, [this](std::error_code ec, std::size_t) {
                writing_ = false;
                if (ec) {
                    io_error_ = ec;
                    detail_ = "write failed: " + ec.message();
                    stream_->close();
                    return;
                }
                pump();
            });
        }
    }
    // After the closing handshake we still read: the server closes TCP first (7.1.1) and
    // its EOF is what we wait for.
    if (!reading_ && !eof_ && !session_->has_event()) {
        reading_ = true;
        stream_->async_read_some(rd_buf_, net::no_deadline,
                                 [this](std::error_code ec, std::size_t n) { on_read(ec, n); });
    }
}

void reference_client::on_read(std::error_code ec, std::size_t n) {
    reading_ = false;
    if (ec) {
        if (ec == net::eof_error()) {
            eof_ = true;
        } else if (!io_error_) {
            io_error_ = ec;
            detail_ = "read failed: " + ec.message();
        }
        // 7.1.5: a transport that ends before the closing handshake is an abnormal closure;
        // the session reports it as a close event with 1006.
        session_->receive_eof();
        stream_->close();
        return;
    }
    session_->receive(std::span<std::uint8_t>(rd_buf_).first(n));
    pump();
}

std::error_code reference_client::flush(net::clock::time_point until) {
    pump();
    const bool flushed = run_until(
        [&] { return io_error_ || eof_ || (!writing_ && session_->output().empty()); },
        until + completion_slack);
    if (io_error_) {
        return io_error_;
    }
    if (eof_ && (writing_ || !session_->output().empty())) {
        // The peer ended the transport before our data could go out.
        return fail(client_error::connection_closed, "the connection is closed");
    }
    if (!flushed) {
        io_error_ = net::timed_out_error();
        stream_->close();
        return fail(io_error_, "the peer did not take our data within the timeout");
    }
    return {};
}

std::error_code reference_client::send_text(std::string_view text) {
    if (state() != proto::session_state::open) {
        return fail(client_error::not_open, "cannot send: the connection is not open");
    }
    session_->send_text(text);
    return flush(deadline());
}

std::error_code reference_client::send_binary(std::span<const std::uint8_t> data) {
    if (state() != proto::session_state::open) {
        return fail(client_error::not_open, "cannot send: the connection is not open");
    }
    session_->send_binary(data);
    return flush(deadline());
}

std::error_code reference_client::send_fragmented(
    proto::opcode op, std::span<const std::span<const std::uint8_t>> pieces) {
    if (state() != proto::session_state::open) {
        return fail(client_error::not_open, "cannot send: the connection is not open");
    }
    session_->send_fragmented(op, pieces);
    return flush(deadline());
}

std::error_code reference_client::ping(std::span<const std::uint8_t> payload) {
    if (state() != proto::session_state::open) {
        return fail(client_error::not_open, "cannot ping: the connection is not open");
    }
    session_->send_ping(payload);
    return flush(deadline());
}

std::error_code reference_client::receive(proto::session_event& out) {
    if (!session_) {
        return fail(client_error::not_open, "not connected");
    }
    // Events close() took out of the session while waiting for the peer's Close come first.
    if (!events_.empty()) {
        out = std::move(events_.front());
        events_.pop_front();
        return {};
    }
    pump();
    // One event at a time: its answer goes out only now, after everything the application
    // sent for the events before it (an echo client's echo goes out before the Close that
    // fails the connection on the bad frame behind the message).
    bool got = false;
    run_until([&] { return (got = pop_event(out)) || transport_closed(); }, deadline());
    if (!got) {
        got = pop_event(out); // the transport ended with events still queued
    }
    if (got) {
        return {};
    }
    if (transport_closed()) {
        return fail(client_error::connection_closed, "the connection is closed");
    }
    return fail(net::timed_out_error(), "nothing received within the timeout");
}

std::error_code reference_client::close(std::optional<std::uint16_t> code, std::string_view reason,
                                        proto::session_event* reply) {
    if (!session_) {
        return fail(client_error::not_open, "not connected");
    }
    const auto until = deadline();
    if (session_->state() == proto::session_state::open) {
        session_->close(code, reason);
    }
    pump();
    // The peer's Close (or the end of the transport), then the server's TCP close (7.1.1).
    // Events before the Close are taken out of the session (answering them) and kept for
    // receive().
    run_until([&] { return take_events_until_close(); }, until);
    take_events_until_close();
    run_until([&] { return transport_closed(); }, until);
    if (!transport_closed()) {
        // 7.1.1: after a reasonable wait, the client may close the connection itself.
        stream_->close();
        eof_ = true;
    }
    // A session that failed the connection ignores everything after its own Close.
    if (session_->failure()) {
        return fail(session_->failure(), "the peer broke the protocol: " +
                                             describe_violation(session_->failure()));
    }
    const auto& peer_close = session_->peer_close();
    if (!peer_close) {
        return fail(client_error::connection_closed,
                    io_error_ ? "no Close frame from the peer: " + io_error_.message()
                              : std::string("no Close frame from the peer within the timeout"));
    }
    // The Close is answered here rather than by receive(): take it out of the queue.
    const auto queued = std::find_if(events_.begin(), events_.end(), [](const auto& e) {
        return e.what == proto::session_event::kind::close;
    });
    if (queued != events_.end()) {
        events_.erase(queued);
    }
    if (reply != nullptr) {
        *reply = {};
        reply->what = proto::session_event::kind::close;
        reply->code = peer_close->code;
        reply->reason = peer_close->reason;
    }
    return {};
}

} // namespace wscheck::client
