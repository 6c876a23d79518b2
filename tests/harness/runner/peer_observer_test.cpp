#include "harness/runner/peer_observer.hpp"

#include "harness/proto/frame_parser.hpp"
#include "harness/runner/frame_writer.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

using namespace wscheck;
using runner::frame_spec;
using runner::peer_observer;
using std::chrono::microseconds;

std::vector<std::uint8_t> bytes_of(std::string_view s) { return {s.begin(), s.end()}; }

/// A frame as a server sends it (unmasked unless the spec says otherwise).
std::vector<std::uint8_t> server_frame(proto::opcode op, std::string_view payload, bool fin = true,
                                       std::optional<bool> masked = {}) {
    frame_spec spec;
    spec.op = op;
    spec.fin = fin;
    spec.masked = masked;
    const auto p = bytes_of(payload);
    return runner::write_frame(spec, p, proto::role::server).bytes;
}

void feed(peer_observer& o, std::vector<std::uint8_t> wire) { o.receive(wire, microseconds{0}); }

cases::event text(std::string_view s) { return {cases::event::kind::text, cases::payload{s}}; }

/// Parses what the observer wrote back, as the server would.
std::vector<proto::frame_header> frames_written(std::vector<std::uint8_t> wire,
                                                std::vector<std::string>* payloads = nullptr) {
    proto::frame_parser p{{proto::role::server, proto::parse_mode::strict}};
    std::vector<proto::frame_header> out;
    std::span<std::uint8_t> in{wire};
    std::string current;
    for (;;) {
        auto r = p.feed(in);
        in = in.subspan(r.consumed);
        if (r.what == proto::frame_parser::event::need_more) break;
        EXPECT_NE(r.what, proto::frame_parser::event::error) << r.error.message();
        if (r.what == proto::frame_parser::event::error) break;
        if (r.what == proto::frame_parser::event::header) out.push_back(p.header()), current.clear();
        if (r.what == proto::frame_parser::event::payload) current.append(r.data.begin(), r.data.end());
        if (r.what == proto::frame_parser::event::frame_end && payloads) payloads->push_back(current);
    }
    return out;
}

TEST(PeerObserver, RecordsMessagesWholeAndFragmented) {
    peer_observer o;
    feed(o, server_frame(proto::opcode::text, "Hello"));
    auto frag = server_frame(proto::opcode::binary, "ab", false);
    auto mid = server_frame(proto::opcode::ping, "p");
    auto last = server_frame(proto::opcode::cont, "cd");
    frag.insert(frag.end(), mid.begin(), mid.end());
    frag.insert(frag.end(), last.begin(), last.end());
    // byte at a time: the same events
    for (auto& b : frag) {
        o.receive({&b, 1}, microseconds{1});
    }
    ASSERT_EQ(o.events().size(), 3u);
    EXPECT_EQ(o.events()[0], text("Hello"));
    EXPECT_EQ(o.events()[1].what, cases::event::kind::ping);
    EXPECT_EQ(o.events()[2], (cases::event{cases::event::kind::binary, cases::payload{"abcd"}}));
    EXPECT_TRUE(o.violations().empty());
}

TEST(PeerObserver, ZeroLengthFramesAreEvents) {
    peer_observer o;
    feed(o, server_frame(proto::opcode::text, ""));
    feed(o, server_frame(proto::opcode::pong, ""));
    ASSERT_EQ(o.events().size(), 2u);
    EXPECT_EQ(o.events()[0], text(""));
    EXPECT_EQ(o.events()[1].what, cases::event::kind::pong);
}

TEST(PeerObserver, AnswersPingWithMaskedPong) {
    peer_observer o;
    feed(o, server_frame(proto::opcode::ping, "are you there"));
    std::vector<std::string> payloads;
    const auto written = frames_written(o.take_output(), &payloads);
    ASSERT_EQ(written.size(), 1u);
    EXPECT_EQ(written[0].op, proto::opcode::pong);
    EXPECT_TRUE(written[0].masked); // 5.3: a client masks every frame
    EXPECT_EQ(payloads[0], "are you there");
    EXPECT_TRUE(o.take_output().empty());
}

TEST(PeerObserver, EchoesThePeersCloseCode) {
    peer_observer o;
    const auto payload = proto::build_close_payload(1001, "bye");
    frame_spec spec;
    spec.op = proto::opcode::close;
    auto wire = runner::write_frame(spec, payload, proto::role::server).bytes;
    feed(o, wire);
    EXPECT_TRUE(o.close_received());
    EXPECT_FALSE(o.closed_by_us());
    EXPECT_EQ(o.remote_close_code(), 1001);
    EXPECT_EQ(o.remote_close_reason(), "bye");
    std::vector<std::string> payloads;
    const auto written = frames_written(o.take_output(), &payloads);
    ASSERT_EQ(written.size(), 1u);
    EXPECT_EQ(written[0].op, proto::opcode::close);
    EXPECT_EQ(payloads[0].substr(0, 2), std::string("\x03\xe9", 2));
    EXPECT_TRUE(o.handshake_closed());
}

TEST(PeerObserver, OurCloseFirstMeansClosedByUs) {
    peer_observer o;
    const auto ours = o.start_close(1000, "", microseconds{5});
    EXPECT_FALSE(ours.empty());
    EXPECT_TRUE(o.closed_by_us());
    EXPECT_TRUE(o.start_close(1000, "", microseconds{6}).empty()) << "a second Close is never sent";
    frame_spec spec;
    spec.op = proto::opcode::close;
    feed(o, runner::write_frame(spec, proto::build_close_payload(1000), proto::role::server).bytes);
    EXPECT_TRUE(o.handshake_closed());
    EXPECT_TRUE(o.take_output().empty()) << "no reply to the answer of our own Close";
}

TEST(PeerObserver, NotesRulesThePeerBreaks) {
    {
        peer_observer o;
        feed(o, server_frame(proto::opcode::text, "x", true, true)); // 5.1: servers never mask
        ASSERT_FALSE(o.violations().empty());
        EXPECT_EQ(o.violations()[0].what, proto::violation::unexpected_mask);
        ASSERT_EQ(o.events().size(), 1u) << "observing goes on";
        EXPECT_EQ(o.events()[0], text("x"));
    }
    {
        peer_observer o;
        feed(o, server_frame(proto::opcode::text, "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80"));
        ASSERT_EQ(o.violations().size(), 1u);
        EXPECT_EQ(o.violations()[0].what, proto::violation::bad_utf8);
    }
    {
        peer_observer o;
        frame_spec spec;
        spec.op = proto::opcode::close;
        feed(o, runner::write_frame(spec, proto::build_close_payload(1005), proto::role::server).bytes);
        ASSERT_EQ(o.violations().size(), 1u);
        EXPECT_EQ(o.violations()[0].what, proto::violation::bad_close_code);
        feed(o, server_frame(proto::opcode::text, "late"));
        ASSERT_EQ(o.violations().size(), 2u);
        EXPECT_EQ(o.violations()[1].what, proto::violation::data_after_close);
    }
    {
        peer_observer o;
        feed(o, server_frame(proto::opcode::rsv3, "x"));
        ASSERT_EQ(o.violations().size(), 1u);
        EXPECT_EQ(o.violations()[0].what, proto::violation::bad_opcode);
        EXPECT_TRUE(o.events().empty());
    }
}

TEST(PeerObserver, CapsWhatItKeeps) {
    runner::observer_options opts;
    opts.max_message_size = 10;
    opts.log.frames = 3;
    opts.log.payload_bytes = 4;
    peer_observer o{opts};
    for (int i = 0; i < 5; ++i) {
        feed(o, server_frame(proto::opcode::binary, "0123456789abcdef"));
    }
    EXPECT_TRUE(o.message_cut());
    ASSERT_EQ(o.events().size(), 5u);
    EXPECT_EQ(o.events()[0].data.size(), 10u);
    EXPECT_EQ(o.log().frames().size(), 3u);
    EXPECT_EQ(o.log().dropped_frames(), 2u);
    EXPECT_EQ(o.log().frames()[0].payload.size(), 4u);
}

TEST(PeerObserver, AnnouncedHugeLengthStaysBounded) {
    peer_observer o;
    // 2^62 bytes announced, then a trickle: nothing may grow past the caps.
    std::vector<std::uint8_t> head{0x82, 0x7f, 0x40, 0, 0, 0, 0, 0, 0, 0};
    feed(o, head);
    std::vector<std::uint8_t> chunk(1 << 20, 'z');
    for (int i = 0; i < 80; ++i) {
        feed(o, chunk);
    }
    EXPECT_TRUE(o.message_cut() || o.events().empty());
    o.receive_eof(microseconds{10});
    ASSERT_FALSE(o.log().frames().empty());
    EXPECT_FALSE(o.log().frames().back().complete);
}

TEST(FrameWriter, WritesWhatTheCaseSays) {
    frame_spec spec;
    spec.op = proto::opcode::crsvb;
    spec.rsv = 7;
    spec.fin = false;
    spec.declared_length = 300;
    spec.masked = false;
    const auto f = runner::write_frame(spec, bytes_of("abc"), proto::role::client);
    ASSERT_EQ(f.bytes.size(), 4u + 3u);
    EXPECT_EQ(f.bytes[0], 0x7B); // FIN clear, RSV1-3 set, opcode 0xB
    EXPECT_EQ(f.bytes[1], 126);
    EXPECT_EQ(f.bytes[2], 1);
    EXPECT_EQ(f.bytes[3], 44);
    EXPECT_EQ(f.header.length, 300u);
}

TEST(FrameWriter, ClientFramesGetFreshKeys) {
    frame_spec spec;
    const auto a = runner::write_frame(spec, bytes_of("same"), proto::role::client);
    const auto b = runner::write_frame(spec, bytes_of("same"), proto::role::client);
    EXPECT_TRUE(a.header.masked);
    EXPECT_NE(a.header.key, b.header.key);
    EXPECT_NE(a.bytes, b.bytes);
}

} // namespace
