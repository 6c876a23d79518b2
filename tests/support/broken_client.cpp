// A WebSocket echo client in the Autobahn client protocol that breaks one rule of RFC 6455 on
// purpose, so that tests can check `wscheck test-client` catches it, with the cases that
// exist for it and no others:
//
//   broken_client ws://127.0.0.1:PORT AGENT FAULT
//
//   none             a conformant client (the control of this program)
//   unmasked         sends its frames unmasked (5.1)
//   zero-mask        masks every frame with the key 00 00 00 00 (5.3: a fresh key per frame)
//   no-accept-check  ignores a wrong or missing Sec-WebSocket-Accept (4.1)
//   accept-masked    takes masked frames from the server as they come (5.1)
//   no-utf8-check    echoes text that is not UTF-8 (8.1)
//   no-close-reply   never answers the server's Close (5.5.1)
//   crash            conformant, but aborts (SIGABRT) in the middle of its third case
//   deflate          conformant, and offers permessage-deflate ("permessage-deflate;
//                    client_max_window_bits"), compressing every message it sends once agreed
//   deflate-keeps-context    as deflate, but keeps its compressor's context after agreeing
//                    client_no_context_takeover (RFC 7692 7.1.1.2)
//   deflate-accepts-any      as deflate, but takes any permessage-deflate response, even one
//                    RFC 7692 5 requires it to refuse (and then uses no extension)
//
// Built on the tester's own peer_observer (which parses and notes every violation without
// acting on it) with blocking sockets: every read has a timeout and every loop a bound.
#include "harness/proto/close.hpp"
#include "harness/proto/deflate_stream.hpp"
#include "harness/proto/extension_params.hpp"
#include "harness/proto/handshake.hpp"
#include "harness/proto/http1.hpp"
#include "harness/runner/frame_writer.hpp"
#include "harness/runner/peer_observer.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace {

using namespace wscheck;
using proto::opcode;

enum class fault {
    none, unmasked, zero_mask, no_accept_check, accept_masked, no_utf8_check, no_close_reply, crash,
    deflate, deflate_keeps_context, deflate_accepts_any
};

bool offers_deflate(fault f) {
    return f == fault::deflate || f == fault::deflate_keeps_context || f == fault::deflate_accepts_any;
}

fault parse_fault(const std::string& s, bool& ok) {
    ok = true;
    if (s == "none") return fault::none;
    if (s == "unmasked") return fault::unmasked;
    if (s == "zero-mask") return fault::zero_mask;
    if (s == "no-accept-check") return fault::no_accept_check;
    if (s == "accept-masked") return fault::accept_masked;
    if (s == "no-utf8-check") return fault::no_utf8_check;
    if (s == "no-close-reply") return fault::no_close_reply;
    if (s == "crash") return fault::crash;
    if (s == "deflate") return fault::deflate;
    if (s == "deflate-keeps-context") return fault::deflate_keeps_context;
    if (s == "deflate-accepts-any") return fault::deflate_accepts_any;
    ok = false;
    return fault::none;
}

class connection {
public:
    connection(std::uint16_t port, fault f) : fault_(f) {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(port);
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        timeval tv{5, 0}; // every read and write gives up after 5 s
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        const int one = 1;
        ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        if (::connect(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
            ::close(fd_);
            fd_ = -1;
        }
    }
    ~connection() {
        if (fd_ >= 0) {
            ::close(fd_);
        }
    }
    connection(const connection&) = delete;
    connection& operator=(const connection&) = delete;

    /// The opening handshake; false when the client refuses the response (or it never came).
    bool open(const std::string& host, const std::string& target) {
        if (fd_ < 0) {
            return false;
        }
        request_.host = host;
        request_.target = target;
        request_.key = proto::generate_key();
        const proto::deflate_offer offer{false, false, std::nullopt, true, std::nullopt};
        if (offers_deflate(fault_)) {
            request_.extensions = proto::format_deflate_offers(std::span{&offer, 1});
        }
        const std::string text = proto::build_request(request_);
        if (!send_all({reinterpret_cast<const std::uint8_t*>(text.data()), text.size()})) {
            return false;
        }
        proto::http_parser parser{proto::http_parser::kind::response};
        std::vector<std::uint8_t> buf(4096);
        for (int reads = 0; reads < 64; ++reads) {
            const auto n = ::recv(fd_, buf.data(), buf.size(), 0);
            if (n <= 0) {
                return false;
            }
            std::size_t used = 0;
            const std::span<const std::uint8_t> got{buf.data(), static_cast<std::size_t>(n)};
            const auto st = parser.feed(got, used);
            if (st == proto::http_parser::status::error) {
                return false;
            }
            if (st == proto::http_parser::status::done) {
                proto::accepted_response accepted;
                const auto ec = proto::check_response(parser.head(), request_, accepted);
                // 4.1 fails the connection on any of these; the fault skips the accept check only.
                if (ec && !(fault_ == fault::no_accept_check && ec == proto::violation::bad_accept)) {
                    return false;
                }
                if (offers_deflate(fault_) && !ec) {
                    // RFC 7692 5: a response a client must refuse fails the connection (the
                    // fault takes it, and goes on without the extension).
                    if (proto::check_deflate_response(std::span{&offer, 1}, accepted.extensions, deflate_) &&
                        fault_ != fault::deflate_accepts_any) {
                        return false;
                    }
                }
                leftover_.assign(got.begin() + static_cast<std::ptrdiff_t>(used), got.end());
                return true;
            }
        }
        return false;
    }

    /// Echoes messages until the connection ends; returns the text messages received.
    std::vector<std::string> echo(bool echo_messages) {
        runner::observer_options options;
        options.local_role = proto::role::client;
        runner::peer_observer seen{options};
        if (deflate_) {
            seen.use_deflate(*deflate_);
            proto::deflater_options ours;
            ours.window_bits = deflate_->client_max_window_bits;
            ours.no_context_takeover =
                deflate_->client_no_context_takeover && fault_ != fault::deflate_keeps_context;
            deflater_ = std::make_unique<proto::message_deflater>(ours);
        }
        std::vector<std::string> texts;
        std::size_t handled_events = 0;
        std::size_t handled_violations = 0;
        bool close_sent = false;
        // After every byte, so that what the server sent is acted on in its order (a Ping
        // after a Close is not answered; a frame after it is not a reason to fail).
        auto act = [&] {
            (void)seen.take_output(); // this client writes its own frames, with its fault
            for (; handled_violations < seen.violations().size(); ++handled_violations) {
                const auto v = seen.violations()[handled_violations].what;
                if ((fault_ == fault::accept_masked && v == proto::violation::unexpected_mask) ||
                    (fault_ == fault::no_utf8_check && v == proto::violation::bad_utf8)) {
                    continue;
                }
                // 7.1.7: fail the connection, 1007 for bad text (7.4.1), else 1002.
                if (!close_sent) {
                    send_close(v == proto::violation::bad_utf8 ? 1007 : 1002);
                    close_sent = true;
                }
            }
            for (; handled_events < seen.events().size(); ++handled_events) {
                const auto& e = seen.events()[handled_events];
                if (e.what == cases::event::kind::text) {
                    texts.emplace_back(e.data.view().begin(), e.data.view().end());
                }
                if (close_sent) {
                    continue;
                }
                if (e.what == cases::event::kind::ping) {
                    send(opcode::pong, e.data.view()); // 5.5.2
                } else if (echo_messages && e.what == cases::event::kind::text) {
                    send(opcode::text, e.data.view());
                } else if (echo_messages && e.what == cases::event::kind::binary) {
                    send(opcode::binary, e.data.view());
                }
            }
            if (seen.close_received() && !close_sent) {
                close_sent = true;
                if (fault_ != fault::no_close_reply) {
                    send_close(seen.remote_close_code()); // 5.5.1: echo the code
                }
            }
        };
        auto feed = [&](std::span<std::uint8_t> data) {
            for (std::size_t i = 0; i < data.size(); ++i) {
                seen.receive(data.subspan(i, 1), std::chrono::microseconds{});
                act();
            }
        };
        feed(leftover_);
        act();
        std::vector<std::uint8_t> buf(64 * 1024);
        const auto until = std::chrono::steady_clock::now() + std::chrono::seconds{60};
        while (std::chrono::steady_clock::now() < until) {
            const auto n = ::recv(fd_, buf.data(), buf.size(), 0);
            if (n <= 0) {
                break; // EOF (7.1.1: the server closes first), error or 5 s of silence
            }
            feed({buf.data(), static_cast<std::size_t>(n)});
        }
        return texts;
    }

private:
    bool send_all(std::span<const std::uint8_t> data) {
        while (!data.empty()) {
            const auto n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
            if (n <= 0) {
                return false;
            }
            data = data.subspan(static_cast<std::size_t>(n));
        }
        return true;
    }
    void send(opcode op, std::span<const std::uint8_t> payload) {
        runner::frame_spec spec;
        spec.op = op;
        std::vector<std::uint8_t> compressed;
        if (deflater_ && (op == opcode::text || op == opcode::binary)) {
            deflater_->compress(payload, compressed); // 7.2.1; RSV1 on the (only) frame, 6.1
            payload = compressed;
            spec.rsv = 4;
        }
        if (fault_ == fault::unmasked) {
            spec.masked = false;
        } else if (fault_ == fault::zero_mask) {
            spec.key = proto::mask_key{0, 0, 0, 0};
        }
        send_all(runner::write_frame(spec, payload, proto::role::client).bytes);
    }
    void send_close(std::optional<std::uint16_t> code) {
        const auto payload = proto::build_close_payload(code);
        send(opcode::close, payload);
    }

    int fd_ = -1;
    fault fault_;
    proto::client_request request_;
    std::vector<std::uint8_t> leftover_;
    std::optional<proto::deflate_agreement> deflate_;      ///< agreed in open()
    std::unique_ptr<proto::message_deflater> deflater_;  ///< ours, once agreed
};

} // namespace

int main(int argc, char** argv) {
    if (argc != 4) {
        std::fprintf(stderr, "usage: broken_client ws://127.0.0.1:PORT AGENT FAULT\n");
        return 2;
    }
    const std::string url = argv[1];
    const std::string agent = argv[2];
    bool ok = false;
    const fault f = parse_fault(argv[3], ok);
    const auto colon = url.rfind(':');
    if (!ok || !url.starts_with("ws://127.0.0.1:") || colon == std::string::npos) {
        std::fprintf(stderr, "broken_client: bad URL or fault\n");
        return 2;
    }
    const auto port = static_cast<std::uint16_t>(std::stoul(url.substr(colon + 1)));
    const std::string host = "127.0.0.1:" + std::to_string(port);
    long count = 0;
    {
        connection c{port, f};
        if (!c.open(host, "/getCaseCount")) {
            return 1;
        }
        const auto texts = c.echo(false);
        if (texts.empty()) {
            return 1;
        }
        count = std::stol(texts.front());
    }
    for (long n = 1; n <= count && n <= 100'000; ++n) {
        connection c{port, f};
        const bool opened = c.open(host, "/runCase?case=" + std::to_string(n) + "&agent=" + agent);
        if (f == fault::crash && n == 3) {
            std::abort(); // the case is open: the tester sees the connection die mid-case
        }
        if (opened) {
            c.echo(true);
        }
    }
    connection c{port, f};
    if (c.open(host, "/updateReports?agent=" + agent)) {
        c.echo(false);
    }
    return 0;
}
