#include "tests/support/fault_proxy.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <functional>
#include <mutex>
#include <span>
#include <system_error>
#include <thread>
#include <vector>

namespace wscheck::test_support {

namespace {

using clock_type = std::chrono::steady_clock;

/// Every wait is cut in slices this long, so that a stop is heard quickly.
constexpr int poll_slice_ms = 50;
/// A write that makes no progress this long gives up (a peer that stopped reading).
constexpr std::chrono::seconds write_stall{10};
/// The server's response head is gathered (to rewrite it) up to this size.
constexpr std::size_t head_cap = 16 * 1024;
constexpr std::size_t read_size = 64 * 1024;
/// stops_reading: the receive buffer asked for (the kernel doubles it and applies a floor).
constexpr int tiny_receive_buffer = 2048;

[[noreturn]] void throw_errno(const char* what) { throw std::system_error(errno, std::generic_category(), what); }

sockaddr_in loopback(std::uint16_t port) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}

/// Waits until `fd` is ready for `events` (or has an error to report); false when stopped.
bool wait_for(int fd, short events, const std::atomic<bool>& stop) {
    while (!stop) {
        pollfd p{fd, events, 0};
        const int r = ::poll(&p, 1, poll_slice_ms);
        if (r > 0 || (r < 0 && errno != EINTR)) {
            return true;
        }
    }
    return false;
}

/// Bytes read (> 0), 0 at EOF, -1 on an error or a stop.
ssize_t receive_some(int fd, std::span<std::uint8_t> buf, const std::atomic<bool>& stop) {
    while (wait_for(fd, POLLIN, stop)) {
        const ssize_t n = ::recv(fd, buf.data(), buf.size(), MSG_DONTWAIT);
        if (n >= 0) {
            return n;
        }
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
            return -1;
        }
    }
    return -1;
}

/// Waits until `fd` is readable (true) or `until` passes (false), or a stop (true: the caller's
/// receive then sees it).
bool readable_before(int fd, clock_type::time_point until, const std::atomic<bool>& stop) {
    while (!stop) {
        const auto left = std::chrono::ceil<std::chrono::milliseconds>(until - clock_type::now()).count();
        if (left <= 0) {
            return false;
        }
        pollfd p{fd, POLLIN, 0};
        const int r = ::poll(&p, 1, static_cast<int>(std::min<long long>(left, poll_slice_ms)));
        if (r > 0 || (r < 0 && errno != EINTR)) {
            return true;
        }
    }
    return true;
}

/// Writes everything; false on an error, a stop, or no progress for write_stall.
bool send_all(int fd, std::span<const std::uint8_t> data, const std::atomic<bool>& stop) {
    auto progress = clock_type::now();
    while (!data.empty()) {
        if (stop || clock_type::now() - progress > write_stall) {
            return false;
        }
        pollfd p{fd, POLLOUT, 0};
        if (::poll(&p, 1, poll_slice_ms) <= 0) {
            continue;
        }
        const ssize_t n = ::send(fd, data.data(), data.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n > 0) {
            data = data.subspan(static_cast<std::size_t>(n));
            progress = clock_type::now();
        } else if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
            return false;
        }
    }
    return true;
}

/// Finds the blank line ending an HTTP head across reads. Lines may end with a bare LF (RFC
/// 9112 2.2 lets a recipient accept one, and the reference server does: 20.5.2), so a head
/// the server takes is never mistaken for an endless one.
class head_end_finder {
public:
    /// Bytes of `data` up to and including the head's end, or npos when it is not in them.
    std::size_t find(std::span<const std::uint8_t> data) noexcept {
        for (std::size_t i = 0; i < data.size(); ++i) {
            const char c = static_cast<char>(data[i]);
            if (c == '\n') {
                if (line_blank_) {
                    return i + 1;
                }
                line_blank_ = true;
            } else if (c != '\r') {
                line_blank_ = false;
            }
        }
        return std::string::npos;
    }

private:
    bool line_blank_ = false; ///< nothing but CRs since the last LF (and there was one)
};

void set_no_delay(int fd) {
    // Octet-wise writes of a case must stay separate segments through the proxy too.
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

} // namespace

// ---------------------------------------------------------------- one proxied connection

class proxied_connection {
public:
    using crash_handler = std::function<void()>;

    proxied_connection(int client, int server, fault f, crash_handler on_crash)
        : client_(client), server_(server), plan_(make_plan(f)), on_crash_(std::move(on_crash)) {
        up_ = std::thread([this] { run_up(); finished_one(); });
        down_ = std::thread([this] { run_down(); finished_one(); });
    }
    ~proxied_connection() {
        tear_down();
        up_.join();
        down_.join();
        ::close(client_);
        ::close(server_);
    }
    proxied_connection(const proxied_connection&) = delete;
    proxied_connection& operator=(const proxied_connection&) = delete;

    /// Both directions are over.
    bool done() const noexcept { return running_ == 0; }

    /// Ends both directions: a stop, an error, or a crash.
    void tear_down() noexcept {
        stop_ = true;
        ::shutdown(client_, SHUT_RDWR);
        ::shutdown(server_, SHUT_RDWR);
    }

private:
    void finished_one() noexcept { --running_; }

    /// Client -> server: the request head as it comes, then frames through the "up" filter.
    void run_up() {
        std::vector<std::uint8_t> buf(read_size);
        frame_relay relay{proto::role::client, plan_.up.get()};
        head_end_finder finder;
        bool head_done = false;
        bool server_gone = false;
        std::vector<std::uint8_t> out;
        while (!stop_) {
            const ssize_t n = receive_some(client_, buf, stop_);
            if (n <= 0) {
                if (n == 0 && !stop_) {
                    ::shutdown(server_, SHUT_WR);
                } else {
                    tear_down();
                }
                return;
            }
            std::span<std::uint8_t> got{buf.data(), static_cast<std::size_t>(n)};
            out.clear();
            if (!head_done) {
                const std::size_t end = finder.find(got);
                const std::size_t head_part = end == std::string::npos ? got.size() : end;
                out.insert(out.end(), got.begin(), got.begin() + static_cast<std::ptrdiff_t>(head_part));
                got = got.subspan(head_part);
                head_done = end != std::string::npos;
            }
            // Frames only once the server said 101 (the runner waits for it before sending
            // any); until then, whatever the client writes goes up as it is.
            if (!got.empty()) {
                if (upgraded_) {
                    if (!relay.feed(got, out)) {
                        on_crash_();
                        return;
                    }
                } else {
                    out.insert(out.end(), got.begin(), got.end());
                }
            }
            if (!server_gone && !send_all(server_, out, stop_)) {
                if (!plan_.keep_client_open) {
                    tear_down();
                    return;
                }
                server_gone = true; // keep reading (and dropping) until the client closes
            }
            if (head_done && plan_.stop_reading_client) {
                // The server "hangs": it never reads again; its socket's small receive buffer
                // fills, then the client's send buffer, then the client's writes stall.
                while (!stop_) {
                    std::this_thread::sleep_for(std::chrono::milliseconds{poll_slice_ms});
                }
                return;
            }
        }
    }

    /// Server -> client: the response head (rewritten for wrong_accept), then frames through
    /// the "down" filter.
    void run_down() {
        std::vector<std::uint8_t> buf(read_size);
        frame_relay relay{proto::role::server, plan_.down.get()};
        head_end_finder finder;
        std::string head;
        bool head_done = false;
        std::vector<std::uint8_t> out;
        while (!stop_) {
            // Frames the filter holds back (echoes_reordered) go out when due, unless the
            // server sends something first.
            if (const auto due = relay.held_until(); due && !readable_before(server_, *due, stop_)) {
                out.clear();
                if (relay.release_due(clock_type::now(), out)) {
                    if (!send_all(client_, out, stop_)) {
                        tear_down();
                        return;
                    }
                    continue;
                }
            }
            const ssize_t n = receive_some(server_, buf, stop_);
            if (n <= 0) {
                if (n == 0 && !stop_) {
                    out.clear();
                    if (relay.release_due(clock_type::time_point::max(), out)) {
                        send_all(client_, out, stop_); // what was held goes before the EOF
                    }
                    if (!head_done && !head.empty()) {
                        send_all(client_, {reinterpret_cast<const std::uint8_t*>(head.data()), head.size()}, stop_);
                    }
                    if (!plan_.keep_client_open) {
                        ::shutdown(client_, SHUT_WR);
                    }
                } else {
                    tear_down();
                }
                return;
            }
            std::span<std::uint8_t> got{buf.data(), static_cast<std::size_t>(n)};
            out.clear();
            if (!head_done) {
                const std::size_t end = finder.find(got);
                const std::size_t head_part = end == std::string::npos ? got.size() : end;
                head.append(reinterpret_cast<const char*>(got.data()), head_part);
                got = got.subspan(head_part);
                if (end == std::string::npos && head.size() <= head_cap) {
                    continue;
                }
                head_done = true;
                const bool switching = end != std::string::npos && head.starts_with("HTTP/1.1 101");
                if (switching && plan_.corrupt_accept) {
                    head = corrupt_accept_field(std::move(head));
                }
                // Set before the 101 goes out: the client sends frames only after reading it.
                upgraded_ = switching;
                out.assign(head.begin(), head.end());
            }
            if (!got.empty()) {
                if (upgraded_) {
                    relay.feed(got, out); // no "down" filter crashes
                } else {
                    out.insert(out.end(), got.begin(), got.end());
                }
            }
            if (!send_all(client_, out, stop_)) {
                tear_down();
                return;
            }
        }
    }

    const int client_;
    const int server_;
    fault_plan plan_;
    crash_handler on_crash_;
    std::atomic<bool> stop_{false};
    std::atomic<bool> upgraded_{false};
    std::atomic<int> running_{2};
    std::thread up_;
    std::thread down_;
};

// ---------------------------------------------------------------- the proxy

class fault_proxy::impl {
public:
    impl(std::uint16_t upstream_port, fault f) : upstream_port_(upstream_port), fault_(f) {
        listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (listen_fd_ < 0) {
            throw_errno("fault_proxy: socket");
        }
        if (make_plan(f).small_receive_buffer) {
            // Set before listen(): accepted sockets inherit it, window scaling included.
            ::setsockopt(listen_fd_, SOL_SOCKET, SO_RCVBUF, &tiny_receive_buffer, sizeof tiny_receive_buffer);
        }
        auto addr = loopback(0);
        socklen_t len = sizeof addr;
        if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(listen_fd_, 128) != 0 ||
            ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
            const int e = errno;
            ::close(listen_fd_);
            throw std::system_error(e, std::generic_category(), "fault_proxy: cannot listen on 127.0.0.1");
        }
        port_ = ntohs(addr.sin_port);
        acceptor_ = std::thread([this] { accept_loop(); });
    }
    ~impl() { stop(); }
    impl(const impl&) = delete;
    impl& operator=(const impl&) = delete;

    void stop() {
        if (stopping_.exchange(true)) {
            return;
        }
        acceptor_.join();
        std::vector<std::unique_ptr<proxied_connection>> all;
        {
            std::lock_guard g{lock_};
            all.swap(connections_);
        }
        for (auto& c : all) {
            c->tear_down();
        }
        all.clear(); // joins
        // Last: a connection's crash() may still shut the listener down until it is joined.
        ::close(listen_fd_);
    }

    /// dies_on_huge_length: a server process that died. Called on a connection's thread.
    void crash() {
        crashed_ = true;
        // No closing handshake, no Close frame: the listener goes (connects are refused from
        // now on) and every connection is cut, as when the process dies.
        ::shutdown(listen_fd_, SHUT_RDWR);
        std::lock_guard g{lock_};
        for (auto& c : connections_) {
            c->tear_down();
        }
    }

    std::uint16_t port_ = 0;
    std::uint16_t upstream_port_;
    fault fault_;
    std::atomic<bool> crashed_{false};
    std::atomic<std::size_t> accepted_{0};

private:
    void accept_loop() {
        while (!stopping_ && !crashed_) {
            pollfd p{listen_fd_, POLLIN, 0};
            const int r = ::poll(&p, 1, poll_slice_ms);
            reap();
            if (r <= 0 || crashed_) {
                continue;
            }
            const int client = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
            if (client < 0) {
                continue;
            }
            ++accepted_;
            const int server = connect_upstream();
            if (server < 0) {
                ::close(client);
                continue;
            }
            set_no_delay(client);
            set_no_delay(server);
            std::lock_guard g{lock_};
            connections_.push_back(std::make_unique<proxied_connection>(client, server, fault_, [this] { crash(); }));
        }
    }

    int connect_upstream() const {
        const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            return -1;
        }
        const auto addr = loopback(upstream_port_);
        if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
            ::close(fd);
            return -1;
        }
        return fd;
    }

    /// Joins the connections that are over, so a long run does not keep their threads.
    void reap() {
        std::vector<std::unique_ptr<proxied_connection>> over;
        {
            std::lock_guard g{lock_};
            for (auto it = connections_.begin(); it != connections_.end();) {
                if ((*it)->done()) {
                    over.push_back(std::move(*it));
                    it = connections_.erase(it);
                } else {
                    ++it;
                }
            }
        }
        over.clear(); // joins, outside the lock (a crash() may want it)
    }

    int listen_fd_ = -1;
    std::atomic<bool> stopping_{false};
    std::mutex lock_;
    std::vector<std::unique_ptr<proxied_connection>> connections_;
    std::thread acceptor_;
};

fault_proxy::fault_proxy(std::uint16_t upstream_port, fault f) : impl_(std::make_unique<impl>(upstream_port, f)) {}

fault_proxy::~fault_proxy() { stop(); }

std::uint16_t fault_proxy::port() const noexcept { return impl_->port_; }

std::string fault_proxy::url() const { return "ws://127.0.0.1:" + std::to_string(impl_->port_) + "/"; }

fault fault_proxy::injected() const noexcept { return impl_->fault_; }

bool fault_proxy::crashed() const noexcept { return impl_->crashed_; }

std::size_t fault_proxy::connections_accepted() const noexcept { return impl_->accepted_; }

void fault_proxy::stop() { impl_->stop(); }

} // namespace wscheck::test_support
