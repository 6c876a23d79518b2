#include "harness/net/stream.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/write.hpp>

namespace wscheck::net {

std::error_code timed_out_error() noexcept {
    return make_error_code(asio::error::timed_out);
}

std::error_code eof_error() noexcept {
    return make_error_code(asio::error::eof);
}

std::shared_ptr<stream> stream::make_client(asio::io_context& io, ssl::context* tls) {
    return std::shared_ptr<stream>(new stream(tcp::socket(io), tls));
}

std::shared_ptr<stream> stream::adopt(tcp::socket socket, ssl::context* tls) {
    return std::shared_ptr<stream>(new stream(std::move(socket), tls));
}

stream::stream(tcp::socket socket, ssl::context* tls)
    : resolver_(socket.get_executor()),
      connect_deadline_(socket.get_executor()),
      read_deadline_(socket.get_executor()),
      write_deadline_(socket.get_executor()) {
    if (tls != nullptr) {
        tls_ = std::make_unique<ssl::stream<tcp::socket>>(std::move(socket), *tls);
    } else {
        tcp_.emplace(std::move(socket));
    }
}

stream::~stream() { close(); }

tcp::socket& stream::socket() noexcept { return tls_ ? tls_->next_layer() : *tcp_; }

bool stream::is_open() const noexcept {
    return tls_ ? tls_->next_layer().is_open() : tcp_->is_open();
}

void stream::close() noexcept {
    boost::system::error_code ignored;
    resolver_.cancel();
    socket().close(ignored);
}

void stream::abort(std::error_code reason) noexcept {
    if (!abort_reason_) {
        abort_reason_ = reason;
    }
    close();
}

// Each deadline has a generation: a timer that fires after its operation completed (the
// completion and the expiry raced) sees a newer generation and does nothing.
void stream::arm(deadline& d, duration timeout) {
    ++d.generation;
    d.expired = false;
    if (timeout == no_deadline) {
        d.timer.cancel();
        return;
    }
    d.timer.expires_after(timeout);
    d.timer.async_wait([self = shared_from_this(), &d, generation = d.generation](
                           const boost::system::error_code& ec) {
        if (ec || generation != d.generation) {
            return;
        }
        d.expired = true;
        self->abort(timed_out_error());
    });
}

std::error_code stream::disarm(deadline& d, const boost::system::error_code& ec) {
    ++d.generation;
    d.timer.cancel();
    if (d.expired) {
        return timed_out_error();
    }
    // An operation that fails because the stream was aborted reports why it was.
    if (ec && abort_reason_ &&
        (ec == asio::error::operation_aborted || ec == asio::error::bad_descriptor)) {
        return abort_reason_;
    }
    return ec;
}

void stream::async_connect(std::string host, std::uint16_t port, duration timeout,
                           completion handler) {
    arm(connect_deadline_, timeout);
    auto finish = [self = shared_from_this(), handler = std::move(handler)](
                      const boost::system::error_code& ec) {
        handler(self->disarm(self->connect_deadline_, ec));
    };
    resolver_.async_resolve(
        host, std::to_string(port),
        [self = shared_from_this(), host, finish = std::move(finish)](
            const boost::system::error_code& ec, const tcp::resolver::results_type& results) {
            if (ec) {
                finish(ec);
                return;
            }
            asio::async_connect(
                self->socket(), results,
                [self, host, finish](const boost::system::error_code& connect_ec,
                                     const tcp::endpoint&) {
                    if (connect_ec) {
                        finish(connect_ec);
                        return;
                    }
                    boost::system::error_code ignored;
                    self->socket().set_option(tcp::no_delay(true), ignored);
                    if (!self->tls_) {
                        finish(connect_ec);
                        return;
                    }
                    boost::system::error_code not_address;
                    (void)asio::ip::make_address(host, not_address);
                    // RFC 6066 3: SNI carries host names only, never address literals.
                    if (not_address) {
                        // SSL_set_tlsext_host_name() without its macro's old-style cast.
                        SSL_ctrl(self->tls_->native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME,
                                 TLSEXT_NAMETYPE_host_name, const_cast<char*>(host.c_str()));
                    }
                    // Called only when the context verifies peers (verify_peer).
                    self->tls_->set_verify_callback(ssl::host_name_verification(host));
                    self->tls_->async_handshake(ssl::stream_base::client, finish);
                });
        });
}

void stream::async_accept_tls(duration timeout, completion handler) {
    if (!tls_) {
        asio::post(get_executor(), [handler = std::move(handler)] { handler({}); });
        return;
    }
    arm(connect_deadline_, timeout);
    tls_->async_handshake(ssl::stream_base::server,
                          [self = shared_from_this(), handler = std::move(handler)](
                              const boost::system::error_code& ec) {
                              handler(self->disarm(self->connect_deadline_, ec));
                          });
}

void stream::async_write_all(std::span<const std::uint8_t> data, duration timeout,
                             io_completion handler) {
    arm(write_deadline_, timeout);
    auto done = [self = shared_from_this(), data, handler = std::move(handler)](
                    const boost::system::error_code& ec, std::size_t n) {
        if (self->log_ && n != 0) {
            self->log_->record(direction::sent, data.first(n));
        }
        handler(self->disarm(self->write_deadline_, ec), n);
    };
    const auto buffer = asio::buffer(data.data(), data.size());
    if (tls_) {
        asio::async_write(*tls_, buffer, std::move(done));
    } else {
        asio::async_write(*tcp_, buffer, std::move(done));
    }
}

void stream::async_read_some(std::span<std::uint8_t> buffer, duration timeout,
                             io_completion handler) {
    arm(read_deadline_, timeout);
    auto done = [self = shared_from_this(), buffer, handler = std::move(handler)](
                    const boost::system::error_code& ec, std::size_t n) {
        if (self->log_ && n != 0) {
            self->log_->record(direction::received, buffer.first(n));
        }
        handler(self->disarm(self->read_deadline_, ec), n);
    };
    const auto buf = asio::buffer(buffer.data(), buffer.size());
    if (tls_) {
        tls_->async_read_some(buf, std::move(done));
    } else {
        tcp_->async_read_some(buf, std::move(done));
    }
}

void stream::async_shutdown(duration timeout, completion handler) {
    if (!is_open()) {
        asio::post(get_executor(), [handler = std::move(handler)] { handler({}); });
        return;
    }
    arm(connect_deadline_, timeout);
    auto finish = [self = shared_from_this(), handler = std::move(handler)](
                      const boost::system::error_code& ec) {
        auto result = self->disarm(self->connect_deadline_, ec);
        self->close();
        // The peer closing without its own close_notify or FIN reply is how many peers
        // end a connection; only a timeout is worth reporting.
        handler(result == timed_out_error() ? result : std::error_code{});
    };
    if (tls_) {
        tls_->async_shutdown(std::move(finish));
        return;
    }
    boost::system::error_code ec;
    tcp_->shutdown(tcp::socket::shutdown_send, ec);
    if (ec) {
        finish(ec);
        return;
    }
    drain(std::move(finish));
}

// Reads and discards until EOF or an error, under the deadline armed by async_shutdown.
void stream::drain(std::function<void(const boost::system::error_code&)> handler) {
    tcp_->async_read_some(
        asio::buffer(drain_buffer_),
        [self = shared_from_this(), handler = std::move(handler)](
            const boost::system::error_code& ec, std::size_t n) mutable {
            if (self->log_ && n != 0) {
                self->log_->record(direction::received,
                                   std::span<const std::uint8_t>(self->drain_buffer_).first(n));
            }
            if (ec) {
                handler(ec == asio::error::eof ? boost::system::error_code{} : ec);
                return;
            }
            self->drain(std::move(handler));
        });
}

bool run_until(asio::io_context& io, const std::function<bool()>& done,
               clock::time_point deadline) {
    if (done()) {
        return true;
    }
    io.restart();
    while (!done()) {
        if (clock::now() >= deadline) {
            return false;
        }
        // run_one_until returns 0 both on timeout and when no work is left.
        if (io.run_one_until(deadline) == 0 && io.stopped()) {
            return done();
        }
    }
    return true;
}

} // namespace wscheck::net
