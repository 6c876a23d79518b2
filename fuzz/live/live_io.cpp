#include "fuzz/live/live_io.hpp"

#include "fuzz/live/case_seeds.hpp"
#include "harness/proto/handshake.hpp"
#include "harness/proto/http1.hpp"
#include "harness/proto/session.hpp"

#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <array>
#include <memory>
#include <vector>

namespace wscheck::fuzz {

namespace {

using net::clock;

bool is_refused(const std::error_code& ec) {
    return ec == std::errc::connection_refused;
}

/// Connect failures that are about our machine, not the server: no ephemeral port, descriptor
/// or buffer left, no route.
bool is_local(const std::error_code& ec) {
    return ec == std::errc::address_not_available || ec == std::errc::too_many_files_open ||
           ec == std::errc::too_many_files_open_in_system || ec == std::errc::no_buffer_space ||
           ec == std::errc::not_enough_memory || ec == std::errc::network_unreachable ||
           ec == std::errc::host_unreachable;
}

/// Lets the handlers of a closed stream run (they complete at once with operation_aborted)
/// before the io_context and the state they refer to go away.
void drain(net::asio::io_context& io) {
    io.restart();
    io.run_for(std::chrono::milliseconds{200});
}

/// The state of one input's connection; handlers refer to it, so it outlives the io_context's run.
struct input_state {
    explicit input_state(net::asio::io_context& io) : pause(io), quiet(io) {}
    net::asio::steady_timer pause;
    net::asio::steady_timer quiet;
    std::array<std::uint8_t, 16 * 1024> buffer{};
    bool connected = false;
    bool connect_done = false;
    bool writes_done = false;
    bool read_done = false;   ///< EOF, reset, or any read error: the server closed
    bool quiet_passed = false;
    bool flooded = false;
    std::size_t next_write = 0;
};

} // namespace

input_result send_input(const target& t, const fuzz_input& in, const io_limits& limits) {
    input_result res;
    net::asio::io_context io;
    input_state st{io};
    auto s = net::stream::make_client(io, t.url.secure ? t.tls : nullptr);

    std::function<void()> read_more = [&] {
        s->async_read_some(st.buffer, net::no_deadline, [&](std::error_code ec, std::size_t n) {
            if (ec) {
                st.read_done = true;
                return;
            }
            res.bytes_read += n;
            if (res.bytes_read > limits.read_cap) {
                st.flooded = true;
                return;
            }
            if (s->is_tls() && st.writes_done) {
                st.quiet.expires_after(limits.tls_quiet);
                st.quiet.async_wait([&](const boost::system::error_code& e) { st.quiet_passed = st.quiet_passed || !e; });
            }
            read_more();
        });
    };
    std::function<void()> write_next = [&] {
        if (st.next_write >= in.writes.size()) {
            st.writes_done = true;
            return;
        }
        const timed_write& w = in.writes[st.next_write++];
        auto write = [&] {
            s->async_write_all(w.bytes, limits.write_timeout, [&](std::error_code ec, std::size_t n) {
                res.bytes_written += n;
                if (ec) {
                    // A server may drop the connection after any violation: writing ends here.
                    st.writes_done = true;
                    return;
                }
                write_next();
            });
        };
        if (w.pause.count() > 0) {
            st.pause.expires_after(w.pause);
            st.pause.async_wait([write](const boost::system::error_code& ec) {
                if (!ec) {
                    write();
                }
            });
        } else {
            write();
        }
    };

    s->async_connect(t.url.host, t.url.port, limits.connect_timeout, [&](std::error_code ec) {
        st.connect_done = true;
        if (ec) {
            res.error = ec;
            return;
        }
        st.connected = true;
        read_more();
        write_next();
    });
    const auto write_bound = limits.connect_timeout + in.total_pause() +
                             limits.write_timeout * static_cast<long>(in.writes.size()) + std::chrono::seconds{1};
    net::run_until(io, [&] { return st.connect_done && (!st.connected || st.writes_done || st.read_done || st.flooded); },
                   clock::now() + write_bound);
    if (!st.connected) {
        res.what = input_result::status::not_connected;
        if (!res.error) {
            res.error = net::timed_out_error();
        }
    } else if (!st.read_done && !st.flooded) {
        st.writes_done = true;
        if (!s->is_tls()) {
            // Our FIN: the server reads EOF and, whatever state the input left it in, should
            // close its side (RFC 6455 7.1.5: the TCP connection is closed).
            boost::system::error_code ignored;
            s->socket().shutdown(net::tcp::socket::shutdown_send, ignored);
        } else {
            // TLS has no half-close here (close_notify would end our reads too): silence ends it.
            st.quiet.expires_after(limits.tls_quiet);
            st.quiet.async_wait([&](const boost::system::error_code& e) { st.quiet_passed = st.quiet_passed || !e; });
        }
        net::run_until(io, [&] { return st.read_done || st.flooded || st.quiet_passed; },
                       clock::now() + limits.close_timeout);
        if (st.flooded) {
            res.what = input_result::status::flooded;
        } else if (st.read_done) {
            res.what = input_result::status::closed;
        } else {
            res.what = s->is_tls() ? input_result::status::tls_ended : input_result::status::still_open;
        }
    } else {
        res.what = st.flooded ? input_result::status::flooded : input_result::status::closed;
    }
    s->close();
    st.pause.cancel();
    st.quiet.cancel();
    drain(io);
    return res;
}

namespace {

/// Synchronous steps on one stream, each bounded by the probe's deadline.
class probe_connection {
public:
    probe_connection(const target& t, clock::time_point deadline)
        : stream_(net::stream::make_client(io_, t.url.secure ? t.tls : nullptr)), deadline_(deadline) {}
    ~probe_connection() {
        stream_->close();
        drain(io_);
    }
    probe_connection(const probe_connection&) = delete;
    probe_connection& operator=(const probe_connection&) = delete;

    std::error_code connect(const target& t) {
        std::error_code result = net::timed_out_error();
        bool done = false;
        stream_->async_connect(t.url.host, t.url.port, left(), [&](std::error_code ec) {
            result = ec;
            done = true;
        });
        finish(done);
        return result;
    }
    std::error_code write(std::span<const std::uint8_t> data) {
        std::error_code result = net::timed_out_error();
        bool done = false;
        stream_->async_write_all(data, left(), [&](std::error_code ec, std::size_t) {
            result = ec;
            done = true;
        });
        finish(done);
        return result;
    }
    std::error_code read(std::span<std::uint8_t> into, std::size_t& n) {
        std::error_code result = net::timed_out_error();
        bool done = false;
        stream_->async_read_some(into, left(), [&](std::error_code ec, std::size_t got) {
            result = ec;
            n = got;
            done = true;
        });
        finish(done);
        return result;
    }

private:
    net::duration left() const {
        const auto now = clock::now();
        return now >= deadline_ ? net::duration{1} : deadline_ - now;
    }
    void finish(const bool& done) {
        // The stream's own deadline ends every operation; this bound is a second guard.
        net::run_until(io_, [&] { return done; }, deadline_ + std::chrono::milliseconds{500});
        if (!done) {
            stream_->close();
            drain(io_);
        }
    }

    net::asio::io_context io_;
    std::shared_ptr<net::stream> stream_;
    clock::time_point deadline_;
};

/// `step` names what the probe was doing: "connecting", "waiting for the 101", ...
probe_result failed_probe(const std::error_code& ec, std::string_view step, bool connected) {
    probe_result r;
    r.connected = connected;
    if (ec == net::timed_out_error()) {
        r.what = probe_result::status::timed_out;
        r.detail = "no answer in time while " + std::string{step};
    } else if (!connected && is_refused(ec)) {
        r.what = probe_result::status::refused;
        r.detail = "connection refused";
    } else if (!connected && is_local(ec)) {
        r.what = probe_result::status::local_error;
        r.detail = "cannot connect: " + ec.message();
    } else {
        r.what = probe_result::status::broken;
        r.detail = (ec == net::eof_error() ? std::string{"connection closed"} : ec.message()) + " while " +
                   std::string{step};
    }
    return r;
}

} // namespace

probe_result probe(const target& t, std::string_view message, const io_limits& limits) {
    const auto deadline = clock::now() + limits.probe_timeout;
    probe_connection c{t, deadline};
    if (const auto ec = c.connect(t)) {
        return failed_probe(ec, "connecting", false);
    }
    proto::client_request req;
    req.host = t.url.host_field();
    req.target = t.url.target;
    req.key = std::string{fuzz_key};
    const proto::deflate_offer offer{}; // permessage-deflate, no parameters: any server's choice
    if (t.deflate) {
        req.extensions = proto::format_deflate_offers(std::span{&offer, 1});
    }
    const std::string request = proto::build_request(req);
    if (const auto ec = c.write({reinterpret_cast<const std::uint8_t*>(request.data()), request.size()})) {
        return failed_probe(ec, "writing the opening handshake", true);
    }

    // 4.1: the response head, then the frames that may follow it in the same read.
    proto::http_parser parser{proto::http_parser::kind::response};
    std::array<std::uint8_t, 4096> buf{};
    std::vector<std::uint8_t> after_head;
    for (;;) {
        std::size_t n = 0;
        if (const auto ec = c.read(buf, n)) {
            return failed_probe(ec, "waiting for the handshake response", true);
        }
        std::size_t used = 0;
        const auto st = parser.feed(std::span<const std::uint8_t>{buf.data(), n}, used);
        if (st == proto::http_parser::status::error) {
            return {probe_result::status::broken,
                    "malformed handshake response: " + std::string{parser.error_detail()}, true};
        }
        if (st == proto::http_parser::status::done) {
            after_head.assign(buf.begin() + static_cast<std::ptrdiff_t>(used), buf.begin() + static_cast<std::ptrdiff_t>(n));
            break;
        }
    }
    proto::accepted_response accepted;
    if (const auto ec = proto::check_response(parser.head(), req, accepted)) {
        return {probe_result::status::broken,
                "handshake refused: status " + std::to_string(parser.head().status) + " (" + ec.message() + ")", true};
    }

    proto::session_options so;
    so.local_role = proto::role::client;
    if (t.deflate) {
        if (const auto ec = proto::check_deflate_response(std::span{&offer, 1}, accepted.extensions, so.deflate)) {
            return {probe_result::status::broken, "answered the permessage-deflate offer wrongly: " + ec.message(), true};
        }
    }
    proto::session session{so};
    session.send_text(message);
    auto flush = [&]() -> std::error_code {
        const auto out = session.output();
        if (out.empty()) {
            return {};
        }
        const std::vector<std::uint8_t> copy{out.begin(), out.end()};
        session.consume_output(copy.size());
        return c.write(copy);
    };
    if (const auto ec = flush()) {
        return failed_probe(ec, "writing the probe message", true);
    }
    proto::session_event ev;
    session.receive(after_head);
    std::size_t received = 0;
    for (;;) {
        while (session.next_event(ev)) {
            if (ev.what == proto::session_event::kind::text && ev.text() == message) {
                session.close(proto::close_code::normal);
                (void)flush();
                return {probe_result::status::alive, "", true};
            }
            if (ev.what == proto::session_event::kind::ping || ev.what == proto::session_event::kind::pong) {
                continue;
            }
            return {probe_result::status::broken,
                    ev.what == proto::session_event::kind::close
                        ? "closed the probe connection with code " + std::to_string(ev.code.value_or(1005))
                        : ev.what == proto::session_event::kind::failed
                              ? "sent a frame breaking RFC 6455: " + ev.error.message()
                              : "answered the probe message with another message",
                    true};
        }
        (void)flush(); // pongs
        std::size_t n = 0;
        if (const auto ec = c.read(buf, n)) {
            return failed_probe(ec, "waiting for the echo", true);
        }
        received += n;
        if (received > 64 * 1024) {
            return {probe_result::status::broken, "sent more than 64 KiB instead of the echo", true};
        }
        session.receive(std::span<std::uint8_t>{buf.data(), n});
    }
}

std::string_view to_string(probe_result::status s) noexcept {
    switch (s) {
    case probe_result::status::alive: return "alive";
    case probe_result::status::refused: return "refused";
    case probe_result::status::timed_out: return "timed out";
    case probe_result::status::broken: return "broken";
    case probe_result::status::local_error: return "local error";
    }
    return "?";
}

} // namespace wscheck::fuzz
