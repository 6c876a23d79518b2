#include "tests/harness/integration/echo_exchange.hpp"

#include <gtest/gtest.h>

#include <chrono>

namespace wscheck::test {

namespace {

std::span<const std::uint8_t> bytes(const std::string& s) {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

void expect_echo(client::reference_client& client, proto::session_event::kind kind,
                 const std::vector<std::uint8_t>& expected) {
    const auto reply = next_reply(client);
    ASSERT_EQ(reply.what, kind) << "event " << static_cast<int>(reply.what)
                                << (reply.code ? " code " + std::to_string(*reply.code) : "");
    ASSERT_EQ(reply.data.size(), expected.size());
    EXPECT_TRUE(reply.data == expected);
}

} // namespace

std::vector<std::uint8_t> pattern_bytes(std::size_t n) {
    std::vector<std::uint8_t> out(n);
    for (std::size_t i = 0; i < n; ++i) {
        out[i] = static_cast<std::uint8_t>(i % 251);
    }
    return out;
}

proto::session_event next_reply(client::reference_client& client) {
    proto::session_event event;
    for (;;) {
        const auto ec = client.receive(event);
        EXPECT_FALSE(ec) << ec.message() << ": " << client.error_detail();
        if (ec || event.what != proto::session_event::kind::ping) {
            return event;
        }
    }
}

void run_echo_exchange(client::reference_client& client) {
    using kind = proto::session_event::kind;
    {
        SCOPED_TRACE("text");
        ASSERT_FALSE(client.send_text("hello"));
        ASSERT_NO_FATAL_FAILURE(expect_echo(client, kind::text, {'h', 'e', 'l', 'l', 'o'}));
    }
    {
        SCOPED_TRACE("binary");
        const std::vector<std::uint8_t> data{0x00, 0x01, 0x02, 0xFF, 0xFE};
        ASSERT_FALSE(client.send_binary(data));
        ASSERT_NO_FATAL_FAILURE(expect_echo(client, kind::binary, data));
    }
    {
        SCOPED_TRACE("fragmented text");
        // "t\xc3\xa9xt": the two bytes of U+00E9 split across frames (5.6, 8.1).
        const std::string a = "frag", b = "mented t\xc3", c = "\xa9xt";
        const std::span<const std::uint8_t> pieces[] = {bytes(a), bytes(b), bytes(c)};
        ASSERT_FALSE(client.send_fragmented(proto::opcode::text, pieces));
        const std::string whole = a + b + c;
        ASSERT_NO_FATAL_FAILURE(
            expect_echo(client, kind::text, std::vector<std::uint8_t>(whole.begin(), whole.end())));
    }
    {
        SCOPED_TRACE("fragmented binary");
        const std::vector<std::uint8_t> a{1}, b{2, 3}, c{};
        const std::span<const std::uint8_t> pieces[] = {a, b, c};
        ASSERT_FALSE(client.send_fragmented(proto::opcode::binary, pieces));
        ASSERT_NO_FATAL_FAILURE(expect_echo(client, kind::binary, {1, 2, 3}));
    }
    {
        SCOPED_TRACE("16 MiB binary");
        const auto big = pattern_bytes(16 * 1024 * 1024);
        ASSERT_FALSE(client.send_binary(big)) << client.error_detail();
        ASSERT_NO_FATAL_FAILURE(expect_echo(client, kind::binary, big));
    }
    {
        SCOPED_TRACE("16 MiB text");
        std::string big;
        big.reserve(16 * 1024 * 1024);
        while (big.size() < 16 * 1024 * 1024) {
            big += "\xc3\xa9"; // U+00E9, two bytes
        }
        ASSERT_FALSE(client.send_text(big)) << client.error_detail();
        ASSERT_NO_FATAL_FAILURE(
            expect_echo(client, kind::text, std::vector<std::uint8_t>(big.begin(), big.end())));
    }
    {
        SCOPED_TRACE("ping");
        const std::string payload = "are you there";
        ASSERT_FALSE(client.ping(bytes(payload)));
        // 5.5.3: the Pong carries the Ping's application data.
        ASSERT_NO_FATAL_FAILURE(expect_echo(
            client, kind::pong, std::vector<std::uint8_t>(payload.begin(), payload.end())));
    }
    {
        SCOPED_TRACE("close");
        const auto start = std::chrono::steady_clock::now();
        proto::session_event reply;
        const auto ec = client.close(4000, "bye", &reply);
        ASSERT_FALSE(ec) << ec.message() << ": " << client.error_detail();
        // 5.5.1: the answering Close typically echoes the status code.
        ASSERT_TRUE(reply.code.has_value());
        EXPECT_EQ(*reply.code, 4000);
        EXPECT_EQ(client.state(), proto::session_state::closed);
        EXPECT_TRUE(client.transport_closed());
        // 7.1.1: the server closes TCP right after the closing handshake; the client's close()
        // would otherwise have waited for its whole timeout.
        EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
    }
}

} // namespace wscheck::test
