// The fault proxy's sans-IO parts: the frame relay passes bytes through unchanged unless a
// filter acts, and each filter does its one thing.
#include "harness/proto/frame_parser.hpp"
#include "tests/support/faults.hpp"
#include "tests/support/frame_relay.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace {

using namespace wscheck;
using proto::opcode;
using proto::role;
using test_support::fault;
using test_support::frame_relay;
using test_support::relay_frame;

using bytes = std::vector<std::uint8_t>;

relay_frame make(opcode op, std::string_view payload, bool masked, bool fin = true) {
    relay_frame f;
    f.header.op = op;
    f.header.fin = fin;
    f.header.masked = masked;
    f.header.key = {0x11, 0x22, 0x33, 0x44};
    f.payload.assign(payload.begin(), payload.end());
    return f;
}

bytes wire(std::initializer_list<relay_frame> frames) {
    bytes out;
    for (const auto& f : frames) {
        test_support::encode_frame(f, out);
    }
    return out;
}

/// Every frame in `data` as sent by `sender`, payload unmasked.
std::vector<relay_frame> frames_in(bytes data, role sender) {
    proto::frame_parser p{{sender == role::client ? role::server : role::client, proto::parse_mode::observe}};
    std::vector<relay_frame> out;
    std::span<std::uint8_t> in{data};
    for (std::size_t guard = 0; guard < 2 * data.size() + 16; ++guard) {
        const auto r = p.feed(in);
        in = in.subspan(r.consumed);
        if (r.what == proto::frame_parser::event::header) {
            out.push_back({p.header(), {}});
        } else if (r.what == proto::frame_parser::event::payload) {
            out.back().payload.insert(out.back().payload.end(), r.data.begin(), r.data.end());
        } else if (r.what == proto::frame_parser::event::need_more) {
            break;
        }
    }
    return out;
}

/// What a relay with `f`'s filter for `sender`'s frames passes on, fed in pieces of `piece`.
bytes relay_through(fault f, role sender, bytes in, std::size_t piece = 0, bool* alive = nullptr) {
    auto plan = test_support::make_plan(f);
    frame_relay relay{sender, sender == role::client ? plan.up.get() : plan.down.get()};
    bytes out;
    bool ok = true;
    const std::size_t step = piece == 0 ? std::max<std::size_t>(in.size(), 1) : piece;
    for (std::size_t at = 0; at < in.size() && ok; at += step) {
        const std::size_t n = std::min(step, in.size() - at);
        ok = relay.feed(std::span<std::uint8_t>{in}.subspan(at, n), out);
    }
    if (alive) {
        *alive = ok;
    }
    return out;
}

std::string text_of(const relay_frame& f) { return {f.payload.begin(), f.payload.end()}; }

TEST(FrameRelay, PassesBytesUnchangedWithoutAFault) {
    // A non-minimal 16-bit length (5.2 forbids it) must survive: the server judges it.
    bytes in = {0x81, 0xFE, 0x00, 0x03, 1, 2, 3, 4, 'a' ^ 1, 'b' ^ 2, 'c' ^ 3};
    const auto more = wire({make(opcode::ping, "ping", true), make(opcode::text, std::string(300, 'x'), true),
                            make(opcode::rsv3, "", true)});
    in.insert(in.end(), more.begin(), more.end());
    EXPECT_EQ(relay_through(fault::none, role::client, in), in);
    EXPECT_EQ(relay_through(fault::none, role::client, in, 1), in);
    EXPECT_EQ(relay_through(fault::none, role::client, in, 7), in);
    const auto down = wire({make(opcode::text, "hi", false), make(opcode::close, "\x03\xe8", false)});
    EXPECT_EQ(relay_through(fault::none, role::server, down, 1), down);
}

TEST(FrameRelay, ReservedOpcodesBecomeBinaryOrVanish) {
    const auto out = frames_in(relay_through(fault::reserved_opcodes_accepted, role::client,
                                             wire({make(opcode::rsv3, "abc", true), make(opcode::crsvb, "x", true),
                                                   make(opcode::ping, "p", true)}),
                                             3),
                               role::client);
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(out[0].header.op, opcode::binary);
    EXPECT_EQ(text_of(out[0]), "abc");
    EXPECT_EQ(out[1].header.op, opcode::ping);
}

TEST(FrameRelay, TextIsHeldUntilItsLastFrame) {
    const auto out = frames_in(relay_through(fault::utf8_checked_at_end, role::client,
                                             wire({make(opcode::text, "ab", true, false), make(opcode::ping, "p", true),
                                                   make(opcode::cont, "cd", true, true)}),
                                             1),
                               role::client);
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(out[0].header.op, opcode::ping); // control frames are not held
    EXPECT_EQ(out[1].header.op, opcode::text);
    EXPECT_TRUE(out[1].header.fin);
    EXPECT_TRUE(out[1].header.masked);
    EXPECT_EQ(text_of(out[1]), "abcd");
}

TEST(FrameRelay, HeldTextGoesUpAsItCameWhenFramingBreaks) {
    // A new text frame inside a message (5.4): the server must see the frames as sent.
    const auto in = wire({make(opcode::text, "ab", true, false), make(opcode::text, "cd", true, true)});
    const auto out = frames_in(relay_through(fault::utf8_checked_at_end, role::client, in), role::client);
    ASSERT_EQ(out.size(), 2u);
    EXPECT_FALSE(out[0].header.fin);
    EXPECT_EQ(text_of(out[0]), "ab");
    EXPECT_EQ(out[1].header.op, opcode::text);
}

TEST(FrameRelay, PongPayloadIsAltered) {
    const auto out = frames_in(relay_through(fault::wrong_pong_payload, role::server,
                                             wire({make(opcode::pong, "hello", false), make(opcode::pong, "", false),
                                                   make(opcode::text, "hello", false)})),
                               role::server);
    ASSERT_EQ(out.size(), 3u);
    EXPECT_NE(text_of(out[0]), "hello");
    EXPECT_EQ(out[0].payload.size(), 5u);
    EXPECT_FALSE(out[1].payload.empty());
    EXPECT_EQ(text_of(out[2]), "hello");
}

TEST(FrameRelay, CloseCodeBecomesNormal) {
    const auto out = frames_in(relay_through(fault::close_code_always_normal, role::server,
                                             wire({make(opcode::close, "\x03\xea" "bad", false)})),
                               role::server);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].payload, (bytes{0x03, 0xe8, 'b', 'a', 'd'}));
}

TEST(FrameRelay, MaskingFaults) {
    const auto up = frames_in(
        relay_through(fault::unmasked_accepted, role::client, wire({make(opcode::text, "hi", false)})), role::client);
    ASSERT_EQ(up.size(), 1u);
    EXPECT_TRUE(up[0].header.masked);
    EXPECT_EQ(text_of(up[0]), "hi");
    const auto down = frames_in(
        relay_through(fault::server_masks_frames, role::server, wire({make(opcode::text, "hi", false)}), 1),
        role::server);
    ASSERT_EQ(down.size(), 1u);
    EXPECT_TRUE(down[0].header.masked);
    EXPECT_EQ(text_of(down[0]), "hi");
}

TEST(FrameRelay, WholeMessagesAreSplitWithoutContinuation) {
    const auto in = wire({make(opcode::text, "hello", false), make(opcode::ping, "p", false),
                          make(opcode::binary, "", false), make(opcode::binary, "ab", false, false),
                          make(opcode::cont, "cd", false, true), make(opcode::close, "\x03\xe8", false)});
    const auto out = frames_in(relay_through(fault::echo_split_without_continuation, role::server, in, 3),
                               role::server);
    ASSERT_EQ(out.size(), 8u);
    // "hello": 2 bytes with FIN clear, then 3 with FIN set, both text (5.4 wants a continuation).
    EXPECT_EQ(out[0].header.op, opcode::text);
    EXPECT_FALSE(out[0].header.fin);
    EXPECT_EQ(text_of(out[0]), "he");
    EXPECT_EQ(out[1].header.op, opcode::text);
    EXPECT_TRUE(out[1].header.fin);
    EXPECT_EQ(text_of(out[1]), "llo");
    EXPECT_FALSE(out[0].header.masked || out[1].header.masked);
    EXPECT_EQ(out[2].header.op, opcode::ping); // control frames are not split
    EXPECT_TRUE(out[2].header.fin);
    // An empty message: an empty first half, then the (empty) rest.
    EXPECT_EQ(out[3].header.op, opcode::binary);
    EXPECT_FALSE(out[3].header.fin);
    EXPECT_TRUE(out[3].payload.empty());
    EXPECT_EQ(out[4].header.op, opcode::binary);
    EXPECT_TRUE(out[4].header.fin);
    EXPECT_TRUE(out[4].payload.empty());
    // A message already fragmented comes down as it was.
    EXPECT_EQ(out[5].header.op, opcode::binary);
    EXPECT_FALSE(out[5].header.fin);
    EXPECT_EQ(text_of(out[5]), "ab");
    EXPECT_EQ(out[6].header.op, opcode::cont);
    EXPECT_EQ(text_of(out[6]), "cd");
    EXPECT_EQ(out[7].header.op, opcode::close);
}

TEST(FrameRelay, ReservedBitsAreCleared) {
    auto f = make(opcode::text, "hi", true);
    f.header.rsv1 = f.header.rsv3 = true;
    const auto out = frames_in(relay_through(fault::reserved_bits_accepted, role::client, wire({f})), role::client);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_FALSE(out[0].header.rsv1 || out[0].header.rsv2 || out[0].header.rsv3);
}

TEST(FrameRelay, HugeLengthCrashesOnlyPastTheThreshold) {
    bytes small = {0x82, 0xFF, 0, 0, 0, 1, 0, 0, 0, 0, 1, 2, 3, 4}; // 2^32 exactly: not past it
    bool alive = false;
    relay_through(fault::dies_on_huge_length, role::client, small, 0, &alive);
    EXPECT_TRUE(alive);
    bytes huge = {0x82, 0xFF, 0, 0, 0, 2, 0, 0, 0, 0, 1, 2, 3, 4}; // 2^33
    relay_through(fault::dies_on_huge_length, role::client, huge, 0, &alive);
    EXPECT_FALSE(alive);
}

TEST(FaultProxy, AcceptValueIsAlteredInPlace) {
    const std::string head = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                             "sec-websocket-accept:  s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";
    std::string want = head;
    want[want.find("s3pP")] = 'A';
    EXPECT_EQ(test_support::corrupt_accept_field(head), want);
    EXPECT_EQ(test_support::corrupt_accept_field("HTTP/1.1 400 Bad Request\r\n\r\n"), "HTTP/1.1 400 Bad Request\r\n\r\n");
}

} // namespace
