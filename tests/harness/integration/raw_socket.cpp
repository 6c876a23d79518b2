#include "tests/harness/integration/raw_socket.hpp"

#include "harness/proto/frame_parser.hpp"
#include "harness/proto/mask.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace wscheck::test {

raw_socket::raw_socket(std::uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) {
        return;
    }
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
        ::close(fd_);
        fd_ = -1;
    }
}

raw_socket::~raw_socket() {
    if (fd_ >= 0) {
        ::close(fd_);
    }
}

bool raw_socket::send(std::span<const std::uint8_t> data) {
    std::size_t sent = 0;
    while (sent < data.size()) {
        const ssize_t n = ::send(fd_, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return false;
        }
        sent += static_cast<std::size_t>(n);
    }
    return true;
}

bool raw_socket::send(const std::string& data) { return send(bytes_of(data)); }

void raw_socket::shutdown_send() noexcept { ::shutdown(fd_, SHUT_WR); }

bool raw_socket::read_some(std::chrono::milliseconds timeout) {
    pollfd pfd{fd_, POLLIN, 0};
    const int ready = ::poll(&pfd, 1, static_cast<int>(timeout.count()));
    if (ready <= 0) {
        return false;
    }
    char buf[65536];
    const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) {
        eof_ = true; // EOF, or a reset: either way the peer is gone
        return false;
    }
    buffer_.append(buf, static_cast<std::size_t>(n));
    return true;
}

bool raw_socket::read_to_eof(std::chrono::milliseconds timeout) {
    read_until(timeout, [this](const std::string&) { return eof_; });
    return eof_;
}

std::optional<std::string> raw_socket::read_head(std::chrono::milliseconds timeout) {
    if (!read_until(timeout, [](const std::string& b) { return b.find("\r\n\r\n") != std::string::npos; })) {
        return std::nullopt;
    }
    const auto end = buffer_.find("\r\n\r\n") + 4;
    std::string head = buffer_.substr(0, end);
    buffer_.erase(0, end);
    return head;
}

std::optional<raw_socket::frame> raw_socket::read_frame(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        // Parse a copy in observe mode: a test wants to see whatever the peer sent.
        proto::frame_parser_options options;
        options.local_role = proto::role::client;
        options.mode = proto::parse_mode::observe;
        proto::frame_parser parser(options);
        std::vector<std::uint8_t> copy(buffer_.begin(), buffer_.end());
        std::span<std::uint8_t> input(copy);
        frame out;
        bool have_header = false;
        std::size_t used = 0;
        for (;;) {
            const auto r = parser.feed(input.subspan(used));
            used += r.consumed;
            if (r.what == proto::frame_parser::event::header) {
                out.header = parser.header();
                have_header = true;
            } else if (r.what == proto::frame_parser::event::payload) {
                out.payload.insert(out.payload.end(), r.data.begin(), r.data.end());
            } else if (r.what == proto::frame_parser::event::frame_end && have_header) {
                buffer_.erase(0, used);
                return out;
            } else if (r.what == proto::frame_parser::event::need_more ||
                       r.what == proto::frame_parser::event::error) {
                break;
            }
        }
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0 || eof_ || !read_some(left)) {
            return std::nullopt;
        }
    }
}

raw_listener::raw_listener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = 0;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(fd_, 16) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
        return;
    }
    port_ = ntohs(addr.sin_port);
}

raw_listener::~raw_listener() {
    if (fd_ >= 0) {
        ::close(fd_);
    }
}

int raw_listener::accept(std::chrono::milliseconds timeout) {
    pollfd pfd{fd_, POLLIN, 0};
    if (::poll(&pfd, 1, static_cast<int>(timeout.count())) <= 0) {
        return -1;
    }
    return ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
}

std::span<const std::uint8_t> bytes_of(const std::string& s) {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

std::vector<std::uint8_t> client_frame(proto::opcode op, std::span<const std::uint8_t> payload,
                                       bool fin) {
    proto::frame_header h;
    h.fin = fin;
    h.op = op;
    h.masked = true;
    h.length = payload.size();
    h.key = {0x37, 0xfa, 0x21, 0x3d};
    std::array<std::uint8_t, proto::max_header_size> header{};
    const auto n = proto::encode_header(h, header);
    std::vector<std::uint8_t> out(header.begin(), header.begin() + static_cast<std::ptrdiff_t>(n));
    std::vector<std::uint8_t> body(payload.begin(), payload.end());
    proto::mask_inplace(body, h.key);
    out.insert(out.end(), body.begin(), body.end());
    return out;
}

std::string valid_request(std::uint16_t port) {
    return "GET / HTTP/1.1\r\n"
           "Host: 127.0.0.1:" + std::to_string(port) + "\r\n"
           "Upgrade: websocket\r\n"
           "Connection: Upgrade\r\n"
           "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
           "Sec-WebSocket-Version: 13\r\n\r\n";
}

std::vector<bad_frame_case> bad_frames_after_a_message() {
    return {
        {"rsv2_text", 0xA1, 'x', 1002},         // 5.2: RSV2 without an extension defining it
        {"reserved_opcode_3", 0x83, 'x', 1002}, // 5.2: reserved non-control opcode
        {"reserved_opcode_b", 0x8B, 'x', 1002}, // 5.2: reserved control opcode
        {"orphan_continuation", 0x80, 'x', 1002}, // 5.4: continuation with nothing to continue
        {"bad_utf8_text", 0x81, 0xFF, 1007},    // 8.1: 0xFF never appears in UTF-8
    };
}

} // namespace wscheck::test
