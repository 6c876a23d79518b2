// The reference server seen from raw sockets: what it answers to broken handshakes, and what
// it does on the wire around the closing handshake.
#include "harness/client/reference_client.hpp"
#include "harness/proto/close.hpp"
#include "harness/proto/handshake.hpp"
#include "harness/server/reference_server.hpp"
#include "tests/harness/integration/echo_exchange.hpp"
#include "tests/harness/integration/raw_socket.hpp"

#include <gtest/gtest.h>

namespace wscheck::test {
namespace {

using namespace std::chrono_literals;

struct rejection_case {
    const char* name;
    std::string request; // "{host}" stands for the Host value
    int status;
    const char* must_contain; // a field the response must carry, or ""
};

// For test listings: the case's name rather than its bytes.
void PrintTo(const rejection_case& c, std::ostream* os) { *os << c.name; }

std::string with_host(std::string request, std::uint16_t port) {
    const auto at = request.find("{host}");
    if (at != std::string::npos) {
        request.replace(at, 6, "127.0.0.1:" + std::to_string(port));
    }
    return request;
}

const std::string upgrade_fields = "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                                   "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";

class rejection : public ::testing::TestWithParam<rejection_case> {
protected:
    static void SetUpTestSuite() { server_ = new server::background_server({}); }
    static void TearDownTestSuite() {
        delete server_;
        server_ = nullptr;
    }
    static server::background_server* server_;
};
server::background_server* rejection::server_ = nullptr;

TEST_P(rejection, answers_with_the_right_status_and_closes) {
    const auto& c = GetParam();
    raw_socket s(server_->port());
    ASSERT_TRUE(s.ok());
    ASSERT_TRUE(s.send(with_host(c.request, server_->port())));
    const auto head = s.read_head(5s);
    ASSERT_TRUE(head.has_value()) << "no response; got: " << s.buffer();
    const std::string status_line = "HTTP/1.1 " + std::to_string(c.status) + " ";
    EXPECT_EQ(head->rfind(status_line, 0), 0u) << *head;
    if (*c.must_contain != '\0') {
        EXPECT_NE(head->find(c.must_contain), std::string::npos) << *head;
    }
    EXPECT_EQ(head->find("Sec-WebSocket-Accept"), std::string::npos);
    // Then the server closes the connection.
    EXPECT_TRUE(s.read_to_eof(5s));
}

INSTANTIATE_TEST_SUITE_P(
    bad_handshakes, rejection,
    ::testing::Values(
        // 4.2.1 item 1: the method must be GET (405 names the allowed method).
        rejection_case{"post", "POST / HTTP/1.1\r\nHost: {host}\r\n" + upgrade_fields +
                                   "Sec-WebSocket-Version: 13\r\n\r\n", 405, "Allow: GET"},
        // 4.2.1 item 1: HTTP/1.1 or higher.
        rejection_case{"http10", "GET / HTTP/1.0\r\nHost: {host}\r\n" + upgrade_fields +
                                     "Sec-WebSocket-Version: 13\r\n\r\n", 400, ""},
        // 4.2.1 item 2: a Host field.
        rejection_case{"no_host", "GET / HTTP/1.1\r\n" + upgrade_fields +
                                      "Sec-WebSocket-Version: 13\r\n\r\n", 400, ""},
        // 4.2.1 item 3: Upgrade: websocket.
        rejection_case{"no_upgrade", "GET / HTTP/1.1\r\nHost: {host}\r\nConnection: Upgrade\r\n"
                                     "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                                     "Sec-WebSocket-Version: 13\r\n\r\n", 400, ""},
        // 4.2.1 item 4: Connection: Upgrade.
        rejection_case{"no_connection", "GET / HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\n"
                                        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                                        "Sec-WebSocket-Version: 13\r\n\r\n", 400, ""},
        // 4.2.1 item 5: a key of 16 base64-encoded bytes.
        rejection_case{"short_key", "GET / HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\n"
                                    "Connection: Upgrade\r\nSec-WebSocket-Key: c2hvcnQ=\r\n"
                                    "Sec-WebSocket-Version: 13\r\n\r\n", 400, ""},
        // 4.2.1 item 6 and 4.4: version 13 only, and the answer lists it.
        rejection_case{"version_8", "GET / HTTP/1.1\r\nHost: {host}\r\n" + upgrade_fields +
                                        "Sec-WebSocket-Version: 8\r\n\r\n", 426,
                       "Sec-WebSocket-Version: 13"},
        rejection_case{"no_version", "GET / HTTP/1.1\r\nHost: {host}\r\n" + upgrade_fields + "\r\n",
                       426, "Sec-WebSocket-Version: 13"},
        // A GET with content (RFC 9110 9.3.1): refused, never read as frames (RFC 9110 7.8).
        rejection_case{"content_length", "GET / HTTP/1.1\r\nHost: {host}\r\n" + upgrade_fields +
                                             "Sec-WebSocket-Version: 13\r\nContent-Length: 5\r\n\r\nhello",
                       400, ""},
        rejection_case{"chunked", "GET / HTTP/1.1\r\nHost: {host}\r\n" + upgrade_fields +
                                      "Sec-WebSocket-Version: 13\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                       400, ""},
        // Not HTTP at all.
        rejection_case{"garbage", "hello there\r\n\r\n", 400, ""},
        // A head over the 16 KiB cap (RFC 6585 5: 431).
        rejection_case{"huge_head", "GET / HTTP/1.1\r\nHost: {host}\r\nX-Big: " +
                                        std::string(20000, 'a') + "\r\n\r\n", 431, ""}),
    [](const auto& param_info) { return std::string(param_info.param.name); });

TEST(server_wire, accepts_a_valid_handshake_with_the_rfc_example_accept) {
    server::background_server server({});
    raw_socket s(server.port());
    ASSERT_TRUE(s.send(valid_request(server.port())));
    const auto head = s.read_head(5s);
    ASSERT_TRUE(head.has_value());
    EXPECT_EQ(head->rfind("HTTP/1.1 101 ", 0), 0u) << *head;
    // 1.3's example: key dGhlIHNhbXBsZSBub25jZQ== gives s3pPLMBiTxaQ9kYGzzhZRbK+xOo=.
    EXPECT_NE(head->find("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"), std::string::npos)
        << *head;
    // No extension or subprotocol was offered, so none is chosen.
    EXPECT_EQ(head->find("Sec-WebSocket-Extensions"), std::string::npos);
}

TEST(server_wire, declines_permessage_deflate) {
    // 9.1: a server may decline every extension offer; the echo server does not compress.
    server::background_server server({});
    raw_socket s(server.port());
    std::string request = valid_request(server.port());
    request.insert(request.size() - 2,
                   "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n");
    ASSERT_TRUE(s.send(request));
    const auto head = s.read_head(5s);
    ASSERT_TRUE(head.has_value());
    EXPECT_EQ(head->rfind("HTTP/1.1 101 ", 0), 0u);
    EXPECT_EQ(head->find("Sec-WebSocket-Extensions"), std::string::npos) << *head;
}

TEST(server_wire, server_closes_tcp_first_after_the_closing_handshake) {
    server::background_server server({});
    raw_socket s(server.port());
    ASSERT_TRUE(s.send(valid_request(server.port())));
    ASSERT_TRUE(s.read_head(5s).has_value());
    const auto payload = proto::build_close_payload(proto::close_code::normal, "done");
    ASSERT_TRUE(s.send(client_frame(proto::opcode::close, payload)));
    const auto reply = s.read_frame(5s);
    ASSERT_TRUE(reply.has_value());
    EXPECT_EQ(reply->header.op, proto::opcode::close);
    EXPECT_FALSE(reply->header.masked); // 5.1: a server never masks
    ASSERT_GE(reply->payload.size(), 2u);
    EXPECT_EQ((reply->payload[0] << 8) | reply->payload[1], proto::close_code::normal);
    // 7.1.1: we keep our side open; the server must close the TCP connection by itself.
    EXPECT_TRUE(s.read_to_eof(2s)) << "the server did not close the TCP connection";
    EXPECT_TRUE(s.buffer().empty()) << "bytes after the Close frame";
}

TEST(server_wire, answers_ping_with_pong_before_echoing) {
    server::background_server server({});
    raw_socket s(server.port());
    ASSERT_TRUE(s.send(valid_request(server.port())));
    ASSERT_TRUE(s.read_head(5s).has_value());
    const std::string ping = "ping data";
    auto bytes = client_frame(proto::opcode::ping, bytes_of(ping));
    const auto text = client_frame(proto::opcode::text, bytes_of(std::string("hi")));
    bytes.insert(bytes.end(), text.begin(), text.end());
    ASSERT_TRUE(s.send(bytes));
    const auto pong = s.read_frame(5s);
    ASSERT_TRUE(pong.has_value());
    EXPECT_EQ(pong->header.op, proto::opcode::pong);
    EXPECT_EQ(std::string(pong->payload.begin(), pong->payload.end()), ping);
    const auto echo = s.read_frame(5s);
    ASSERT_TRUE(echo.has_value());
    EXPECT_EQ(echo->header.op, proto::opcode::text);
    EXPECT_EQ(std::string(echo->payload.begin(), echo->payload.end()), "hi");
}

TEST(server_wire, unmasked_client_frame_fails_the_connection_with_1002) {
    server::background_server server({});
    raw_socket s(server.port());
    ASSERT_TRUE(s.send(valid_request(server.port())));
    ASSERT_TRUE(s.read_head(5s).has_value());
    // 5.1: a server must close the connection on an unmasked frame ("\x81\x02hi").
    ASSERT_TRUE(s.send(std::string("\x81\x02hi", 4)));
    const auto reply = s.read_frame(5s);
    ASSERT_TRUE(reply.has_value());
    EXPECT_EQ(reply->header.op, proto::opcode::close);
    ASSERT_GE(reply->payload.size(), 2u);
    EXPECT_EQ((reply->payload[0] << 8) | reply->payload[1], proto::close_code::protocol_error);
    EXPECT_TRUE(s.read_to_eof(5s));
}

TEST(server_wire, incomplete_handshake_is_dropped_at_the_handshake_timeout) {
    server::server_options options;
    options.handshake_timeout = 300ms;
    server::background_server server(options);
    raw_socket s(server.port());
    ASSERT_TRUE(s.send(std::string("GET / HTTP/1.1\r\nHost: x\r\n"))); // never finished
    const auto start = std::chrono::steady_clock::now();
    EXPECT_TRUE(s.read_to_eof(5s));
    EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
    EXPECT_TRUE(s.buffer().empty()) << s.buffer();
}

TEST(server_wire, a_peer_that_never_reads_does_not_block_the_others) {
    server::server_options options;
    options.write_timeout = std::chrono::milliseconds(20'000);
    server::background_server server(options);
    // A client sends a 16 MiB message and never reads its echo.
    raw_socket hog(server.port());
    ASSERT_TRUE(hog.send(valid_request(server.port())));
    ASSERT_TRUE(hog.read_head(5s).has_value());
    ASSERT_TRUE(hog.send(client_frame(proto::opcode::binary, pattern_bytes(16 * 1024 * 1024))));
    // Meanwhile, another client is served at once.
    client::client_options client_options;
    client_options.timeout = 5s;
    client::reference_client other(client_options);
    ASSERT_FALSE(other.connect(server.url())) << other.error_detail();
    for (int i = 0; i < 10; ++i) {
        ASSERT_FALSE(other.send_text("ping " + std::to_string(i)));
        EXPECT_EQ(next_reply(other).text(), "ping " + std::to_string(i));
    }
    EXPECT_FALSE(other.close());
}

TEST(server_wire, garbage_after_the_handshake_fails_the_connection) {
    server::background_server server({});
    raw_socket s(server.port());
    ASSERT_TRUE(s.send(valid_request(server.port())));
    ASSERT_TRUE(s.read_head(5s).has_value());
    // 0xFF 0xFF...: FIN, RSV1-3 set and opcode 0xF, a reserved control opcode (5.2).
    ASSERT_TRUE(s.send(std::string(64 * 1024, '\xFF')));
    const auto reply = s.read_frame(5s);
    ASSERT_TRUE(reply.has_value());
    EXPECT_EQ(reply->header.op, proto::opcode::close);
    ASSERT_GE(reply->payload.size(), 2u);
    EXPECT_EQ((reply->payload[0] << 8) | reply->payload[1], proto::close_code::protocol_error);
    EXPECT_TRUE(s.read_to_eof(5s));
    // The server is still serving others.
    client::reference_client client;
    ASSERT_FALSE(client.connect(server.url()));
    EXPECT_FALSE(client.close());
}

TEST(server_wire, connections_over_the_cap_are_closed_at_once) {
    server::server_options options;
    options.max_connections = 2;
    server::background_server server(options);
    raw_socket a(server.port());
    raw_socket b(server.port());
    ASSERT_TRUE(a.send(valid_request(server.port())));
    ASSERT_TRUE(b.send(valid_request(server.port())));
    ASSERT_TRUE(a.read_head(5s).has_value());
    ASSERT_TRUE(b.read_head(5s).has_value());
    raw_socket c(server.port());
    EXPECT_TRUE(c.read_to_eof(5s));
    EXPECT_TRUE(c.buffer().empty());
    EXPECT_EQ(server.connection_count(), 2u);
}

// A valid message and a bad frame in ONE write: the server echoes the message before the
// Close that fails the connection, in wire order (what Autobahn 3.2, 4.1.3, 5.15 ... judge).
class server_echo_order : public ::testing::TestWithParam<bad_frame_case> {};

TEST_P(server_echo_order, echoes_the_message_before_failing) {
    const auto& bad = GetParam();
    server::background_server server({});
    raw_socket s(server.port());
    ASSERT_TRUE(s.send(valid_request(server.port())));
    ASSERT_TRUE(s.read_head(5s).has_value());
    auto bytes = client_frame(proto::opcode::text, bytes_of(std::string("hello")));
    const std::string bad_payload(1, static_cast<char>(bad.payload));
    auto bad_bytes = client_frame(proto::opcode::text, bytes_of(bad_payload));
    bad_bytes[0] = bad.first_byte;
    bytes.insert(bytes.end(), bad_bytes.begin(), bad_bytes.end());
    ASSERT_TRUE(s.send(bytes));
    const auto echo = s.read_frame(5s);
    ASSERT_TRUE(echo.has_value());
    EXPECT_EQ(echo->header.op, proto::opcode::text);
    EXPECT_EQ(std::string(echo->payload.begin(), echo->payload.end()), "hello");
    const auto close = s.read_frame(5s);
    ASSERT_TRUE(close.has_value());
    EXPECT_EQ(close->header.op, proto::opcode::close);
    ASSERT_GE(close->payload.size(), 2u);
    EXPECT_EQ((close->payload[0] << 8) | close->payload[1], bad.close_code);
    EXPECT_TRUE(s.read_to_eof(5s));
}

INSTANTIATE_TEST_SUITE_P(one_write, server_echo_order, ::testing::ValuesIn(bad_frames_after_a_message()),
                         [](const auto& param_info) { return std::string(param_info.param.name); });

} // namespace
} // namespace wscheck::test
