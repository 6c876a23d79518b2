#include "harness/server/connection.hpp"

#include "harness/proto/error.hpp"
#include "harness/proto/extension_params.hpp"

#include <boost/asio/error.hpp>

#include <algorithm>

namespace wscheck::server {

namespace {

constexpr std::size_t read_buffer_size = 64 * 1024;

std::string describe(const std::error_code& ec) {
    if (const auto* row = proto::info(ec)) {
        // RFC 7692's sections name their RFC; RFC 6455's are bare numbers.
        const bool named = row->section.starts_with("RFC");
        return std::string(row->message) + " (" + (named ? "" : "RFC 6455 ") +
               std::string(row->section) + ")";
    }
    return ec.message();
}

} // namespace

connection::connection(std::shared_ptr<net::stream> stream,
                       std::shared_ptr<const server_options> options, std::function<void()> on_done)
    : stream_(std::move(stream)),
      options_(std::move(options)),
      on_done_(std::move(on_done)),
      head_parser_(proto::http_parser::kind::request, options_->http),
      rd_buf_(read_buffer_size),
      idle_timer_(stream_->get_executor()),
      close_timer_(stream_->get_executor()) {
    boost::system::error_code ec;
    const auto remote = stream_->socket().remote_endpoint(ec);
    if (!ec) {
        peer_ = remote.address().to_string() + ":" + std::to_string(remote.port());
    }
}

void connection::log(std::string_view what) const {
    if (options_->on_log) {
        options_->on_log("connection " + peer_ + ": " + std::string(what));
    }
}

void connection::start() {
    handshake_deadline_ = net::clock::now() + options_->handshake_timeout;
    phase_ = phase::tls;
    stream_->async_accept_tls(handshake_time_left(), [self = shared_from_this()](std::error_code ec) {
        if (self->phase_ != phase::tls) {
            return;
        }
        if (ec) {
            self->log("TLS handshake failed: " + ec.message());
            self->finish();
            return;
        }
        self->phase_ = phase::http;
        self->read_head();
    });
}

net::duration connection::handshake_time_left() const {
    return std::max(net::duration::zero(), handshake_deadline_ - net::clock::now());
}

void connection::read_head() {
    reading_ = true;
    stream_->async_read_some(rd_buf_, handshake_time_left(),
                             [self = shared_from_this()](std::error_code ec, std::size_t n) {
                                 self->reading_ = false;
                                 self->on_head(ec, n);
                             });
}

void connection::on_head(std::error_code ec, std::size_t n) {
    if (phase_ != phase::http) {
        finish();
        return;
    }
    if (ec) {
        if (ec == net::timed_out_error()) {
            log("no complete handshake within the handshake timeout");
        }
        finish();
        return;
    }
    std::size_t consumed = 0;
    const auto bytes = std::span<std::uint8_t>(rd_buf_).first(n);
    switch (head_parser_.feed(bytes, consumed)) {
    case proto::http_parser::status::need_more:
        read_head();
        return;
    case proto::http_parser::status::error:
        reject(head_parser_.error(), head_parser_.error_detail());
        return;
    case proto::http_parser::status::done:
        break;
    }
    proto::accepted_request request;
    if (const auto violation = proto::check_request(head_parser_.head(), request)) {
        reject(violation, {});
        return;
    }
    // A GET with content (RFC 9110 9.3.1 lets a server refuse it): the WebSocket protocol
    // would start only after the content (RFC 9110 7.8), and reading that content as frames
    // is how a server and a proxy in front of it come to disagree about where a request ends.
    const auto& head = head_parser_.head();
    const auto length = head.values("Content-Length");
    if (head.count("Transfer-Encoding") != 0 ||
        std::any_of(length.begin(), length.end(), [](std::string_view v) { return v != "0"; })) {
        reject(make_error_code(proto::violation::http_malformed), "a GET upgrade request with content");
        return;
    }
    // Bytes after the head are the client's first frames (it may send them before our 101).
    accept(request, bytes.subspan(consumed));
}

void connection::reject(std::error_code violation, std::string_view detail) {
    log("rejected handshake: " + describe(violation) +
        (detail.empty() ? "" : ": " + std::string(detail)));
    phase_ = phase::rejecting;
    const auto response = proto::build_rejection(violation);
    wr_buf_.assign(response.begin(), response.end());
    writing_ = true;
    stream_->async_write_all(wr_buf_, options_->write_timeout,
                             [self = shared_from_this()](std::error_code ec, std::size_t) {
                                 self->writing_ = false;
                                 if (ec) {
                                     self->finish();
                                     return;
                                 }
                                 self->teardown();
                             });
}

void connection::accept(const proto::accepted_request& request, std::span<std::uint8_t> leftover) {
    // No subprotocol is chosen, and no extension but permessage-deflate when it is on: a
    // server may decline every offer (4.2.2, 9.1; RFC 7692 5).
    std::optional<proto::deflate_agreement> deflate;
    std::string extensions;
    if (options_->deflate) {
        if (const auto accepted = proto::negotiate_deflate(request.extensions, *options_->deflate)) {
            extensions = proto::format_extensions({proto::to_extension(accepted->response)});
            deflate = accepted->agreement;
        }
    }
    const auto response = proto::build_response(request.key, {}, extensions);
    wr_next_.assign(response.begin(), response.end());

    proto::session_options session_options;
    session_options.local_role = proto::role::server;
    session_options.max_message_size = options_->max_message_size;
    session_options.deflate = deflate;
    session_options.deflate_min_size = options_->deflate_min_size;
    session_options.deflate_level = options_->deflate_level;
    session_options.deflate_compress_limit = options_->deflate_compress_limit;
    session_.emplace(std::move(session_options));
    phase_ = phase::open;
    arm_idle_timer();
    if (!leftover.empty()) {
        session_->receive(leftover);
        handle_events();
    }
    pump();
}

void connection::arm_idle_timer() {
    idle_timer_.expires_after(options_->idle_timeout);
    idle_timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
        // A reset (expires_after) cancels the wait: only a real expiry gets here without ec.
        if (ec || self->phase_ != phase::open) {
            return;
        }
        self->log("idle timeout");
        self->start_closing(proto::close_code::going_away, "idle timeout");
    });
}

boost::asio::any_io_executor connection::executor() const { return stream_->get_executor(); }

void connection::go_away(std::string_view reason) {
    switch (phase_) {
    case phase::tls:
    case phase::http:
        abort();
        return;
    case phase::open:
        start_closing(proto::close_code::going_away, reason);
        return;
    case phase::rejecting:
    case phase::teardown:
    case phase::aborting:
    case phase::done:
        return; // already on its way out, with its own deadline
    }
}

void connection::start_closing(std::uint16_t code, std::string_view reason) {
    if (!session_ || session_->state() != proto::session_state::open) {
        return;
    }
    session_->close(code, reason);
    // 7.1.1: we wait for the peer's Close, but not for ever.
    close_timer_.expires_after(options_->close_timeout);
    close_timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
        if (ec || self->phase_ != phase::open) {
            return;
        }
        self->log("no Close frame in reply within the close timeout");
        self->abort();
    });
    pump();
}

void connection::on_read(std::error_code ec, std::size_t n) {
    reading_ = false;
    if (phase_ != phase::open) {
        if (phase_ == phase::aborting && !writing_) {
            finish();
        }
        return;
    }
    if (ec) {
        // The peer is gone: before the closing handshake completed, that is an abnormal
        // closure (7.1.5); nothing more can usefully be sent.
        session_->receive_eof();
        handle_events();
        if (ec != net::eof_error()) {
            log("read failed: " + ec.message());
        }
        abort();
        return;
    }
    arm_idle_timer();
    session_->receive(std::span<std::uint8_t>(rd_buf_).first(n));
    handle_events();
    pump();
}

void connection::handle_events() {
    proto::session_event event;
    while (session_->next_event(event)) {
        switch (event.what) {
        case proto::session_event::kind::text:
            if (session_->state() == proto::session_state::open) {
                session_->send_text(event.text());
            }
            break;
        case proto::session_event::kind::binary:
            if (session_->state() == proto::session_state::open) {
                session_->send_binary(event.data);
            }
            break;
        case proto::session_event::kind::failed:
            log("failed the connection: " + describe(event.error));
            break;
        case proto::session_event::kind::ping:  // the session queued the Pong (5.5.2)
        case proto::session_event::kind::pong:  // unsolicited or not, nothing to do (5.5.3)
        case proto::session_event::kind::close: // the session queued its Close reply (5.5.1)
            break;
        }
    }
}

void connection::pump() {
    if (phase_ != phase::open) {
        return;
    }
    if (!writing_) {
        const auto out = session_->output();
        if (!wr_next_.empty() || !out.empty()) {
            wr_buf_.swap(wr_next_);
            wr_next_.clear();
            wr_buf_.insert(wr_buf_.end(), out.begin(), out.end());
            session_->consume_output(out.size());
            writing_ = true;
            stream_->async_write_all(wr_buf_, options_->write_timeout,
                                     [self = shared_from_this()](std::error_code ec, std::size_t) {
                                         self->on_write(ec);
                                     });
        }
    }
    if (session_->state() == proto::session_state::closed) {
        // 7.1.1: the server closes the TCP connection first, once its Close is written.
        if (!writing_ && !reading_) {
            teardown();
        }
        return;
    }
    const std::size_t backlog = (writing_ ? wr_buf_.size() : 0) + session_->output().size();
    const std::size_t high_water =
        static_cast<std::size_t>(std::min<std::uint64_t>(options_->max_message_size, 1u << 30)) +
        read_buffer_size;
    if (!reading_ && backlog <= high_water) {
        reading_ = true;
        // Bounded by the idle timer and the close timer rather than a per-read deadline.
        stream_->async_read_some(rd_buf_, net::no_deadline,
                                 [self = shared_from_this()](std::error_code ec, std::size_t n) {
                                     self->on_read(ec, n);
                                 });
    }
}

void connection::on_write(std::error_code ec) {
    writing_ = false;
    if (ec) {
        if (phase_ == phase::open) {
            log("write failed: " + ec.message());
            abort();
        }
        if (phase_ == phase::aborting && !reading_) {
            finish();
        }
        return;
    }
    if (phase_ == phase::aborting && !reading_) {
        finish();
        return;
    }
    // A peer slowly taking a large echo is not idle, though it sends nothing.
    if (phase_ == phase::open && session_->state() == proto::session_state::open) {
        arm_idle_timer();
    }
    pump();
}

void connection::teardown() {
    phase_ = phase::teardown;
    idle_timer_.cancel();
    close_timer_.cancel();
    stream_->async_shutdown(options_->close_timeout,
                            [self = shared_from_this()](std::error_code) { self->finish(); });
}

void connection::abort() {
    if (phase_ == phase::done || phase_ == phase::aborting) {
        return;
    }
    phase_ = phase::aborting;
    idle_timer_.cancel();
    close_timer_.cancel();
    stream_->close();
    if (!reading_ && !writing_) {
        finish();
    }
}

void connection::finish() {
    if (phase_ == phase::done) {
        return;
    }
    phase_ = phase::done;
    idle_timer_.cancel();
    close_timer_.cancel();
    stream_->close();
    if (on_done_) {
        auto done = std::move(on_done_);
        on_done_ = nullptr;
        done();
    }
}

} // namespace wscheck::server
