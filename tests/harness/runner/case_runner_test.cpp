// The case runner over real connections: against the reference server (the control), and
// against small servers in this file that misbehave in one way each.
#include "harness/runner/case_runner.hpp"

#include "harness/net/url.hpp"
#include "harness/server/reference_server.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>

#include <gtest/gtest.h>

#include <thread>

namespace {

using namespace wscheck;
using cases::behavior;
using cases::close_behavior;
using std::chrono::milliseconds;

cases::event text(std::string_view s) { return {cases::event::kind::text, cases::payload{s}}; }

cases::case_def echo_case() {
    cases::case_def c;
    c.id = "1.1.1";
    c.description = "Send a text message, expect the echo, close.";
    c.build = [] {
        cases::script s;
        s.steps.push_back(cases::send_message{proto::opcode::text, cases::payload{"Hello"}});
        s.outcomes.push_back({behavior::ok, {text("Hello")}});
        s.close = {true, {1000}, true, false};
        return s;
    };
    return c;
}

cases::case_def reserved_bit_case() {
    cases::case_def c;
    c.id = "3.1";
    c.description = "Send a text frame with RSV1 set; the server must fail the connection.";
    c.build = [] {
        cases::script s;
        cases::send_frame f;
        f.data = cases::payload{"Hello"};
        f.rsv = 4;
        s.steps.push_back(f);
        s.outcomes.push_back({behavior::ok, {}});
        s.close = {false, {1002}, false, false};
        return s;
    };
    return c;
}

reports::case_result run_case(const std::string& url, const cases::case_def& c, milliseconds close_timeout = milliseconds{1000}) {
    std::string error;
    auto parsed = net::parse_ws_url(url, error);
    EXPECT_TRUE(parsed) << error;
    runner::runner_options opts;
    opts.url = *parsed;
    opts.close_timeout = close_timeout;
    net::asio::io_context io;
    std::optional<reports::case_result> result;
    runner::case_runner::start(io, opts, c, "test", [&](reports::case_result r) { result = std::move(r); });
    io.run();
    EXPECT_TRUE(result);
    return result ? *result : reports::case_result{};
}

TEST(CaseRunner, ReferenceServerEchoesAndClosesCleanly) {
    server::background_server srv{server::server_options{}};
    const auto r = run_case(srv.url(), echo_case());
    EXPECT_EQ(r.behavior, behavior::ok) << r.reason;
    EXPECT_EQ(r.close_behavior, close_behavior::ok) << r.close_reason;
    EXPECT_TRUE(r.close.clean);
    EXPECT_TRUE(r.handshake.completed);
    EXPECT_FALSE(r.wire.frames().empty());
}

TEST(CaseRunner, ReferenceServerFailsTheConnectionOnReservedBits) {
    server::background_server srv{server::server_options{}};
    const auto r = run_case(srv.url(), reserved_bit_case());
    EXPECT_EQ(r.behavior, behavior::ok) << r.reason;
    EXPECT_EQ(r.close_behavior, close_behavior::ok) << r.close_reason;
    EXPECT_EQ(r.close.remote_code, 1002);
}

/// A server that completes the handshake, then reads and ignores everything: it never
/// answers, never closes.
class silent_server {
public:
    silent_server() : acceptor_(io_, {net::asio::ip::make_address("127.0.0.1"), 0}) {
        thread_ = std::thread([this] {
            boost::system::error_code ec;
            net::tcp::socket s{io_};
            acceptor_.accept(s, ec);
            if (ec) return;
            net::asio::streambuf head;
            net::asio::read_until(s, head, "\r\n\r\n", ec);
            std::string req{net::asio::buffers_begin(head.data()), net::asio::buffers_end(head.data())};
            const auto k = req.find("Sec-WebSocket-Key: ");
            const auto key = req.substr(k + 19, req.find("\r\n", k) - k - 19);
            const std::string resp = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                                     "Connection: Upgrade\r\nSec-WebSocket-Accept: " +
                                     proto::compute_accept(key) + "\r\n\r\n";
            net::asio::write(s, net::asio::buffer(resp), ec);
            char buf[4096];
            while (!ec) s.read_some(net::asio::buffer(buf), ec);
        });
    }
    ~silent_server() {
        acceptor_.close();
        thread_.join();
    }
    std::string url() const { return "ws://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port()) + "/"; }

private:
    net::asio::io_context io_;
    net::tcp::acceptor acceptor_;
    std::thread thread_;
};

TEST(CaseRunner, SilentServerIsCaughtWithinTheTimeout) {
    {
        silent_server srv;
        const auto started = std::chrono::steady_clock::now();
        const auto r = run_case(srv.url(), reserved_bit_case());
        EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds{5});
        EXPECT_EQ(r.close_behavior, close_behavior::failed) << r.close_reason;
    }
    {
        silent_server srv;
        const auto r = run_case(srv.url(), echo_case());
        EXPECT_EQ(r.behavior, behavior::failed) << r.reason;
    }
}

TEST(CaseRunner, RefusedConnectionSaysSo) {
    net::asio::io_context io;
    net::tcp::acceptor a{io, {net::asio::ip::make_address("127.0.0.1"), 0}};
    const auto port = a.local_endpoint().port();
    a.close();
    const auto r = run_case("ws://127.0.0.1:" + std::to_string(port) + "/", echo_case());
    EXPECT_EQ(r.behavior, behavior::failed);
    EXPECT_NE(r.reason.find("Could not connect"), std::string::npos) << r.reason;
    EXPECT_FALSE(r.handshake.attempted);
}

} // namespace
