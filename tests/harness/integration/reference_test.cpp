// The reference client against the reference server, in-process, over ws and wss.
#include "harness/client/client_error.hpp"
#include "harness/client/reference_client.hpp"
#include "harness/net/setup_error.hpp"
#include "harness/server/reference_server.hpp"
#include "tests/harness/integration/echo_exchange.hpp"

#include <gtest/gtest.h>

#include <boost/asio/ip/tcp.hpp>

#include <thread>

namespace wscheck::test {
namespace {

using namespace std::chrono_literals;

enum class transport { ws, wss_insecure, wss_trusting_cert, wss_by_name };

std::string name_of(transport t) {
    switch (t) {
    case transport::ws: return "ws";
    case transport::wss_insecure: return "wss_insecure";
    case transport::wss_trusting_cert: return "wss_trusting_cert";
    case transport::wss_by_name: return "wss_by_name";
    }
    return "?";
}

void PrintTo(transport t, std::ostream* os) { *os << name_of(t); }

class reference_pair : public ::testing::TestWithParam<transport> {};

TEST_P(reference_pair, echo_exchange) {
    server::server_options options;
    options.tls = GetParam() != transport::ws;
    server::background_server server(options);
    client::client_options client_options;
    std::string url = server.url();
    switch (GetParam()) {
    case transport::ws:
        EXPECT_EQ(url.rfind("ws://127.0.0.1:", 0), 0u) << url;
        break;
    case transport::wss_insecure:
        client_options.tls.insecure = true;
        break;
    case transport::wss_trusting_cert:
        // The generated certificate as the only trust anchor: verification on, by IP SAN.
        client_options.tls.ca_pem = server.certificate_pem();
        break;
    case transport::wss_by_name:
        client_options.tls.ca_pem = server.certificate_pem();
        url = "wss://localhost:" + std::to_string(server.port()) + "/";
        break;
    }
    client::reference_client client(client_options);
    ASSERT_FALSE(client.connect(url)) << client.error_detail();
    EXPECT_EQ(client.response_head().status, 101);
    run_echo_exchange(client);
}

INSTANTIATE_TEST_SUITE_P(transports, reference_pair,
                         ::testing::Values(transport::ws, transport::wss_insecure,
                                           transport::wss_trusting_cert, transport::wss_by_name),
                         [](const auto& param_info) { return name_of(param_info.param); });

TEST(reference, wss_client_refuses_an_untrusted_certificate) {
    server::server_options options;
    options.tls = true;
    server::background_server server(options);
    client::reference_client client; // the system's CA store does not know our certificate
    const auto ec = client.connect(server.url());
    EXPECT_TRUE(ec);
    EXPECT_NE(client.error_detail().find("certificate verify failed"), std::string::npos)
        << client.error_detail();
}

TEST(reference, ipv6_loopback) {
    server::server_options options;
    options.host = "::1";
    std::unique_ptr<server::background_server> server;
    try {
        server = std::make_unique<server::background_server>(options);
    } catch (const net::setup_error& e) {
        GTEST_SKIP() << "no IPv6 loopback here: " << e.what();
    }
    EXPECT_EQ(server->url().rfind("ws://[::1]:", 0), 0u) << server->url();
    client::reference_client client;
    ASSERT_FALSE(client.connect(server->url())) << client.error_detail();
    ASSERT_FALSE(client.send_text("over v6"));
    const auto reply = next_reply(client);
    EXPECT_EQ(reply.text(), "over v6");
    EXPECT_FALSE(client.close());
}

TEST(reference, port_in_use_is_a_setup_error) {
    server::background_server first({});
    server::server_options options;
    options.port = first.port();
    try {
        server::background_server second(options);
        FAIL() << "two servers on one port";
    } catch (const net::setup_error& e) {
        EXPECT_NE(std::string(e.what()).find("Address already in use"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find(std::to_string(first.port())), std::string::npos);
    }
}

TEST(reference, host_must_be_an_address) {
    server::server_options options;
    options.host = "not an address";
    EXPECT_THROW(server::background_server{options}, net::setup_error);
}

TEST(reference, message_over_the_limit_is_refused_with_1009) {
    server::server_options options;
    options.max_message_size = 1024;
    server::background_server server(options);
    {
        client::reference_client client;
        ASSERT_FALSE(client.connect(server.url()));
        ASSERT_FALSE(client.send_binary(pattern_bytes(1024))); // at the limit: fine
        EXPECT_EQ(next_reply(client).data.size(), 1024u);
        ASSERT_FALSE(client.send_binary(pattern_bytes(1025)));
        const auto reply = next_reply(client);
        ASSERT_EQ(reply.what, proto::session_event::kind::close);
        ASSERT_TRUE(reply.code.has_value());
        EXPECT_EQ(*reply.code, proto::close_code::too_big);
    }
    {
        // The limit is on the reassembled message, not on each frame (10.4).
        client::reference_client client;
        ASSERT_FALSE(client.connect(server.url()));
        const std::string half(600, 'a');
        const std::span<const std::uint8_t> piece(reinterpret_cast<const std::uint8_t*>(half.data()),
                                                  half.size());
        const std::span<const std::uint8_t> pieces[] = {piece, piece};
        ASSERT_FALSE(client.send_fragmented(proto::opcode::text, pieces));
        const auto reply = next_reply(client);
        ASSERT_EQ(reply.what, proto::session_event::kind::close);
        ASSERT_TRUE(reply.code.has_value());
        EXPECT_EQ(*reply.code, proto::close_code::too_big);
    }
}

TEST(reference, idle_connection_is_closed_with_1001) {
    server::server_options options;
    options.idle_timeout = 300ms;
    server::background_server server(options);
    client::reference_client client;
    ASSERT_FALSE(client.connect(server.url()));
    const auto start = std::chrono::steady_clock::now();
    const auto reply = next_reply(client);
    ASSERT_EQ(reply.what, proto::session_event::kind::close);
    ASSERT_TRUE(reply.code.has_value());
    EXPECT_EQ(*reply.code, proto::close_code::going_away);
    EXPECT_GE(std::chrono::steady_clock::now() - start, 250ms);
    // The session answered the server's Close; the server then closes TCP.
    EXPECT_FALSE(client.close());
    EXPECT_TRUE(client.transport_closed());
}

TEST(reference, activity_keeps_a_connection_alive) {
    server::server_options options;
    options.idle_timeout = 1000ms;
    server::background_server server(options);
    client::reference_client client;
    ASSERT_FALSE(client.connect(server.url()));
    for (int i = 0; i < 5; ++i) { // 5 x 300 ms: past the idle timeout in total
        std::this_thread::sleep_for(300ms);
        ASSERT_FALSE(client.send_text("still here"));
        ASSERT_EQ(next_reply(client).what, proto::session_event::kind::text);
    }
    EXPECT_FALSE(client.close());
}

TEST(reference, graceful_stop_sends_1001_to_open_sessions) {
    auto server = std::make_unique<server::background_server>(server::server_options{});
    client::reference_client a;
    client::reference_client b;
    ASSERT_FALSE(a.connect(server->url()));
    ASSERT_FALSE(b.connect(server->url()));
    ASSERT_FALSE(a.send_text("x"));
    ASSERT_EQ(next_reply(a).what, proto::session_event::kind::text);
    EXPECT_EQ(server->connection_count(), 2u);
    // stop() waits for both closing handshakes: run it beside the clients.
    std::thread stopper([&] { server->stop(); });
    for (auto* c : {&a, &b}) {
        const auto reply = next_reply(*c);
        ASSERT_EQ(reply.what, proto::session_event::kind::close);
        ASSERT_TRUE(reply.code.has_value());
        EXPECT_EQ(*reply.code, proto::close_code::going_away);
        EXPECT_FALSE(c->close());
    }
    stopper.join();
    // No longer accepting.
    client::reference_client late;
    EXPECT_TRUE(late.connect("ws://127.0.0.1:" + std::to_string(server->port()) + "/"));
}

TEST(reference, stop_is_bounded_when_a_client_never_answers_the_close) {
    server::server_options options;
    options.close_timeout = 300ms;
    server::background_server server(options);
    client::reference_client silent;
    ASSERT_FALSE(silent.connect(server.url()));
    // The client never runs again, so the server's Close 1001 is never answered.
    const auto start = std::chrono::steady_clock::now();
    server.stop();
    EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
}

TEST(reference, many_connections_at_once) {
    server::background_server server({});
    std::vector<std::unique_ptr<client::reference_client>> clients;
    for (int i = 0; i < 32; ++i) {
        clients.push_back(std::make_unique<client::reference_client>());
        ASSERT_FALSE(clients.back()->connect(server.url())) << clients.back()->error_detail();
    }
    EXPECT_EQ(server.connection_count(), 32u);
    for (std::size_t i = 0; i < clients.size(); ++i) {
        ASSERT_FALSE(clients[i]->send_text("client " + std::to_string(i)));
    }
    for (std::size_t i = 0; i < clients.size(); ++i) {
        EXPECT_EQ(next_reply(*clients[i]).text(), "client " + std::to_string(i));
    }
    for (auto& c : clients) {
        EXPECT_FALSE(c->close());
    }
}

TEST(reference, client_reports_a_refused_connection) {
    boost::asio::io_context io;
    boost::asio::ip::tcp::acceptor probe(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
    const auto port = probe.local_endpoint().port();
    probe.close();
    client::reference_client client;
    const auto ec = client.connect("ws://127.0.0.1:" + std::to_string(port) + "/");
    EXPECT_EQ(ec, make_error_code(boost::asio::error::connection_refused)) << ec.message();
    EXPECT_EQ(client.error_detail(), "cannot connect to 127.0.0.1:" + std::to_string(port) +
                                         ": Connection refused");
}

TEST(reference, client_reports_a_bad_url) {
    client::reference_client client;
    EXPECT_EQ(client.connect("http://127.0.0.1/"), client::client_error::bad_url);
    EXPECT_NE(client.error_detail().find("unsupported scheme 'http'"), std::string::npos);
}

TEST(reference, client_cannot_send_before_connecting_or_after_closing) {
    client::reference_client client;
    EXPECT_EQ(client.send_text("x"), client::client_error::not_open);
    server::background_server server({});
    ASSERT_FALSE(client.connect(server.url()));
    EXPECT_FALSE(client.close());
    EXPECT_EQ(client.send_text("x"), client::client_error::not_open);
    proto::session_event event;
    EXPECT_EQ(client.receive(event), client::client_error::connection_closed);
}

TEST(reference, receive_timeout_loses_nothing) {
    server::background_server server({});
    client::client_options options;
    options.timeout = 200ms;
    client::reference_client client(options);
    ASSERT_FALSE(client.connect(server.url()));
    proto::session_event event;
    EXPECT_EQ(client.receive(event), net::timed_out_error());
    ASSERT_FALSE(client.send_text("after a timeout"));
    EXPECT_EQ(next_reply(client).text(), "after a timeout");
    EXPECT_FALSE(client.close());
}

TEST(reference, wire_log_records_the_handshake_and_frames) {
    server::background_server server({});
    client::client_options options;
    options.wire_log_bytes = 4096;
    client::reference_client client(options);
    ASSERT_FALSE(client.connect(server.url()));
    ASSERT_FALSE(client.send_text("logged"));
    next_reply(client);
    EXPECT_FALSE(client.close());
    const auto& records = client.wire_log()->records();
    ASSERT_GE(records.size(), 4u);
    EXPECT_EQ(records.front().dir, net::direction::sent);
    const std::string first(records.front().bytes.begin(), records.front().bytes.end());
    EXPECT_EQ(first.rfind("GET / HTTP/1.1\r\n", 0), 0u);
    bool saw_101 = false;
    for (const auto& r : records) {
        const std::string text(r.bytes.begin(), r.bytes.end());
        saw_101 = saw_101 || (r.dir == net::direction::received &&
                              text.rfind("HTTP/1.1 101", 0) == 0);
    }
    EXPECT_TRUE(saw_101);
}

} // namespace
} // namespace wscheck::test
