// The observer with permessage-deflate agreed (RFC 7692): compressed messages become inflated
// events, whole or fragmented, next to uncompressed ones; RSV1 where 6.1 forbids it, data that
// does not inflate and bad UTF-8 after inflating are the peer's violations.
#include "harness/runner/peer_observer.hpp"

#include "harness/proto/deflate_stream.hpp"
#include "harness/runner/frame_writer.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

using namespace wscheck;
using runner::frame_spec;
using runner::peer_observer;
using std::chrono::microseconds;

std::vector<std::uint8_t> frame(proto::opcode op, std::span<const std::uint8_t> payload, bool fin = true,
                                std::uint8_t rsv = 0) {
    frame_spec spec;
    spec.op = op;
    spec.fin = fin;
    spec.rsv = rsv;
    return runner::write_frame(spec, payload, proto::role::server).bytes;
}

std::vector<std::uint8_t> bytes_of(std::string_view s) { return {s.begin(), s.end()}; }

void feed(peer_observer& o, std::vector<std::uint8_t> wire) { o.receive(wire, microseconds{0}); }

peer_observer agreed(const proto::deflate_agreement& a = {}) {
    peer_observer o; // the tester is the client: the peer is a server
    o.use_deflate(a);
    return o;
}

bool broke(const peer_observer& o, proto::violation v) {
    for (const auto& x : o.violations()) {
        if (x.what == v) {
            return true;
        }
    }
    return false;
}

cases::event text(std::string_view s) { return {cases::event::kind::text, cases::payload{s}}; }

TEST(PeerObserverDeflate, InflatesCompressedMessagesAndKeepsTheContext) {
    auto o = agreed();
    proto::message_deflater server; // context takeover: the second message refers to the first
    std::vector<std::uint8_t> c;
    server.compress(bytes_of("Hello, Hello, Hello"), c);
    feed(o, frame(proto::opcode::text, c, true, 4));
    feed(o, frame(proto::opcode::text, bytes_of("plain"))); // RSV1 clear: not compressed (6)
    server.compress(bytes_of("Hello, Hello, Hello"), c);
    feed(o, frame(proto::opcode::text, c, true, 4));
    EXPECT_EQ(o.events(), (std::vector<cases::event>{text("Hello, Hello, Hello"), text("plain"),
                                                     text("Hello, Hello, Hello")}));
    EXPECT_TRUE(o.violations().empty());
}

TEST(PeerObserverDeflate, AFragmentedCompressedMessageHasRsv1OnItsFirstFrameOnly) {
    auto o = agreed();
    proto::message_deflater server;
    std::vector<std::uint8_t> c;
    server.compress(bytes_of("fragmented and compressed"), c);
    const std::span<const std::uint8_t> all{c};
    feed(o, frame(proto::opcode::text, all.first(3), false, 4));
    feed(o, frame(proto::opcode::cont, all.subspan(3)));
    EXPECT_EQ(o.events(), std::vector<cases::event>{text("fragmented and compressed")});
    EXPECT_TRUE(o.violations().empty());

    auto bad = agreed();
    feed(bad, frame(proto::opcode::text, all.first(3), false, 4));
    feed(bad, frame(proto::opcode::cont, all.subspan(3), true, 4));
    EXPECT_TRUE(broke(bad, proto::violation::misplaced_rsv1));
}

TEST(PeerObserverDeflate, Rsv1OnAControlFrameIsAViolation) {
    auto o = agreed();
    const auto p = bytes_of("x");
    feed(o, frame(proto::opcode::ping, p, true, 4));
    EXPECT_TRUE(broke(o, proto::violation::misplaced_rsv1));
}

TEST(PeerObserverDeflate, DataThatDoesNotInflateIsAViolation) {
    auto o = agreed();
    const std::vector<std::uint8_t> junk{0xff, 0xff, 0xff};
    feed(o, frame(proto::opcode::binary, junk, true, 4));
    EXPECT_TRUE(broke(o, proto::violation::bad_compressed_data));
    // The next message is inflated by a fresh inflater.
    proto::message_deflater server;
    std::vector<std::uint8_t> c;
    server.compress(bytes_of("after"), c);
    feed(o, frame(proto::opcode::text, c, true, 4));
    ASSERT_FALSE(o.events().empty());
    EXPECT_EQ(o.events().back(), text("after"));
}

TEST(PeerObserverDeflate, Utf8IsCheckedAfterInflating) {
    auto o = agreed();
    proto::message_deflater server;
    std::vector<std::uint8_t> c;
    server.compress(std::vector<std::uint8_t>{'a', 0xc3, 0x28}, c); // 0xc3 0x28: invalid
    feed(o, frame(proto::opcode::text, c, true, 4));
    EXPECT_TRUE(broke(o, proto::violation::bad_utf8));

    auto good = agreed();
    proto::message_deflater fresh;
    fresh.compress(bytes_of("heißem"), c);
    feed(good, frame(proto::opcode::text, c, true, 4));
    EXPECT_TRUE(good.violations().empty());
    EXPECT_EQ(good.events(), std::vector<cases::event>{text("heißem")});
}

TEST(PeerObserverDeflate, TheServersNoContextTakeoverIsHeldToIt) {
    // Agreed: the server resets after every message. A server that kept its context refers
    // back into the previous message, which a reset inflater cannot resolve.
    proto::deflate_agreement a;
    a.server_no_context_takeover = true;
    auto o = agreed(a);
    proto::message_deflater keeps_context;
    std::vector<std::uint8_t> c;
    const auto msg = bytes_of("a message long enough to be referred back to, twice over");
    keeps_context.compress(msg, c);
    feed(o, frame(proto::opcode::text, c, true, 4));
    keeps_context.compress(msg, c);
    feed(o, frame(proto::opcode::text, c, true, 4));
    EXPECT_TRUE(broke(o, proto::violation::bad_compressed_data));

    auto honest = agreed(a);
    proto::deflater_options resets;
    resets.no_context_takeover = true;
    proto::message_deflater d{resets};
    d.compress(msg, c);
    feed(honest, frame(proto::opcode::text, c, true, 4));
    d.compress(msg, c);
    feed(honest, frame(proto::opcode::text, c, true, 4));
    EXPECT_TRUE(honest.violations().empty());
    EXPECT_EQ(honest.events().size(), 2u);
}

TEST(PeerObserverDeflate, AReferenceBeyondTheAgreedWindowIsCaughtWithinOneMessage) {
    // Agreed: the server's window is 2^10 bytes. One message of 1100 random bytes twice over:
    // a 15-bit compressor refers 1100 bytes back for the second half, which a 10-bit one may
    // not. The message is small enough to inflate in one zlib call, where zlib alone would
    // measure the distance against the output of that call and let it through.
    std::vector<std::uint8_t> half(1100);
    std::uint32_t x = 2463534242u;
    for (auto& b : half) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        b = static_cast<std::uint8_t>(x);
    }
    std::vector<std::uint8_t> msg = half;
    msg.insert(msg.end(), half.begin(), half.end());
    proto::deflate_agreement a;
    a.server_max_window_bits = 10;
    std::vector<std::uint8_t> c;

    auto o = agreed(a);
    proto::message_deflater too_wide; // 15 bits
    too_wide.compress(msg, c);
    ASSERT_LT(c.size(), msg.size() - 500); // the second half did refer back
    feed(o, frame(proto::opcode::binary, c, true, 4));
    EXPECT_TRUE(broke(o, proto::violation::bad_compressed_data));

    auto honest = agreed(a);
    proto::deflater_options ten;
    ten.window_bits = 10;
    proto::message_deflater d{ten};
    d.compress(msg, c);
    feed(honest, frame(proto::opcode::binary, c, true, 4));
    EXPECT_TRUE(honest.violations().empty());
    ASSERT_EQ(honest.events().size(), 1u);
    EXPECT_EQ(honest.events()[0].data.size(), msg.size());
}

TEST(PeerObserverDeflate, AMessagePastTheCapIsCutNotAViolation) {
    runner::observer_options options;
    options.max_message_size = 1000;
    peer_observer o{options};
    o.use_deflate({});
    proto::message_deflater server;
    std::vector<std::uint8_t> c;
    server.compress(std::vector<std::uint8_t>(100'000, 'z'), c);
    feed(o, frame(proto::opcode::text, c, true, 4));
    EXPECT_TRUE(o.violations().empty());
    EXPECT_TRUE(o.message_cut());
    ASSERT_EQ(o.events().size(), 1u);
    EXPECT_EQ(o.events()[0].data.size(), 1000u);
}

} // namespace
