// The reference client against scripted raw servers: what it checks in the handshake (4.1)
// and what it puts on the wire.
#include "harness/client/reference_client.hpp"
#include "harness/proto/error.hpp"
#include "harness/proto/handshake.hpp"
#include "harness/proto/http1.hpp"
#include "tests/harness/integration/raw_socket.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <thread>

namespace wscheck::test {
namespace {

using namespace std::chrono_literals;

// Accepts one connection on a thread and runs `script` on it.
class scripted_server {
public:
    explicit scripted_server(std::function<void(raw_socket&)> script)
        : thread_([this, script = std::move(script)] {
              const int fd = listener_.accept(10s);
              if (fd < 0) {
                  return;
              }
              raw_socket s(fd);
              script(s);
          }) {}
    ~scripted_server() { join(); }
    /// Waits for the script to finish; what it recorded may be read after this.
    void join() {
        if (thread_.joinable()) {
            thread_.join();
        }
    }
    std::uint16_t port() const { return listener_.port(); }
    std::string url() const { return "ws://127.0.0.1:" + std::to_string(port()) + "/chat"; }

private:
    raw_listener listener_;
    std::thread thread_;
};

// The key of the request in `head`, or "".
std::string key_of(const std::string& head) {
    proto::http_parser parser(proto::http_parser::kind::request);
    std::size_t consumed = 0;
    if (parser.feed(head, consumed) != proto::http_parser::status::done) {
        return {};
    }
    return std::string(parser.head().single("Sec-WebSocket-Key").value_or(""));
}

std::string response_101(const std::string& accept) {
    return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           "Sec-WebSocket-Accept: " + accept + "\r\n\r\n";
}

TEST(client_wire, request_is_a_valid_opening_handshake) {
    std::string request;
    scripted_server server([&](raw_socket& s) {
        request = s.read_head(5s).value_or("");
        s.send(response_101(proto::compute_accept(key_of(request))));
        s.read_to_eof(5s);
    });
    {
        client::reference_client client;
        ASSERT_FALSE(client.connect(server.url())) << client.error_detail();
    } // destroying the client closes the socket, ending the script
    server.join();
    proto::http_parser parser(proto::http_parser::kind::request);
    std::size_t consumed = 0;
    ASSERT_EQ(parser.feed(request, consumed), proto::http_parser::status::done) << request;
    proto::accepted_request accepted;
    EXPECT_FALSE(proto::check_request(parser.head(), accepted)) << request;
    EXPECT_EQ(accepted.target, "/chat");
    // 4.1 item 4: host and port, the port because it is not the default.
    EXPECT_EQ(parser.head().single("Host").value_or(""), "127.0.0.1:" + std::to_string(server.port()));
}

TEST(client_wire, refuses_a_wrong_accept) {
    scripted_server server([](raw_socket& s) {
        s.read_head(5s);
        s.send(response_101("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")); // the RFC's, not for our key
        s.read_to_eof(5s);
    });
    client::reference_client client;
    EXPECT_EQ(client.connect(server.url()), proto::violation::bad_accept);
    EXPECT_NE(client.error_detail().find("handshake refused"), std::string::npos) << client.error_detail();
}

TEST(client_wire, refuses_a_status_other_than_101) {
    scripted_server server([](raw_socket& s) {
        s.read_head(5s);
        s.send(std::string("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n"));
        s.read_to_eof(5s);
    });
    client::reference_client client;
    EXPECT_EQ(client.connect(server.url()), proto::violation::bad_status);
    EXPECT_EQ(client.error_detail(), "handshake refused: the server answered 403 Forbidden instead of 101");
}

TEST(client_wire, refuses_an_extension_it_did_not_offer) {
    scripted_server server([](raw_socket& s) {
        const auto head = s.read_head(5s).value_or("");
        auto response = response_101(proto::compute_accept(key_of(head)));
        response.insert(response.size() - 2, "Sec-WebSocket-Extensions: permessage-deflate\r\n");
        s.send(response);
        s.read_to_eof(5s);
    });
    client::reference_client client;
    EXPECT_EQ(client.connect(server.url()), proto::violation::bad_extension);
}

// RFC 7692 5: the responses a client that offered permessage-deflate must refuse.
struct deflate_refusal {
    const char* extensions;
    proto::violation expected;
};

class client_wire_deflate : public ::testing::TestWithParam<deflate_refusal> {};

TEST_P(client_wire_deflate, refuses_the_response) {
    scripted_server server([](raw_socket& s) {
        const auto head = s.read_head(5s).value_or("");
        auto response = response_101(proto::compute_accept(key_of(head)));
        response.insert(response.size() - 2, std::string("Sec-WebSocket-Extensions: ") +
                                                 GetParam().extensions + "\r\n");
        s.send(response);
        s.read_to_eof(5s);
    });
    client::client_options options;
    proto::deflate_offer offer; // no client_max_window_bits, server_max_window_bits=10
    offer.server_max_window_bits = 10;
    options.deflate_offers = {offer};
    client::reference_client client(options);
    EXPECT_EQ(client.connect(server.url()), GetParam().expected) << GetParam().extensions;
    EXPECT_NE(client.error_detail().find("RFC 7692"), std::string::npos) << client.error_detail();
}

INSTANTIATE_TEST_SUITE_P(
    rfc7692_section_5, client_wire_deflate,
    ::testing::Values(
        deflate_refusal{"permessage-deflate; server_max_window_bits=10; client_max_window_bits=9",
                        proto::violation::deflate_not_offered},
        deflate_refusal{"permessage-deflate; server_max_window_bits=11", proto::violation::deflate_not_offered},
        deflate_refusal{"permessage-deflate", proto::violation::deflate_param_dropped},
        deflate_refusal{"permessage-deflate; server_max_window_bits=10; server_max_window_bits=9",
                        proto::violation::deflate_duplicate_param},
        deflate_refusal{"permessage-deflate; server_max_window_bits=16", proto::violation::deflate_bad_param_value},
        deflate_refusal{"permessage-deflate; server_max_window_bits=10; x=1", proto::violation::deflate_unknown_param},
        deflate_refusal{"permessage-deflate; server_max_window_bits=10, permessage-deflate; server_max_window_bits=10",
                        proto::violation::deflate_duplicate_extension}));

TEST(client_wire, every_frame_is_masked_with_a_fresh_key) {
    std::vector<raw_socket::frame> frames;
    scripted_server server([&](raw_socket& s) {
        const auto head = s.read_head(5s).value_or("");
        s.send(response_101(proto::compute_accept(key_of(head))));
        for (int i = 0; i < 3; ++i) {
            if (auto f = s.read_frame(5s)) {
                frames.push_back(std::move(*f));
            }
        }
        s.read_to_eof(5s);
    });
    {
        client::reference_client client;
        ASSERT_FALSE(client.connect(server.url()));
        ASSERT_FALSE(client.send_text("one"));
        ASSERT_FALSE(client.send_text("two"));
        ASSERT_FALSE(client.send_text("three"));
    } // destroying the client closes the socket, ending the script
    server.join();
    ASSERT_EQ(frames.size(), 3u);
    for (const auto& f : frames) {
        EXPECT_TRUE(f.header.masked); // 5.3: every client frame is masked
    }
    EXPECT_EQ(std::string(frames[1].payload.begin(), frames[1].payload.end()), "two");
    EXPECT_NE(frames[0].header.key, frames[1].header.key);
    EXPECT_NE(frames[1].header.key, frames[2].header.key);
}

TEST(client_wire, masked_server_frame_fails_the_connection_with_1002) {
    std::optional<raw_socket::frame> close_frame;
    scripted_server server([&](raw_socket& s) {
        const auto head = s.read_head(5s).value_or("");
        s.send(response_101(proto::compute_accept(key_of(head))));
        // 5.1: a client must close the connection on a masked frame.
        s.send(client_frame(proto::opcode::text, bytes_of(std::string("hi"))));
        close_frame = s.read_frame(5s);
    }); // then closes the TCP connection, as a server does
    {
        client::reference_client client;
        ASSERT_FALSE(client.connect(server.url()));
        proto::session_event event;
        ASSERT_FALSE(client.receive(event)) << client.error_detail();
        EXPECT_EQ(event.what, proto::session_event::kind::failed);
        EXPECT_EQ(event.error, proto::violation::unexpected_mask);
        EXPECT_EQ(client.state(), proto::session_state::closed);
        EXPECT_EQ(client.close(), proto::violation::unexpected_mask); // waits for the EOF
        EXPECT_TRUE(client.transport_closed());
    }
    server.join();
    ASSERT_TRUE(close_frame.has_value());
    EXPECT_EQ(close_frame->header.op, proto::opcode::close);
    ASSERT_GE(close_frame->payload.size(), 2u);
    EXPECT_EQ((close_frame->payload[0] << 8) | close_frame->payload[1], 1002);
}

TEST(client_wire, connection_dropped_without_close_is_abnormal_1006) {
    scripted_server server([&](raw_socket& s) {
        const auto head = s.read_head(5s).value_or("");
        s.send(response_101(proto::compute_accept(key_of(head))));
    }); // the socket closes here, without a Close frame
    client::reference_client client;
    ASSERT_FALSE(client.connect(server.url()));
    proto::session_event event;
    ASSERT_FALSE(client.receive(event)) << client.error_detail();
    EXPECT_EQ(event.what, proto::session_event::kind::close);
    ASSERT_TRUE(event.code.has_value());
    EXPECT_EQ(*event.code, 1006); // 7.1.5: never on the wire, reported locally
    EXPECT_TRUE(client.transport_closed());
}

TEST(client_wire, handshake_without_an_answer_times_out) {
    scripted_server server([](raw_socket& s) {
        s.read_head(5s);
        s.read_to_eof(5s); // never answers
    });
    client::client_options options;
    options.timeout = 300ms;
    client::reference_client client(options);
    const auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(client.connect(server.url()), net::timed_out_error());
    EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
}

// The 101 response, a valid message and a bad frame in ONE write: an application echoing each
// message as receive() hands it out gets its echo on the wire before the Close that fails the
// connection (the order Autobahn's strict OK wants of a client in 3.2, 4.1.3, 5.15 ...).
class client_echo_order : public ::testing::TestWithParam<bad_frame_case> {};

TEST_P(client_echo_order, echoes_the_message_before_failing) {
    const auto& bad = GetParam();
    std::optional<raw_socket::frame> first;
    std::optional<raw_socket::frame> second;
    scripted_server server([&](raw_socket& s) {
        const auto head = s.read_head(5s).value_or("");
        std::string bytes = response_101(proto::compute_accept(key_of(head)));
        bytes += "\x81\x05hello"; // an unmasked text frame, as a server sends (5.1)
        bytes += static_cast<char>(bad.first_byte);
        bytes += '\x01';
        bytes += static_cast<char>(bad.payload);
        s.send(bytes);
        first = s.read_frame(5s);
        second = s.read_frame(5s);
    }); // then closes the TCP connection, as a server does
    {
        client::reference_client client;
        ASSERT_FALSE(client.connect(server.url())) << client.error_detail();
        proto::session_event event;
        ASSERT_FALSE(client.receive(event)) << client.error_detail();
        ASSERT_EQ(event.what, proto::session_event::kind::text);
        EXPECT_EQ(event.text(), "hello");
        EXPECT_EQ(client.state(), proto::session_state::open);
        ASSERT_FALSE(client.send_text(event.text())) << client.error_detail();
        ASSERT_FALSE(client.receive(event)) << client.error_detail();
        EXPECT_EQ(event.what, proto::session_event::kind::failed);
        EXPECT_EQ(event.code, bad.close_code);
        EXPECT_TRUE(client.close()); // the failure, once the server closed TCP
    }
    server.join();
    ASSERT_TRUE(first.has_value());
    EXPECT_EQ(first->header.op, proto::opcode::text);
    EXPECT_EQ(std::string(first->payload.begin(), first->payload.end()), "hello");
    ASSERT_TRUE(second.has_value());
    EXPECT_EQ(second->header.op, proto::opcode::close);
    ASSERT_GE(second->payload.size(), 2u);
    EXPECT_EQ((second->payload[0] << 8) | second->payload[1], bad.close_code);
}

INSTANTIATE_TEST_SUITE_P(one_write, client_echo_order, ::testing::ValuesIn(bad_frames_after_a_message()),
                         [](const auto& param_info) { return std::string(param_info.param.name); });

} // namespace
} // namespace wscheck::test
