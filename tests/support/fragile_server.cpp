// A WebSocket echo server with planted bugs, for the live fuzzer's tests (tests/fuzz_live/) and
// for the catalog's cases about a request's content (20.5.9-13, tests/harness/cli): it serves
// like the reference server until an input that triggers one of its bugs arrives, then
// crashes, hangs or stops serving. Built from proto::session and Asio.
//
//   wscheck_fragile_server --port N --bug NAME[,NAME...]
//   (several bugs at once: a run can find two different bugs)
//   bugs:
//     abort-on-zero-ping     a Ping whose payload starts with 0x00: abort()
//     exit-on-rsv2-cont      a continuation frame header with RSV2 set: _exit(3)
//     hang-on-short-close    a Close frame header announcing a 1-byte payload (7.3.2's bad
//                            close body): that connection is never read again, never closed
//     freeze-on-tilde        a text message starting with '~': the whole server blocks
//     abort-on-inflate-ratio a compressed message that inflates to more than 32 times its
//                            compressed size plus 1 KiB: abort(), as a server does whose
//                            inflate buffer is sized from the compressed length (needs
//                            `--deflate 1`)
//     answers-content-as-request  after refusing a request, the connection stays open and what
//                            follows the head is read as the next request, its content ignored
//                            (RFC 9112 9.3 broken: the smuggled request is answered)
//     none                   no bug (a control)
// `--deflate 1` accepts permessage-deflate (RFC 7692) as the reference server does.
// `--content MODE`, what becomes of a request's content (a GET with Content-Length):
//     frames            (the default) nothing: the bytes after the head are read as frames
//     read              Content-Length bytes are read as the request's content; with Expect:
//                       100-continue a 100 (Continue) goes out first and the 101 after the
//                       content (RFC 9110 7.8); Transfer-Encoding is refused with 501
//     read-no-continue  the same, but the 101 goes out at once, without a 100
// The first stdout line is "listening on PORT" once it accepts connections; with
// `--log-accepts 1`, each accepted connection then prints "accepted N" (so that a test can see
// a fuzzer's inputs arrive, however slow the machine).
#include "harness/proto/frame_parser.hpp"
#include "harness/proto/handshake.hpp"
#include "harness/proto/http1.hpp"
#include "harness/proto/session.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include <array>
#include <chrono>
#include <cstdlib>
#include <deque>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <unistd.h>

namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using namespace wscheck;

enum class bug {
    none,
    abort_on_zero_ping,
    exit_on_rsv2_cont,
    hang_on_short_close,
    freeze_on_tilde,
    abort_on_inflate_ratio,
    answers_content_as_request,
};

enum class content_mode { frames, read, read_no_continue };

/// The bugs planted in this run.
class bug_set {
public:
    void add(bug b) { bits_ |= 1u << static_cast<unsigned>(b); }
    bool has(bug b) const { return (bits_ & (1u << static_cast<unsigned>(b))) != 0; }

private:
    unsigned bits_ = 0;
};

bug bug_named(std::string_view name) {
    return name == "abort-on-zero-ping"    ? bug::abort_on_zero_ping
           : name == "exit-on-rsv2-cont"   ? bug::exit_on_rsv2_cont
           : name == "hang-on-short-close" ? bug::hang_on_short_close
           : name == "freeze-on-tilde"     ? bug::freeze_on_tilde
           : name == "abort-on-inflate-ratio" ? bug::abort_on_inflate_ratio
           : name == "answers-content-as-request" ? bug::answers_content_as_request
                                           : bug::none;
}

class connection : public std::enable_shared_from_this<connection> {
public:
    connection(tcp::socket s, bug_set b, bool deflate, content_mode content)
        : socket_(std::move(s)), bugs_(b), deflate_(deflate), content_(content) {
        proto::frame_parser_options po;
        po.mode = proto::parse_mode::observe;
        observer_ = proto::frame_parser{po};
    }
    void start() { read(); }

private:
    void read() {
        socket_.async_read_some(asio::buffer(buf_), [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
            if (ec) {
                self->session_->receive_eof();
                self->drain_events();
                return; // the socket closes when the last reference goes
            }
            if (!self->on_bytes(std::span<std::uint8_t>{self->buf_.data(), n})) {
                self->hung_ = self;  // keeps the connection (and its socket) open forever
                return;
            }
            self->flush_then_read();
        });
    }

    /// False when the bug says: stop reading this connection.
    bool on_bytes(std::span<std::uint8_t> data) {
        while (!upgraded_ && !data.empty()) {
            if (content_left_ > 0) { // the request's content, read and dropped
                const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(content_left_, data.size()));
                content_left_ -= n;
                data = data.subspan(n);
                if (content_left_ == 0) {
                    upgrade_after_content();
                }
                continue;
            }
            std::size_t used = 0;
            const auto st = head_.feed(std::span<const std::uint8_t>{data.data(), data.size()}, used);
            if (st == proto::http_parser::status::need_more) {
                return true;
            }
            data = data.subspan(used);
            proto::accepted_request accepted;
            auto ec = st == proto::http_parser::status::done ? proto::check_request(head_.head(), accepted)
                                                              : head_.error();
            const auto length = head_.head().single("Content-Length");
            const std::uint64_t content = length ? std::strtoull(std::string{*length}.c_str(), nullptr, 10) : 0;
            if (!ec && content_ != content_mode::frames && head_.head().count("Transfer-Encoding") != 0) {
                pending_ += "HTTP/1.1 501 Not Implemented\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
                close_after_write_ = true;
                return true;
            }
            if (ec) {
                pending_ += proto::build_rejection(ec);
                if (bugs_.has(bug::answers_content_as_request)) {
                    head_ = proto::http_parser{proto::http_parser::kind::request}; // and on to the "next" request
                    continue;
                }
                close_after_write_ = true;
                return true;
            }
            response_ = handshake_response(accepted);
            if (content_ == content_mode::frames || content == 0) {
                upgrade_after_content();
                continue;
            }
            content_left_ = content;
            if (content_ == content_mode::read_no_continue) {
                pending_ += std::exchange(response_, {}); // the 101 before the content, no 100 (the bug)
            } else if (head_.head().has_token("Expect", "100-continue")) {
                pending_ += "HTTP/1.1 100 Continue\r\n\r\n";
            }
        }
        if (!upgraded_) {
            return true;
        }
        inspect(data);
        if (stop_reading_) {
            return false;
        }
        std::vector<std::uint8_t> copy{data.begin(), data.end()};
        session_->receive(copy);
        drain_events();
        return true;
    }

    /// The 101 for `accepted` (with permessage-deflate when on and offered); the session is
    /// set up for what it agreed.
    std::string handshake_response(const proto::accepted_request& accepted) {
        std::string extensions;
        if (deflate_) {
            if (const auto a = proto::negotiate_deflate(accepted.extensions, proto::deflate_server_policy{})) {
                extensions = proto::format_extensions({proto::to_extension(a->response)});
                proto::session_options so;
                so.local_role = proto::role::server;
                so.deflate = a->agreement;
                session_.emplace(so);
            }
        }
        return proto::build_response(accepted.key, {}, extensions);
    }

    /// The 101 goes out (unless it already has) and what follows is WebSocket.
    void upgrade_after_content() {
        pending_ += std::exchange(response_, {});
        upgraded_ = true;
    }

    /// The planted bugs that look at frame headers as they are on the wire.
    void inspect(std::span<const std::uint8_t> data) {
        std::vector<std::uint8_t> copy{data.begin(), data.end()}; // feed() unmasks in place
        std::span<std::uint8_t> rest{copy};
        while (!rest.empty()) {
            const auto r = observer_.feed(rest);
            rest = rest.subspan(r.consumed);
            if (r.what != proto::frame_parser::event::header) {
                if (r.consumed == 0) {
                    break;
                }
                continue;
            }
            const auto& h = observer_.header();
            if (bugs_.has(bug::exit_on_rsv2_cont) && h.op == proto::opcode::cont && h.rsv2) {
                ::_exit(3); // at once, as a crashing server goes: no destructors, no exit handlers
            }
            if (bugs_.has(bug::hang_on_short_close) && h.op == proto::opcode::close && h.length == 1) {
                stop_reading_ = true;
            }
            count_compressed(h);
        }
    }

    /// Each data message's compressed size as its headers announce it (0: not compressed),
    /// in order, for abort-on-inflate-ratio to compare with what it inflates to.
    void count_compressed(const proto::frame_header& h) {
        if (h.op == proto::opcode::text || h.op == proto::opcode::binary) {
            message_compressed_ = h.rsv1;
            message_bytes_ = h.length;
        } else if (h.op == proto::opcode::cont) {
            message_bytes_ += h.length;
        } else {
            return;
        }
        if (h.fin) {
            compressed_sizes_.push_back(message_compressed_ ? message_bytes_ : 0);
        }
    }

    void check_inflate_ratio(std::size_t inflated) {
        if (compressed_sizes_.empty()) {
            return;
        }
        const std::uint64_t compressed = compressed_sizes_.front();
        compressed_sizes_.pop_front();
        if (bugs_.has(bug::abort_on_inflate_ratio) && compressed > 0 && inflated > 32 * compressed + 1024) {
            std::abort(); // the buffer of 32 x the compressed size has overflowed
        }
    }

    void drain_events() {
        while (session_->next_event(ev_)) {
            using kind = proto::session_event::kind;
            if (ev_.what == kind::text || ev_.what == kind::binary) {
                check_inflate_ratio(ev_.data.size());
            }
            if (ev_.what == kind::ping && bugs_.has(bug::abort_on_zero_ping) && !ev_.data.empty() && ev_.data[0] == 0x00) {
                std::abort();
            }
            if (ev_.what == kind::text) {
                if (bugs_.has(bug::freeze_on_tilde) && !ev_.data.empty() && ev_.data[0] == '~') {
                    for (;;) {
                        std::this_thread::sleep_for(std::chrono::hours{1});
                    }
                }
                session_->send_text(ev_.text());
            } else if (ev_.what == kind::binary) {
                session_->send_binary(ev_.data);
            }
        }
        const auto out = session_->output();
        pending_.append(reinterpret_cast<const char*>(out.data()), out.size());
        session_->consume_output(out.size());
        if (session_->close_transport()) {
            close_after_write_ = true;
        }
    }

    void flush_then_read() {
        if (pending_.empty()) {
            if (close_after_write_) {
                return;
            }
            read();
            return;
        }
        auto data = std::make_shared<std::string>(std::move(pending_));
        pending_.clear();
        asio::async_write(socket_, asio::buffer(*data),
                          [self = shared_from_this(), data](boost::system::error_code ec, std::size_t) {
                              if (!ec && !self->close_after_write_) {
                                  self->read();
                              }
                          });
    }

    tcp::socket socket_;
    bug_set bugs_;
    std::array<std::uint8_t, 16 * 1024> buf_{};
    proto::http_parser head_{proto::http_parser::kind::request};
    proto::frame_parser observer_;
    std::optional<proto::session> session_{std::in_place};
    bool deflate_ = false;
    content_mode content_ = content_mode::frames;
    std::uint64_t content_left_ = 0; ///< bytes of the request's content still to read
    std::string response_;           ///< the 101, until it goes out
    bool message_compressed_ = false;
    std::uint64_t message_bytes_ = 0;
    std::deque<std::uint64_t> compressed_sizes_;
    proto::session_event ev_;
    std::string pending_;
    bool upgraded_ = false;
    bool close_after_write_ = false;
    bool stop_reading_ = false;
    std::shared_ptr<connection> hung_;
};

void accept(tcp::acceptor& acceptor, bug_set b, bool deflate, content_mode content, bool log_accepts,
            std::size_t accepted = 0) {
    acceptor.async_accept([&acceptor, b, deflate, content, log_accepts, accepted](boost::system::error_code ec,
                                                                                 tcp::socket s) {
        if (!ec) {
            if (log_accepts) {
                std::cout << "accepted " << accepted + 1 << std::endl;
            }
            std::make_shared<connection>(std::move(s), b, deflate, content)->start();
        }
        accept(acceptor, b, deflate, content, log_accepts, ec ? accepted : accepted + 1);
    });
}

} // namespace

int main(int argc, char** argv) {
    std::uint16_t port = 0;
    bug_set b;
    bool log_accepts = false;
    bool deflate = false;
    content_mode content = content_mode::frames;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string_view name = argv[i];
        const std::string_view value = argv[i + 1];
        if (name == "--port") {
            port = static_cast<std::uint16_t>(std::stoul(std::string{value}));
        } else if (name == "--log-accepts") {
            log_accepts = value == "1";
        } else if (name == "--deflate") {
            deflate = value == "1";
        } else if (name == "--content") {
            content = value == "read"               ? content_mode::read
                      : value == "read-no-continue" ? content_mode::read_no_continue
                                                    : content_mode::frames;
        } else if (name == "--bug") {
            for (std::string_view rest = value; !rest.empty();) {
                const auto comma = rest.find(',');
                b.add(bug_named(rest.substr(0, comma)));
                rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
            }
        }
    }
    asio::io_context io;
    tcp::acceptor acceptor{io, tcp::endpoint{asio::ip::make_address("127.0.0.1"), port}};
    std::cout << "listening on " << acceptor.local_endpoint().port() << std::endl;
    accept(acceptor, b, deflate, content, log_accepts);
    io.run();
    return 0;
}
