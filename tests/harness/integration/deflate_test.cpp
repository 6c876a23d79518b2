// permessage-deflate (RFC 7692) between the reference client and the reference server over
// ws and wss, the server declining when it is off, and the server's answers to misplaced
// RSV1 and to a decompression bomb seen from a raw socket.
#include "harness/client/reference_client.hpp"
#include "harness/proto/deflate_stream.hpp"
#include "harness/proto/handshake.hpp"
#include "harness/proto/mask.hpp"
#include "harness/server/reference_server.hpp"
#include "tests/harness/integration/echo_exchange.hpp"
#include "tests/harness/integration/raw_socket.hpp"

#include <gtest/gtest.h>

#include <array>
#include <random>

namespace wscheck::test {
namespace {

using namespace std::chrono_literals;

/// The client's usual offer: client_max_window_bits without a value (RFC 7692 7.1.2.2).
proto::deflate_offer usual_offer() {
    proto::deflate_offer o;
    o.client_max_window_bits = true;
    return o;
}

client::client_options deflate_client(const server::background_server& server, bool tls,
                                      std::vector<proto::deflate_offer> offers = {usual_offer()}) {
    client::client_options o;
    o.timeout = 30s;
    o.deflate_offers = std::move(offers);
    if (tls) {
        o.tls.ca_pem = server.certificate_pem();
    }
    return o;
}

class deflate_pair : public ::testing::TestWithParam<bool> {};

TEST_P(deflate_pair, echo_exchange_with_16_mib_messages) {
    server::server_options options;
    options.tls = GetParam();
    options.deflate = proto::deflate_server_policy{};
    server::background_server server(options);
    client::reference_client client(deflate_client(server, options.tls));
    ASSERT_FALSE(client.connect(server.url())) << client.error_detail();
    ASSERT_TRUE(client.deflate().has_value()) << "the server declined the offer";
    EXPECT_EQ(*client.deflate(), proto::deflate_agreement{});
    EXPECT_EQ(client.response_head().single("Sec-WebSocket-Extensions").value_or(""), "permessage-deflate");
    run_echo_exchange(client);
}

INSTANTIATE_TEST_SUITE_P(transports, deflate_pair, ::testing::Values(false, true),
                         [](const auto& p) { return p.param ? "wss" : "ws"; });

TEST(deflate_reference, negotiated_parameters_are_used_both_ways) {
    // Small windows and context resets on both sides: messages whose repeats are beyond a
    // 256-byte window and messages that refer to earlier ones.
    server::server_options options;
    options.deflate = proto::deflate_server_policy{};
    options.deflate->server_max_window_bits = 9;
    options.deflate->client_max_window_bits = 8;
    options.deflate->client_no_context_takeover = true;
    server::background_server server(options);
    proto::deflate_offer offer = usual_offer();
    offer.server_no_context_takeover = true;
    client::reference_client client(deflate_client(server, false, {offer}));
    ASSERT_FALSE(client.connect(server.url())) << client.error_detail();
    ASSERT_TRUE(client.deflate().has_value());
    const auto agreed = *client.deflate();
    EXPECT_EQ(agreed.server_max_window_bits, 9);
    EXPECT_EQ(agreed.client_max_window_bits, 8);
    EXPECT_TRUE(agreed.server_no_context_takeover);
    EXPECT_TRUE(agreed.client_no_context_takeover);
    std::mt19937 rng(5);
    for (int i = 0; i < 30; ++i) {
        std::vector<std::uint8_t> block(static_cast<std::size_t>(rng() % 700 + 1));
        for (auto& b : block) {
            b = static_cast<std::uint8_t>('a' + rng() % 26);
        }
        std::string message;
        for (int r = 0; r < i % 5 + 1; ++r) {
            message.append(block.begin(), block.end());
        }
        ASSERT_FALSE(client.send_text(message)) << client.error_detail();
        const auto reply = next_reply(client);
        ASSERT_EQ(reply.what, proto::session_event::kind::text);
        EXPECT_EQ(reply.text(), message);
    }
    EXPECT_FALSE(client.close());
}

TEST(deflate_reference, a_server_with_deflate_off_declines_the_offer) {
    server::server_options options;
    server::background_server server(options);
    client::reference_client client(deflate_client(server, false));
    ASSERT_FALSE(client.connect(server.url())) << client.error_detail();
    EXPECT_FALSE(client.deflate().has_value());
    EXPECT_FALSE(client.response_head().single("Sec-WebSocket-Extensions").has_value());
    ASSERT_FALSE(client.send_text("still works"));
    EXPECT_EQ(next_reply(client).text(), "still works");
    EXPECT_FALSE(client.close());
}

TEST(deflate_reference, a_client_without_an_offer_gets_no_extension) {
    server::server_options options;
    options.deflate = proto::deflate_server_policy{};
    server::background_server server(options);
    client::reference_client client(deflate_client(server, false, {}));
    ASSERT_FALSE(client.connect(server.url())) << client.error_detail();
    EXPECT_FALSE(client.deflate().has_value());
    ASSERT_FALSE(client.send_text("plain"));
    EXPECT_EQ(next_reply(client).text(), "plain");
    EXPECT_FALSE(client.close());
}

// ---- the server from a raw socket ----

/// Opens a connection offering permessage-deflate and reads the 101.
void open_with_deflate(raw_socket& s, std::uint16_t port) {
    proto::client_request req;
    req.host = "127.0.0.1:" + std::to_string(port);
    req.key = proto::generate_key();
    req.extensions = "permessage-deflate";
    ASSERT_TRUE(s.send(proto::build_request(req)));
    const auto head = s.read_head(5s);
    ASSERT_TRUE(head.has_value());
    ASSERT_NE(head->find(" 101 "), std::string::npos) << *head;
    ASSERT_NE(head->find("Sec-WebSocket-Extensions: permessage-deflate"), std::string::npos) << *head;
}

/// A masked frame as a client sends it.
std::vector<std::uint8_t> client_frame(proto::opcode op, std::vector<std::uint8_t> payload, bool rsv1) {
    proto::frame_header h;
    h.op = op;
    h.rsv1 = rsv1;
    h.masked = true;
    h.key = {1, 2, 3, 4};
    h.length = payload.size();
    std::array<std::uint8_t, proto::max_header_size> header{};
    const auto n = proto::encode_header(h, header);
    proto::mask_inplace(payload, h.key);
    std::vector<std::uint8_t> out(header.begin(), header.begin() + static_cast<std::ptrdiff_t>(n));
    out.insert(out.end(), payload.begin(), payload.end());
    return out;
}

/// The status code of the Close frame the server sends next.
std::optional<std::uint16_t> close_code_from(raw_socket& s) {
    for (int i = 0; i < 10; ++i) {
        const auto f = s.read_frame(10s);
        if (!f) {
            return std::nullopt;
        }
        if (f->header.op == proto::opcode::close && f->payload.size() >= 2) {
            return static_cast<std::uint16_t>((f->payload[0] << 8) | f->payload[1]);
        }
    }
    return std::nullopt;
}

TEST(deflate_server_wire, rsv1_on_a_ping_fails_with_1002) {
    server::server_options options;
    options.deflate = proto::deflate_server_policy{};
    server::background_server server(options);
    raw_socket s(server.port());
    ASSERT_NO_FATAL_FAILURE(open_with_deflate(s, server.port()));
    ASSERT_TRUE(s.send(client_frame(proto::opcode::ping, {'x'}, true)));
    EXPECT_EQ(close_code_from(s), 1002);
}

TEST(deflate_server_wire, a_bomb_fails_with_1009_and_the_echoes_before_it_are_compressed) {
    server::server_options options;
    options.deflate = proto::deflate_server_policy{};
    options.max_message_size = 1024 * 1024;
    server::background_server server(options);
    raw_socket s(server.port());
    ASSERT_NO_FATAL_FAILURE(open_with_deflate(s, server.port()));
    proto::message_deflater d;
    std::vector<std::uint8_t> payload;
    d.compress(std::vector<std::uint8_t>{'h', 'i'}, payload);
    ASSERT_TRUE(s.send(client_frame(proto::opcode::text, payload, true)));
    const auto echo = s.read_frame(10s);
    ASSERT_TRUE(echo.has_value());
    EXPECT_TRUE(echo->header.rsv1) << "the echo is compressed";
    proto::message_inflater i;
    std::vector<std::uint8_t> text;
    ASSERT_FALSE(i.inflate(echo->payload, text));
    EXPECT_EQ(std::string(text.begin(), text.end()), "hi");
    // 64 MiB of zeros in about 64 KiB: refused at 1 MiB.
    d.compress(std::vector<std::uint8_t>(64u * 1024 * 1024, 0), payload);
    ASSERT_TRUE(s.send(client_frame(proto::opcode::binary, payload, true)));
    EXPECT_EQ(close_code_from(s), 1009);
}

} // namespace
} // namespace wscheck::test
