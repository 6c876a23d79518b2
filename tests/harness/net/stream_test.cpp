#include "harness/net/stream.hpp"

#include "harness/net/tls.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace wscheck::net {
namespace {

tls_client_options options_trusting(const std::string& pem) {
    tls_client_options options;
    options.ca_pem = pem;
    return options;
}

tls_client_options insecure_options() {
    tls_client_options options;
    options.insecure = true;
    return options;
}

using namespace std::chrono_literals;

std::span<const std::uint8_t> bytes_of(const std::string& s) {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

// A listening socket on 127.0.0.1 and a pair of streams connected through it.
class stream_pair : public ::testing::Test {
protected:
    void connect_pair(ssl::context* server_tls = nullptr, ssl::context* client_tls = nullptr,
                      const std::string& host = "127.0.0.1") {
        acceptor_.open(tcp::v4());
        acceptor_.bind({asio::ip::make_address("127.0.0.1"), 0});
        acceptor_.listen();
        client_ = stream::make_client(io_, client_tls);
        acceptor_.async_accept([this, server_tls](const boost::system::error_code& ec, tcp::socket s) {
            ASSERT_FALSE(ec) << ec.message();
            server_ = stream::adopt(std::move(s), server_tls);
            server_->async_accept_tls(5s, [&](std::error_code e) { server_tls_result_ = e; });
        });
        bool done = false;
        client_->async_connect(host, acceptor_.local_endpoint().port(), 5s, [&](std::error_code ec) {
            connect_result_ = ec;
            done = true;
        });
        // Both ends: the client's connect (and TLS handshake) and the server's accept.
        run_until(io_, [&] { return done && server_; }, clock::now() + 10s);
        ASSERT_TRUE(done);
        ASSERT_TRUE(server_);
    }

    // Runs until `handler` has been called once; returns (ec, n).
    std::pair<std::error_code, std::size_t> read_some(stream& s, std::span<std::uint8_t> buf,
                                                      duration timeout) {
        bool done = false;
        std::pair<std::error_code, std::size_t> result;
        s.async_read_some(buf, timeout, [&](std::error_code ec, std::size_t n) {
            result = {ec, n};
            done = true;
        });
        run_until(io_, [&] { return done; }, clock::now() + 10s);
        EXPECT_TRUE(done);
        return result;
    }

    std::error_code write_all(stream& s, std::span<const std::uint8_t> data) {
        bool done = false;
        std::error_code result;
        s.async_write_all(data, 5s, [&](std::error_code ec, std::size_t) {
            result = ec;
            done = true;
        });
        run_until(io_, [&] { return done; }, clock::now() + 10s);
        EXPECT_TRUE(done);
        return result;
    }

    asio::io_context io_;
    tcp::acceptor acceptor_{io_};
    std::shared_ptr<stream> client_;
    std::shared_ptr<stream> server_;
    std::error_code connect_result_;
    std::error_code server_tls_result_;
};

TEST_F(stream_pair, bytes_flow_both_ways_and_the_wire_log_records_them) {
    connect_pair();
    ASSERT_FALSE(connect_result_) << connect_result_.message();
    auto log = std::make_shared<wire_log>();
    client_->set_wire_log(log);
    const std::string hello = "hello";
    ASSERT_FALSE(write_all(*client_, bytes_of(hello)));
    std::vector<std::uint8_t> buf(64);
    std::string got;
    while (got.size() < hello.size()) {
        const auto [ec, n] = read_some(*server_, buf, 5s);
        ASSERT_FALSE(ec) << ec.message();
        got.append(reinterpret_cast<const char*>(buf.data()), n);
    }
    EXPECT_EQ(got, hello);
    const std::string back = "back";
    ASSERT_FALSE(write_all(*server_, bytes_of(back)));
    const auto [ec, n] = read_some(*client_, buf, 5s);
    ASSERT_FALSE(ec);
    ASSERT_EQ(log->records().size(), 2u);
    EXPECT_EQ(log->records()[0].dir, direction::sent);
    EXPECT_EQ(log->records()[0].size, hello.size());
    EXPECT_EQ(log->records()[1].dir, direction::received);
    EXPECT_EQ(log->records()[1].size, n);
}

TEST_F(stream_pair, read_caps_at_the_buffer_size) {
    connect_pair();
    const std::string data(100, 'x');
    ASSERT_FALSE(write_all(*client_, bytes_of(data)));
    std::vector<std::uint8_t> small(7);
    const auto [ec, n] = read_some(*server_, small, 5s);
    ASSERT_FALSE(ec);
    EXPECT_GE(n, 1u);
    EXPECT_LE(n, 7u);
}

TEST_F(stream_pair, read_past_its_deadline_times_out_and_aborts_the_stream) {
    connect_pair();
    std::vector<std::uint8_t> buf(16);
    const auto start = clock::now();
    const auto [ec, n] = read_some(*client_, buf, 100ms);
    EXPECT_EQ(ec, timed_out_error()) << ec.message();
    EXPECT_EQ(n, 0u);
    EXPECT_GE(clock::now() - start, 100ms);
    EXPECT_FALSE(client_->is_open());
    // Every later operation reports the same reason.
    const auto [ec2, n2] = read_some(*client_, buf, 5s);
    EXPECT_EQ(ec2, timed_out_error()) << ec2.message();
    // And the peer sees the connection end.
    const auto [peer_ec, peer_n] = read_some(*server_, buf, 5s);
    EXPECT_TRUE(peer_ec);
}

TEST_F(stream_pair, a_completed_read_is_not_aborted_by_its_old_deadline) {
    connect_pair();
    std::vector<std::uint8_t> buf(16);
    const std::string a = "a";
    ASSERT_FALSE(write_all(*server_, bytes_of(a)));
    const auto [ec, n] = read_some(*client_, buf, 200ms);
    ASSERT_FALSE(ec);
    // Wait past the first read's deadline: the stream must still be usable.
    asio::steady_timer pause(io_, 400ms);
    bool paused = false;
    pause.async_wait([&](auto) { paused = true; });
    run_until(io_, [&] { return paused; }, clock::now() + 5s);
    EXPECT_TRUE(client_->is_open());
    ASSERT_FALSE(write_all(*server_, bytes_of(a)));
    const auto [ec2, n2] = read_some(*client_, buf, 5s);
    EXPECT_FALSE(ec2) << ec2.message();
}

TEST_F(stream_pair, graceful_shutdown_sends_eof_and_waits_for_the_peers) {
    connect_pair();
    bool done = false;
    std::error_code shutdown_result = make_error_code(std::errc::io_error);
    server_->async_shutdown(5s, [&](std::error_code ec) {
        shutdown_result = ec;
        done = true;
    });
    std::vector<std::uint8_t> buf(16);
    const auto [ec, n] = read_some(*client_, buf, 5s);
    EXPECT_EQ(ec, eof_error()) << ec.message();
    EXPECT_FALSE(done); // still waiting for our EOF
    client_->close();
    run_until(io_, [&] { return done; }, clock::now() + 10s);
    EXPECT_TRUE(done);
    EXPECT_FALSE(shutdown_result) << shutdown_result.message();
    EXPECT_FALSE(server_->is_open());
}

TEST_F(stream_pair, shutdown_gives_up_at_its_deadline) {
    connect_pair();
    bool done = false;
    std::error_code shutdown_result;
    server_->async_shutdown(100ms, [&](std::error_code ec) {
        shutdown_result = ec;
        done = true;
    });
    // The client never closes its side.
    run_until(io_, [&] { return done; }, clock::now() + 10s);
    EXPECT_TRUE(done);
    EXPECT_EQ(shutdown_result, timed_out_error());
    EXPECT_FALSE(server_->is_open());
}

TEST(stream, connect_to_a_closed_port_is_refused) {
    asio::io_context io;
    tcp::acceptor probe(io, {asio::ip::make_address("127.0.0.1"), 0});
    const auto port = probe.local_endpoint().port();
    probe.close();
    auto s = stream::make_client(io);
    bool done = false;
    std::error_code result;
    s->async_connect("127.0.0.1", port, 5s, [&](std::error_code ec) {
        result = ec;
        done = true;
    });
    run_until(io, [&] { return done; }, clock::now() + 10s);
    ASSERT_TRUE(done);
    EXPECT_EQ(result, make_error_code(asio::error::connection_refused)) << result.message();
}

TEST_F(stream_pair, tls_round_trip_verifies_name_and_address) {
    const auto pair = generate_self_signed();
    auto server_ctx = make_server_context(pair);
    auto client_ctx = make_client_context(options_trusting(pair.cert_pem));
    for (const std::string host : {"localhost", "127.0.0.1"}) {
        SCOPED_TRACE(host);
        acceptor_.close();
        server_.reset();
        connect_pair(&server_ctx, &client_ctx, host);
        ASSERT_FALSE(connect_result_) << connect_result_.message();
        EXPECT_TRUE(client_->is_tls());
        const std::string hello = "over tls";
        ASSERT_FALSE(write_all(*client_, bytes_of(hello)));
        std::vector<std::uint8_t> buf(64);
        const auto [ec, n] = read_some(*server_, buf, 5s);
        ASSERT_FALSE(ec) << ec.message();
        EXPECT_EQ(std::string(reinterpret_cast<const char*>(buf.data()), n), hello);
    }
}

// The server name the client indicated (RFC 6066 3), captured by the server context.
int record_server_name(SSL* ssl, int*, void* arg) {
    const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
    *static_cast<std::string*>(arg) = name != nullptr ? name : "(none)";
    return SSL_TLSEXT_ERR_OK;
}

void capture_server_name(ssl::context& ctx, std::string& out) {
    // SSL_CTX_set_tlsext_servername_callback/_arg without their macros' old-style casts.
    SSL_CTX_callback_ctrl(ctx.native_handle(), SSL_CTRL_SET_TLSEXT_SERVERNAME_CB,
                          reinterpret_cast<void (*)()>(&record_server_name));
    SSL_CTX_ctrl(ctx.native_handle(), SSL_CTRL_SET_TLSEXT_SERVERNAME_ARG, 0, &out);
}

TEST_F(stream_pair, tls_client_sends_sni_for_names_only) {
    const auto pair = generate_self_signed();
    auto server_ctx = make_server_context(pair);
    auto client_ctx = make_client_context(options_trusting(pair.cert_pem));
    std::string indicated;
    capture_server_name(server_ctx, indicated);
    connect_pair(&server_ctx, &client_ctx, "localhost");
    ASSERT_FALSE(connect_result_) << connect_result_.message();
    EXPECT_EQ(indicated, "localhost");
    // RFC 6066 3: "Literal IPv4 and IPv6 addresses are not permitted in HostName".
    acceptor_.close();
    server_.reset();
    indicated.clear();
    connect_pair(&server_ctx, &client_ctx, "127.0.0.1");
    ASSERT_FALSE(connect_result_) << connect_result_.message();
    EXPECT_EQ(indicated, "(none)");
}

TEST_F(stream_pair, tls_refuses_a_certificate_from_an_untrusted_issuer) {
    auto server_ctx = make_server_context(generate_self_signed());
    auto client_ctx = make_client_context(options_trusting(generate_self_signed().cert_pem));
    connect_pair(&server_ctx, &client_ctx);
    EXPECT_TRUE(connect_result_);
    EXPECT_NE(connect_result_.message().find("certificate verify failed"), std::string::npos)
        << connect_result_.message();
}

TEST_F(stream_pair, tls_handshake_that_never_comes_times_out) {
    auto client_ctx = make_client_context(insecure_options());
    acceptor_.open(tcp::v4());
    acceptor_.bind({asio::ip::make_address("127.0.0.1"), 0});
    acceptor_.listen(); // the kernel completes the TCP handshake; nobody answers TLS
    client_ = stream::make_client(io_, &client_ctx);
    bool done = false;
    client_->async_connect("127.0.0.1", acceptor_.local_endpoint().port(), 200ms,
                           [&](std::error_code ec) {
                               connect_result_ = ec;
                               done = true;
                           });
    run_until(io_, [&] { return done; }, clock::now() + 10s);
    ASSERT_TRUE(done);
    EXPECT_EQ(connect_result_, timed_out_error()) << connect_result_.message();
}

} // namespace
} // namespace wscheck::net
