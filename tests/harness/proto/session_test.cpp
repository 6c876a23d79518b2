#include "harness/proto/session.hpp"

#include "harness/proto/error.hpp"
#include "harness/proto/frame_parser.hpp"
#include "harness/proto/mask.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace wscheck::proto {
namespace {

using bytes = std::vector<std::uint8_t>;
using kind = session_event::kind;

bytes to_bytes(std::string_view s) { return bytes(s.begin(), s.end()); }

// ---------------------------------------------------------------- frames by hand

struct frame_spec {
    opcode op = opcode::text;
    bytes payload;
    bool fin = true;
    bool rsv1 = false;
    bool rsv2 = false;
    bool rsv3 = false;
    bool masked = true; ///< what a client sends
    mask_key key{0x37, 0xFA, 0x21, 0x3D};
    length_encoding enc = length_encoding::minimal;
};

bytes encode(const frame_spec& f) {
    frame_header h;
    h.fin = f.fin;
    h.rsv1 = f.rsv1;
    h.rsv2 = f.rsv2;
    h.rsv3 = f.rsv3;
    h.op = f.op;
    h.masked = f.masked;
    h.key = f.key;
    h.length = f.payload.size();
    std::array<std::uint8_t, max_header_size> header{};
    const std::size_t n = encode_header(h, header, f.enc);
    bytes out(header.begin(), header.begin() + static_cast<std::ptrdiff_t>(n));
    bytes payload = f.payload;
    if (f.masked) mask_inplace(payload, f.key);
    for (auto b : payload) out.push_back(b);
    return out;
}

/// A frame as a client sends it (masked).
bytes client_frame(opcode op, std::string_view payload, bool fin = true) {
    frame_spec f;
    f.op = op;
    f.payload = to_bytes(payload);
    f.fin = fin;
    return encode(f);
}

bytes concat(std::initializer_list<bytes> parts) {
    bytes out;
    for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
    return out;
}

bytes close_body(unsigned code, std::string_view reason = {}) {
    bytes p{static_cast<std::uint8_t>(code >> 8), static_cast<std::uint8_t>(code & 0xFF)};
    for (char c : reason) p.push_back(static_cast<std::uint8_t>(c));
    return p;
}

// ---------------------------------------------------------------- reading what a session wrote

struct wire_frame {
    frame_header header;
    bytes payload; ///< unmasked
};

/// Decodes `out` as its receiver would (observe mode, so nothing is refused) and checks that
/// it holds whole frames only.
std::vector<wire_frame> decode_frames(std::span<const std::uint8_t> out, role receiver) {
    frame_parser_options o;
    o.local_role = receiver;
    o.mode = parse_mode::observe;
    frame_parser parser(o);
    bytes copy(out.begin(), out.end());
    std::span<std::uint8_t> in{copy};
    std::vector<wire_frame> frames;
    for (std::size_t guard = 0; guard < 2 * copy.size() + 4; ++guard) {
        const auto r = parser.feed(in);
        in = in.subspan(r.consumed);
        if (r.what == frame_parser::event::need_more) break;
        if (r.what == frame_parser::event::header) frames.push_back({parser.header(), {}});
        if (r.what == frame_parser::event::payload)
            frames.back().payload.insert(frames.back().payload.end(), r.data.begin(), r.data.end());
        if (r.what == frame_parser::event::error) {
            ADD_FAILURE() << "observe-mode parser error";
            break;
        }
    }
    EXPECT_TRUE(in.empty());
    EXPECT_TRUE(parser.at_frame_boundary()) << "output ends inside a frame";
    return frames;
}

// ---------------------------------------------------------------- driving a session

/// One line per event, everything that matters in it.
std::string describe(const session_event& e) {
    std::string s;
    switch (e.what) {
    case kind::text: s = "text"; break;
    case kind::binary: s = "binary"; break;
    case kind::ping: s = "ping"; break;
    case kind::pong: s = "pong"; break;
    case kind::close: s = "close"; break;
    case kind::failed: s = "failed"; break;
    }
    if (e.what != kind::close && e.what != kind::failed) {
        s += ":" + std::string(e.text());
    }
    if (e.what == kind::close || e.what == kind::failed)
        s += ":" + (e.code ? std::to_string(*e.code) : std::string("none"));
    if (e.what == kind::close) s += ":" + e.reason;
    if (e.what == kind::failed) {
        const violation_info* row = info(e.error);
        s += ":" + std::string(row ? row->name : "?");
    }
    return s;
}

std::vector<std::string> drain(session& s) {
    std::vector<std::string> out;
    session_event e;
    for (int guard = 0; guard < 100000 && s.next_event(e); ++guard) out.push_back(describe(e));
    return out;
}

void feed(session& s, const bytes& data) {
    bytes copy = data; // receive() unmasks in place
    s.receive(copy);
}

void feed_in_chunks(session& s, const bytes& data, std::size_t chunk) {
    for (std::size_t i = 0; i < data.size(); i += chunk) {
        bytes piece(data.begin() + static_cast<std::ptrdiff_t>(i),
                    data.begin() + static_cast<std::ptrdiff_t>(std::min(data.size(), i + chunk)));
        s.receive(piece);
    }
}

bytes take_output(session& s) {
    bytes out(s.output().begin(), s.output().end());
    s.consume_output(out.size());
    return out;
}

session_options server_options() {
    session_options o;
    o.local_role = role::server;
    return o;
}

session_options client_options() {
    session_options o;
    o.local_role = role::client;
    // Deterministic keys that change from frame to frame.
    o.mask_source = [n = std::uint8_t{0}]() mutable {
        ++n;
        return mask_key{n, static_cast<std::uint8_t>(n * 3), static_cast<std::uint8_t>(n * 7),
                        static_cast<std::uint8_t>(0xA5 ^ n)};
    };
    return o;
}

/// An application on top of a session: collects event descriptions, and echoes messages while
/// the session is open, as the reference server does.
struct endpoint {
    explicit endpoint(session_options o, bool echo_messages = false)
        : s(std::move(o)), echo(echo_messages) {}

    void handle_events() {
        session_event e;
        for (int guard = 0; guard < 100000 && s.next_event(e); ++guard) {
            if (echo && s.state() == session_state::open) {
                if (e.what == kind::text) s.send_text(e.text());
                if (e.what == kind::binary) s.send_binary(e.data);
            }
            events.push_back(describe(e));
            messages.push_back(std::move(e));
        }
    }

    session s;
    bool echo;
    std::vector<std::string> events;
    std::vector<session_event> messages;
};

/// Moves bytes both ways until neither side has anything to say.
void exchange(endpoint& a, endpoint& b) {
    for (int round = 0; round < 1000; ++round) {
        a.handle_events();
        b.handle_events();
        bytes ab = take_output(a.s);
        bytes ba = take_output(b.s);
        if (ab.empty() && ba.empty()) return;
        if (!ab.empty()) b.s.receive(ab);
        if (!ba.empty()) a.s.receive(ba);
    }
    ADD_FAILURE() << "exchange did not settle";
}

// ---------------------------------------------------------------- messages

TEST(session, text_and_binary_round_trip_through_an_echoing_server) {
    endpoint client(client_options());
    endpoint server(server_options(), true);
    client.s.send_text("Hello, \xE2\x82\xAC!");
    const bytes blob{0x00, 0xFF, 0x80, 0x7F};
    client.s.send_binary(blob);
    exchange(client, server);
    EXPECT_EQ(server.events, (std::vector<std::string>{"text:Hello, \xE2\x82\xAC!",
                                                       "binary:" + std::string("\x00\xFF\x80\x7F", 4)}));
    EXPECT_EQ(client.events, server.events);
    EXPECT_EQ(client.s.state(), session_state::open);
    EXPECT_EQ(server.s.state(), session_state::open);
}

TEST(session, messages_of_every_length_encoding) {
    // 7-bit, 16-bit and 64-bit lengths and their edges (5.2), both directions.
    for (std::size_t size : {0u, 1u, 125u, 126u, 127u, 65535u, 65536u, 1u << 20}) {
        endpoint client(client_options());
        endpoint server(server_options(), true);
        bytes data(size);
        for (std::size_t i = 0; i < size; ++i) data[i] = static_cast<std::uint8_t>(i * 31 + 7);
        client.s.send_binary(data);
        exchange(client, server);
        ASSERT_EQ(server.messages.size(), 1u) << size;
        EXPECT_EQ(server.messages[0].what, kind::binary);
        EXPECT_EQ(server.messages[0].data, data) << size;
        ASSERT_EQ(client.messages.size(), 1u) << size;
        EXPECT_EQ(client.messages[0].data, data) << size;
    }
}

TEST(session, large_text_message_in_many_reads) {
    std::string text;
    while (text.size() < 300000) text += "ascii and \xCE\xBA\xE1\xBD\xB9\xCF\x83\xCE\xBC\xCE\xB5 and \xF0\x9F\x98\x80 ";
    session client(client_options());
    session server(server_options());
    client.send_text(text);
    const bytes wire = take_output(client);
    feed_in_chunks(server, wire, 1000); // splits code points between reads
    const auto events = drain(server);
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0], "text:" + text);
}

TEST(session, fragmented_message_is_reassembled) {
    endpoint client(client_options());
    endpoint server(server_options());
    const bytes a = to_bytes("Hel"), b = to_bytes("lo \xE2\x82"), c = to_bytes("\xAC"); // € split
    const std::array<std::span<const std::uint8_t>, 3> pieces{a, b, c};
    client.s.send_fragmented(opcode::text, pieces);
    const auto frames = decode_frames(client.s.output(), role::server);
    ASSERT_EQ(frames.size(), 3u);
    EXPECT_EQ(frames[0].header.op, opcode::text);
    EXPECT_FALSE(frames[0].header.fin);
    EXPECT_EQ(frames[1].header.op, opcode::cont);
    EXPECT_FALSE(frames[1].header.fin);
    EXPECT_EQ(frames[2].header.op, opcode::cont);
    EXPECT_TRUE(frames[2].header.fin);
    exchange(client, server);
    EXPECT_EQ(server.events, (std::vector<std::string>{"text:Hello \xE2\x82\xAC"}));
}

TEST(session, send_fragmented_with_no_pieces_sends_one_empty_frame) {
    session client(client_options());
    client.send_fragmented(opcode::binary, {});
    const auto frames = decode_frames(client.output(), role::server);
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(frames[0].header.op, opcode::binary);
    EXPECT_TRUE(frames[0].header.fin);
    EXPECT_EQ(frames[0].header.length, 0u);
}

TEST(session, control_frames_between_fragments) {
    // 5.4: control frames may be injected in the middle of a fragmented message.
    session server(server_options());
    feed(server, concat({client_frame(opcode::text, "ab", false), client_frame(opcode::ping, "p"),
                         client_frame(opcode::cont, "cd", false), client_frame(opcode::pong, "q"),
                         client_frame(opcode::cont, "ef", true)}));
    EXPECT_EQ(drain(server), (std::vector<std::string>{"ping:p", "pong:q", "text:abcdef"}));
    const auto frames = decode_frames(server.output(), role::client);
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(frames[0].header.op, opcode::pong);
    EXPECT_EQ(frames[0].payload, to_bytes("p"));
}

// ---------------------------------------------------------------- ping / pong

TEST(session, ping_is_answered_with_a_pong_carrying_its_payload) {
    endpoint client(client_options());
    endpoint server(server_options());
    client.s.send_ping(to_bytes("are you there"));
    exchange(client, server);
    EXPECT_EQ(server.events, (std::vector<std::string>{"ping:are you there"}));
    EXPECT_EQ(client.events, (std::vector<std::string>{"pong:are you there"}));
}

TEST(session, pong_is_written_when_the_ping_event_is_popped) {
    session server(server_options());
    feed(server, client_frame(opcode::ping, "x"));
    EXPECT_TRUE(server.output().empty());
    EXPECT_EQ(drain(server), (std::vector<std::string>{"ping:x"}));
    const auto frames = decode_frames(server.output(), role::client);
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(frames[0].header.op, opcode::pong);
    EXPECT_FALSE(frames[0].header.masked); // 5.1: a server never masks
}

TEST(session, no_pong_without_auto_pong) {
    session_options o = server_options();
    o.auto_pong = false;
    session server(o);
    feed(server, client_frame(opcode::ping, "x"));
    EXPECT_EQ(drain(server), (std::vector<std::string>{"ping:x"}));
    EXPECT_TRUE(server.output().empty());
}

TEST(session, control_payloads_are_cut_to_125_bytes) {
    session client(client_options());
    const bytes big(200, 'p');
    client.send_ping(big);
    client.send_pong(big);
    const auto frames = decode_frames(client.output(), role::server);
    ASSERT_EQ(frames.size(), 2u);
    EXPECT_EQ(frames[0].payload, bytes(125, 'p'));
    EXPECT_EQ(frames[1].payload, bytes(125, 'p'));
}

// ---------------------------------------------------------------- closing handshake

TEST(session, client_initiated_close) {
    endpoint client(client_options());
    endpoint server(server_options());
    client.s.close(close_code::normal, "bye");
    EXPECT_EQ(client.s.state(), session_state::closing);
    exchange(client, server);
    // 5.5.1: the server echoes the code it received.
    EXPECT_EQ(server.events, (std::vector<std::string>{"close:1000:bye"}));
    EXPECT_EQ(client.events, (std::vector<std::string>{"close:1000:"}));
    EXPECT_EQ(server.s.state(), session_state::closed);
    EXPECT_EQ(client.s.state(), session_state::closed);
    EXPECT_TRUE(server.s.close_transport());
    EXPECT_TRUE(client.s.close_transport());
    ASSERT_TRUE(server.s.peer_close().has_value());
    EXPECT_EQ(server.s.peer_close()->code, std::optional<std::uint16_t>{1000});
    EXPECT_EQ(server.s.peer_close()->reason, "bye");
    EXPECT_FALSE(server.s.failure());
}

TEST(session, server_initiated_close) {
    endpoint client(client_options());
    endpoint server(server_options());
    server.s.close(close_code::going_away, "shutting down");
    EXPECT_EQ(server.s.state(), session_state::closing);
    EXPECT_FALSE(server.s.close_transport());
    exchange(client, server);
    EXPECT_EQ(client.events, (std::vector<std::string>{"close:1001:shutting down"}));
    EXPECT_EQ(server.events, (std::vector<std::string>{"close:1001:"}));
    EXPECT_EQ(server.s.state(), session_state::closed);
    EXPECT_EQ(client.s.state(), session_state::closed);
    // The client's echo is masked (5.1, 5.3).
}

TEST(session, echo_carries_the_code_but_not_the_reason) {
    session server(server_options());
    frame_spec f;
    f.op = opcode::close;
    f.payload = close_body(4000, "private reason");
    feed(server, encode(f));
    EXPECT_EQ(drain(server), (std::vector<std::string>{"close:4000:private reason"}));
    const auto frames = decode_frames(server.output(), role::client);
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(frames[0].header.op, opcode::close);
    EXPECT_EQ(frames[0].payload, close_body(4000));
}

TEST(session, empty_close_is_answered_with_an_empty_close) {
    endpoint client(client_options());
    endpoint server(server_options());
    client.s.close(std::nullopt, "ignored without a code");
    const auto sent = decode_frames(client.s.output(), role::server);
    ASSERT_EQ(sent.size(), 1u);
    EXPECT_TRUE(sent[0].payload.empty());
    server.s.receive(std::span<std::uint8_t>{}); // nothing: harmless
    bytes wire = take_output(client.s);
    server.s.receive(wire);
    server.handle_events();
    EXPECT_EQ(server.events, (std::vector<std::string>{"close:none:"}));
    const auto echoed = decode_frames(server.s.output(), role::client);
    ASSERT_EQ(echoed.size(), 1u);
    EXPECT_EQ(echoed[0].header.op, opcode::close);
    EXPECT_TRUE(echoed[0].payload.empty());
    exchange(client, server);
    EXPECT_EQ(client.events, (std::vector<std::string>{"close:none:"}));
    EXPECT_EQ(client.s.state(), session_state::closed);
}

TEST(session, simultaneous_close_sends_one_close_each) {
    endpoint client(client_options());
    endpoint server(server_options());
    client.s.close(1000, "c");
    server.s.close(1001, "s");
    bytes c2s = take_output(client.s);
    bytes s2c = take_output(server.s);
    server.s.receive(c2s);
    client.s.receive(s2c);
    server.handle_events();
    client.handle_events();
    EXPECT_EQ(server.events, (std::vector<std::string>{"close:1000:c"}));
    EXPECT_EQ(client.events, (std::vector<std::string>{"close:1001:s"}));
    EXPECT_TRUE(server.s.output().empty()); // no second Close
    EXPECT_TRUE(client.s.output().empty());
    EXPECT_TRUE(server.s.close_transport());
    EXPECT_TRUE(client.s.close_transport());
}

TEST(session, data_frames_are_dropped_while_closing) {
    session server(server_options());
    server.close(1000);
    take_output(server);
    // The peer had not seen our Close yet: its message is read and dropped; its ping is
    // reported but not answered (no frames after our Close, 5.5.1).
    feed(server, concat({client_frame(opcode::text, "late", false), client_frame(opcode::ping, "p"),
                         client_frame(opcode::cont, "r", true), client_frame(opcode::binary, "b"),
                         client_frame(opcode::close, std::string_view{"\x03\xE8", 2})}));
    EXPECT_EQ(drain(server), (std::vector<std::string>{"ping:p", "close:1000:"}));
    EXPECT_TRUE(server.output().empty());
    EXPECT_EQ(server.state(), session_state::closed);
}

TEST(session, messages_before_a_close_in_one_read_are_answered_before_the_echo) {
    endpoint server(server_options(), true);
    feed(server.s, concat({client_frame(opcode::text, "one"), client_frame(opcode::binary, "two"),
                           client_frame(opcode::close, std::string_view{"\x03\xE8", 2})}));
    server.handle_events();
    EXPECT_EQ(server.events, (std::vector<std::string>{"text:one", "binary:two", "close:1000:"}));
    const auto frames = decode_frames(server.s.output(), role::client);
    ASSERT_EQ(frames.size(), 3u);
    EXPECT_EQ(frames[0].header.op, opcode::text);
    EXPECT_EQ(frames[1].header.op, opcode::binary);
    EXPECT_EQ(frames[2].header.op, opcode::close);
    EXPECT_EQ(frames[2].payload, close_body(1000));
}

TEST(session, bytes_after_the_peer_close_are_ignored) {
    session server(server_options());
    feed(server, concat({client_frame(opcode::close, std::string_view{"\x03\xE8", 2}),
                         client_frame(opcode::text, "after close"), bytes{0xFF, 0xFF}}));
    EXPECT_EQ(drain(server), (std::vector<std::string>{"close:1000:"}));
    feed(server, client_frame(opcode::text, "and later"));
    EXPECT_TRUE(drain(server).empty());
    EXPECT_FALSE(server.failure());
}

TEST(session, nothing_is_sent_after_our_close) {
    session client(client_options());
    client.close(1000);
    const std::size_t after_close = client.output().size();
    client.send_text("late");
    client.send_binary(to_bytes("late"));
    client.send_ping(to_bytes("p"));
    client.send_pong(to_bytes("p"));
    client.close(1001); // ignored: not open
    EXPECT_EQ(client.output().size(), after_close);
    EXPECT_EQ(decode_frames(client.output(), role::server).size(), 1u);
}

TEST(session, close_reason_is_cut_at_a_code_point_boundary) {
    session client(client_options());
    std::string reason(122, 'r');
    reason += "\xE2\x82\xAC"; // 125 bytes: the euro sign straddles byte 123
    client.close(1000, reason);
    const auto frames = decode_frames(client.output(), role::server);
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(frames[0].payload, close_body(1000, std::string(122, 'r')));
}

// ---------------------------------------------------------------- EOF

TEST(session, eof_before_the_closing_handshake_is_abnormal_closure) {
    session server(server_options());
    feed(server, client_frame(opcode::text, "partial", false));
    server.receive_eof();
    EXPECT_EQ(drain(server), (std::vector<std::string>{"close:1006:"}));
    EXPECT_EQ(server.state(), session_state::closed);
    EXPECT_TRUE(server.output().empty()); // 7.4.1: 1006 is never sent
    EXPECT_TRUE(server.close_transport());
    EXPECT_FALSE(server.peer_close().has_value());
    server.receive_eof();
    EXPECT_TRUE(drain(server).empty());
}

TEST(session, eof_while_closing_is_abnormal_closure) {
    session server(server_options());
    server.close(1000);
    server.receive_eof();
    EXPECT_EQ(drain(server), (std::vector<std::string>{"close:1006:"}));
    EXPECT_EQ(server.state(), session_state::closed);
}

TEST(session, eof_after_the_closing_handshake_reports_nothing) {
    endpoint client(client_options());
    endpoint server(server_options());
    client.s.close(1000);
    exchange(client, server);
    server.s.receive_eof();
    client.s.receive_eof();
    EXPECT_TRUE(drain(server.s).empty());
    EXPECT_TRUE(drain(client.s).empty());
}

// ---------------------------------------------------------------- failing the connection

struct violation_case {
    std::string name;
    bytes input;
    violation expected;
    std::uint16_t code;
    std::uint64_t max_message_size = 64 * 1024 * 1024;
};

frame_spec spec(opcode op, std::string_view payload, bool fin = true) {
    frame_spec f;
    f.op = op;
    f.payload = to_bytes(payload);
    f.fin = fin;
    return f;
}

std::vector<violation_case> server_violation_cases() {
    std::vector<violation_case> cases;
    auto with = [](frame_spec f, auto change) {
        change(f);
        return encode(f);
    };
    // 5.2: reserved bits without an extension
    cases.push_back({"rsv1", with(spec(opcode::text, "x"), [](frame_spec& f) { f.rsv1 = true; }),
                     violation::bad_reserved_bits, 1002});
    cases.push_back({"rsv2", with(spec(opcode::binary, "x"), [](frame_spec& f) { f.rsv2 = true; }),
                     violation::bad_reserved_bits, 1002});
    cases.push_back({"rsv3", with(spec(opcode::ping, ""), [](frame_spec& f) { f.rsv3 = true; }),
                     violation::bad_reserved_bits, 1002});
    // 5.2: reserved opcodes
    for (unsigned op : {3u, 4u, 5u, 6u, 7u, 0xBu, 0xCu, 0xDu, 0xEu, 0xFu})
        cases.push_back({"opcode " + std::to_string(op),
                         encode(spec(static_cast<opcode>(op), "")), violation::bad_opcode, 1002});
    // 5.5: control frames
    cases.push_back({"fragmented ping", encode(spec(opcode::ping, "p", false)),
                     violation::fragmented_control, 1002});
    cases.push_back({"ping of 126 bytes", encode(spec(opcode::ping, std::string(126, 'p'))),
                     violation::control_too_big, 1002});
    // 5.2: non-minimal length
    cases.push_back({"non-minimal length",
                     with(spec(opcode::text, "short"), [](frame_spec& f) { f.enc = length_encoding::force_16; }),
                     violation::non_minimal_length, 1002});
    // 5.1: a client must mask
    cases.push_back({"unmasked client frame",
                     with(spec(opcode::text, "x"), [](frame_spec& f) { f.masked = false; }),
                     violation::missing_mask, 1002});
    // 5.4: fragment order
    cases.push_back({"continuation without a message", encode(spec(opcode::cont, "x")),
                     violation::bad_continuation, 1002});
    cases.push_back({"new message inside a fragmented one",
                     concat({encode(spec(opcode::text, "a", false)), encode(spec(opcode::binary, "b"))}),
                     violation::missing_continuation, 1002});
    // 8.1: text must be UTF-8
    cases.push_back({"invalid utf8 text", encode(spec(opcode::text, "ab\xC0\xAF")),
                     violation::bad_utf8, 1007});
    cases.push_back({"text ends inside a code point", encode(spec(opcode::text, "ab\xE2\x82")),
                     violation::bad_utf8, 1007});
    cases.push_back({"fragmented text ends inside a code point",
                     concat({encode(spec(opcode::text, "ab", false)), encode(spec(opcode::cont, "\xF0\x9F"))}),
                     violation::bad_utf8, 1007});
    // 5.5.1, 7.4: close payloads
    cases.push_back({"one-byte close payload", encode(spec(opcode::close, "\x03")),
                     violation::bad_close_size, 1002});
    for (unsigned code : {0u, 999u, 1004u, 1005u, 1006u, 1015u, 1016u, 2999u, 5000u, 65535u}) {
        frame_spec f = spec(opcode::close, "");
        f.payload = close_body(code);
        cases.push_back({"close code " + std::to_string(code), encode(f), violation::bad_close_code, 1002});
    }
    {
        frame_spec f = spec(opcode::close, "");
        f.payload = close_body(1000, "bad \xED\xA0\x80 reason");
        cases.push_back({"invalid close reason", encode(f), violation::bad_close_reason, 1007});
    }
    // 10.4: the message size limit (100 bytes here)
    cases.push_back({"frame over the message limit", encode(spec(opcode::binary, std::string(101, 'b'))),
                     violation::message_too_big, 1009, 100});
    cases.push_back({"fragments over the message limit",
                     concat({encode(spec(opcode::text, std::string(60, 't'), false)),
                             encode(spec(opcode::cont, std::string(60, 't')))}),
                     violation::message_too_big, 1009, 100});
    return cases;
}

TEST(session, every_violation_fails_the_connection_with_its_close_code) {
    for (const auto& c : server_violation_cases()) {
        SCOPED_TRACE(c.name);
        for (std::size_t chunk : {c.input.size(), std::size_t{1}, std::size_t{3}}) {
            session_options o = server_options();
            o.max_message_size = c.max_message_size;
            session server(o);
            feed_in_chunks(server, c.input, chunk);
            // Nothing is written until the event is popped.
            EXPECT_TRUE(server.output().empty());
            EXPECT_EQ(server.state(), session_state::open);
            session_event e;
            session_event last;
            int count = 0;
            while (server.next_event(e)) {
                last = e;
                ++count;
            }
            ASSERT_GE(count, 1);
            EXPECT_EQ(last.what, kind::failed);
            EXPECT_EQ(last.error, c.expected) << describe(last);
            EXPECT_EQ(last.code, std::optional<std::uint16_t>{c.code});
            EXPECT_EQ(server.failure(), c.expected);
            EXPECT_EQ(server.state(), session_state::closed);
            // _Fail the WebSocket Connection_: one Close with the violation's code, unmasked.
            const auto frames = decode_frames(server.output(), role::client);
            ASSERT_EQ(frames.size(), 1u);
            EXPECT_EQ(frames[0].header.op, opcode::close);
            EXPECT_FALSE(frames[0].header.masked);
            EXPECT_EQ(frames[0].payload, close_body(c.code));
            take_output(server);
            EXPECT_TRUE(server.close_transport());
            // Later bytes are ignored.
            feed(server, client_frame(opcode::text, "more"));
            EXPECT_FALSE(server.next_event(e));
            EXPECT_TRUE(server.output().empty());
        }
    }
}

TEST(session, bad_utf8_fails_fast_in_the_middle_of_a_fragmented_message) {
    session server(server_options());
    feed(server, client_frame(opcode::text, "valid \xE2\x82\xAC ", false));
    EXPECT_TRUE(drain(server).empty());
    // The second fragment: its payload turns invalid at byte 4 ("\xED\xA0" can only be a
    // surrogate). Deliver the header and the payload up to that byte only: the session must
    // fail now, not at the end of the frame or the message.
    const bytes second = client_frame(opcode::cont, "more\xED\xA0\x80 and more", false);
    const std::size_t header = 6; // 2 bytes + mask key
    const bytes prefix(second.begin(), second.begin() + static_cast<std::ptrdiff_t>(header + 6));
    feed(server, prefix);
    EXPECT_EQ(drain(server), (std::vector<std::string>{"failed:1007:bad_utf8"}));
    const auto frames = decode_frames(server.output(), role::client);
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(frames[0].payload, close_body(1007));
}

TEST(session, bad_utf8_split_between_fragments_fails_on_the_proving_byte) {
    session server(server_options());
    // "\xF4" ends the first fragment (viable: U+100000..U+10FFFF); "\x90" proves it would be
    // above U+10FFFF.
    feed(server, client_frame(opcode::text, "abc\xF4", false));
    EXPECT_TRUE(drain(server).empty());
    feed(server, client_frame(opcode::cont, "\x90\x80\x80", false));
    EXPECT_EQ(drain(server), (std::vector<std::string>{"failed:1007:bad_utf8"}));
}

TEST(session, message_too_big_fails_on_the_header) {
    session_options o = server_options();
    o.max_message_size = 1000;
    session server(o);
    const bytes frame = encode(spec(opcode::binary, std::string(1001, 'x')));
    feed(server, bytes(frame.begin(), frame.begin() + 8)); // 16-bit length header + key only
    EXPECT_EQ(drain(server), (std::vector<std::string>{"failed:1009:message_too_big"}));
}

TEST(session, message_of_exactly_the_limit_is_accepted) {
    session_options o = server_options();
    o.max_message_size = 100;
    session server(o);
    feed(server, concat({encode(spec(opcode::text, std::string(50, 't'), false)),
                         encode(spec(opcode::cont, std::string(50, 't')))}));
    EXPECT_EQ(drain(server), (std::vector<std::string>{"text:" + std::string(100, 't')}));
    // The limit is per message: the next one starts from zero.
    feed(server, encode(spec(opcode::binary, std::string(100, 'b'))));
    EXPECT_EQ(drain(server), (std::vector<std::string>{"binary:" + std::string(100, 'b')}));
}

TEST(session, client_fails_on_a_masked_frame_from_the_server) {
    session client(client_options());
    feed(client, client_frame(opcode::text, "masked")); // masked: wrong from a server
    EXPECT_EQ(drain(client), (std::vector<std::string>{"failed:1002:unexpected_mask"}));
    const auto frames = decode_frames(client.output(), role::server);
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_TRUE(frames[0].header.masked); // the client's own Close is masked (5.3)
    EXPECT_EQ(frames[0].payload, close_body(1002));
}

TEST(session, failing_after_our_close_sends_no_second_close) {
    session server(server_options());
    server.close(1000);
    const bytes first_close = take_output(server);
    feed(server, encode(spec(opcode::text, "\xFF")));
    EXPECT_EQ(drain(server), (std::vector<std::string>{}));
    // While closing, text is dropped unread; a frame-level violation still fails.
    frame_spec f = spec(opcode::text, "x");
    f.rsv2 = true;
    feed(server, encode(f));
    EXPECT_EQ(drain(server), (std::vector<std::string>{"failed:none:bad_reserved_bits"}));
    EXPECT_TRUE(server.output().empty());
    EXPECT_EQ(server.state(), session_state::closed);
    EXPECT_EQ(decode_frames(first_close, role::client).size(), 1u);
}

TEST(session, messages_before_a_violation_are_delivered_and_answered_first) {
    endpoint server(server_options(), true);
    feed(server.s, concat({client_frame(opcode::text, "fine"), encode(spec(static_cast<opcode>(3), ""))}));
    server.handle_events();
    EXPECT_EQ(server.events, (std::vector<std::string>{"text:fine", "failed:1002:bad_opcode"}));
    const auto frames = decode_frames(server.s.output(), role::client);
    ASSERT_EQ(frames.size(), 2u);
    EXPECT_EQ(frames[0].header.op, opcode::text);
    EXPECT_EQ(frames[1].header.op, opcode::close);
}

// ---------------------------------------------------------------- split reads

TEST(session, byte_at_a_time_gives_the_same_events_and_output) {
    std::string big_text;
    while (big_text.size() < 70000) big_text += "\xCE\xBA\xE1\xBD\xB9\xCF\x83\xCE\xBC\xCE\xB5 ";
    const std::vector<bytes> scripts = {
        concat({client_frame(opcode::text, "hello"), client_frame(opcode::text, "", true),
                client_frame(opcode::binary, std::string(300, 'b')),
                client_frame(opcode::text, "frag", false), client_frame(opcode::ping, "in between"),
                client_frame(opcode::cont, "ment\xE2\x82", false), client_frame(opcode::cont, "\xAC", true),
                client_frame(opcode::pong, "unsolicited"), client_frame(opcode::text, big_text),
                client_frame(opcode::ping, ""),
                client_frame(opcode::close, std::string_view{"\x03\xE8" "done", 6})}),
        concat({client_frame(opcode::text, "ok"), client_frame(opcode::text, "x\xED\xA0\x80y")}),
        concat({client_frame(opcode::binary, "ok"), client_frame(opcode::close, "\x03")}),
    };
    for (const auto& script : scripts) {
        session whole(server_options());
        feed(whole, script);
        const auto expected_events = drain(whole);
        const bytes expected_output = take_output(whole);
        ASSERT_FALSE(expected_events.empty());
        std::mt19937 rng(7);
        for (int run = 0; run < 3; ++run) {
            session split(server_options());
            if (run == 0) {
                feed_in_chunks(split, script, 1);
            } else {
                for (std::size_t i = 0; i < script.size();) {
                    const std::size_t n = std::min<std::size_t>(script.size() - i, 1 + rng() % 17);
                    bytes piece(script.begin() + static_cast<std::ptrdiff_t>(i),
                                script.begin() + static_cast<std::ptrdiff_t>(i + n));
                    split.receive(piece);
                    i += n;
                }
            }
            EXPECT_EQ(drain(split), expected_events) << "run " << run;
            EXPECT_EQ(take_output(split), expected_output) << "run " << run;
            EXPECT_EQ(split.state(), whole.state());
        }
    }
}

TEST(session, corrupted_scripts_give_the_same_events_however_they_are_split) {
    // Random valid traffic with one byte changed: whatever the verdict, it must not depend on
    // where the reads split the bytes, and a failure is always the last event.
    std::mt19937 rng(1125);
    const std::vector<bytes> frames = {
        client_frame(opcode::text, "hello \xE2\x82\xAC"), client_frame(opcode::binary, "bin"),
        client_frame(opcode::ping, "p"), client_frame(opcode::pong, ""),
        concat({client_frame(opcode::text, "fr", false), client_frame(opcode::cont, "ag", true)}),
        client_frame(opcode::text, std::string(200, 'x')),
        client_frame(opcode::close, std::string_view{"\x03\xE8" "ok", 4}),
    };
    int failed_rounds = 0;
    int clean_rounds = 0;
    for (int round = 0; round < 400; ++round) {
        bytes script;
        const int count = 1 + static_cast<int>(rng() % 6);
        for (int k = 0; k < count; ++k) {
            const bytes& f = frames[rng() % frames.size()];
            script.insert(script.end(), f.begin(), f.end());
        }
        if (round % 4 != 0) script[rng() % script.size()] = static_cast<std::uint8_t>(rng());
        session whole(server_options());
        feed(whole, script);
        const auto expected = drain(whole);
        const bytes expected_output = take_output(whole);
        for (std::size_t i = 0; i + 1 < expected.size(); ++i)
            EXPECT_NE(expected[i].rfind("failed", 0), 0u) << "failed is not the last event";
        session split(server_options());
        for (std::size_t i = 0; i < script.size();) {
            const std::size_t n = std::min<std::size_t>(script.size() - i, 1 + rng() % 5);
            bytes piece(script.begin() + static_cast<std::ptrdiff_t>(i),
                        script.begin() + static_cast<std::ptrdiff_t>(i + n));
            split.receive(piece);
            i += n;
        }
        ASSERT_EQ(drain(split), expected) << "round " << round;
        EXPECT_EQ(take_output(split), expected_output);
        const bool failed = !expected.empty() && expected.back().rfind("failed", 0) == 0;
        (failed ? failed_rounds : clean_rounds) += 1;
    }
    // The corruption must have exercised both outcomes.
    EXPECT_GT(failed_rounds, 50);
    EXPECT_GT(clean_rounds, 50);
}

// ---------------------------------------------------------------- masking

TEST(session, client_masks_every_frame_with_keys_from_mask_source) {
    session_options o = client_options();
    std::vector<mask_key> handed_out;
    std::uint8_t n = 0;
    o.mask_source = [&] {
        ++n;
        mask_key k{n, static_cast<std::uint8_t>(n + 0x40), 0x5A, static_cast<std::uint8_t>(~n)};
        handed_out.push_back(k);
        return k;
    };
    session client(o);
    client.send_text("text payload");
    client.send_binary(to_bytes("binary payload"));
    client.send_ping(to_bytes("ping"));
    client.close(1000);
    const auto frames = decode_frames(client.output(), role::server);
    ASSERT_EQ(frames.size(), 4u);
    ASSERT_EQ(handed_out.size(), 4u);
    for (std::size_t i = 0; i < frames.size(); ++i) {
        EXPECT_TRUE(frames[i].header.masked);
        EXPECT_EQ(frames[i].header.key, handed_out[i]);
    }
    EXPECT_EQ(frames[0].payload, to_bytes("text payload"));
    EXPECT_EQ(frames[1].payload, to_bytes("binary payload"));
    // On the wire the payload is XORed with the key (5.3).
    const bytes wire(client.output().begin(), client.output().end());
    const mask_key k = handed_out[0];
    const std::string plain = "text payload";
    for (std::size_t i = 0; i < plain.size(); ++i)
        EXPECT_EQ(wire[6 + i], static_cast<std::uint8_t>(plain[i]) ^ k[i % 4]);
}

TEST(session, client_without_mask_source_draws_random_keys) {
    session_options o;
    o.local_role = role::client;
    session client(o);
    for (int i = 0; i < 16; ++i) client.send_text("same text");
    const auto frames = decode_frames(client.output(), role::server);
    ASSERT_EQ(frames.size(), 16u);
    std::set<mask_key> keys;
    for (const auto& f : frames) {
        EXPECT_TRUE(f.header.masked);
        EXPECT_EQ(f.payload, to_bytes("same text"));
        keys.insert(f.header.key);
    }
    // 16 random 32-bit keys: a repeat has probability about 3e-8.
    EXPECT_EQ(keys.size(), 16u);
}

TEST(session, server_never_masks) {
    session server(server_options());
    server.send_text("t");
    server.send_ping(to_bytes("p"));
    server.close(1000);
    for (const auto& f : decode_frames(server.output(), role::client)) EXPECT_FALSE(f.header.masked);
}

// ---------------------------------------------------------------- output buffer

TEST(session, output_can_be_consumed_in_parts) {
    session server(server_options());
    server.send_text("abcdef");
    const bytes all(server.output().begin(), server.output().end());
    ASSERT_EQ(all.size(), 8u);
    server.consume_output(3);
    EXPECT_EQ(bytes(server.output().begin(), server.output().end()), bytes(all.begin() + 3, all.end()));
    server.consume_output(100); // more than there is: everything
    EXPECT_TRUE(server.output().empty());
    server.send_text("g");
    EXPECT_EQ(server.output().size(), 3u);
}

TEST(session, large_output_consumed_in_parts_stays_in_order) {
    session server(server_options());
    bytes data(200000);
    for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<std::uint8_t>(i % 251);
    server.send_binary(data);
    bytes collected;
    for (int guard = 0; guard < 10000 && !server.output().empty(); ++guard) {
        const std::size_t n = std::min<std::size_t>(server.output().size(), 7000);
        collected.insert(collected.end(), server.output().begin(), server.output().begin() + static_cast<std::ptrdiff_t>(n));
        server.consume_output(n);
        if (guard == 5) server.send_text("tail"); // appended while partly written
    }
    const auto frames = decode_frames(collected, role::client);
    ASSERT_EQ(frames.size(), 2u);
    EXPECT_EQ(frames[0].payload, data);
    EXPECT_EQ(frames[1].payload, to_bytes("tail"));
}

// ---------------------------------------------------------------- message buffers
// The session keeps its message buffers from message to message, queues events that refer to
// bytes in them, hands big messages over by swapping buffers with the caller's event, and
// unmasks while copying. None of that may show: every message arrives whole and unchanged,
// however the bytes are split and whenever the events are popped.

/// `n` bytes of payload; text is valid UTF-8 with 2-, 3- and 4-byte sequences, so that
/// fragment and read boundaries fall inside them.
bytes random_payload(std::mt19937& rng, std::size_t n, bool text) {
    bytes out;
    out.reserve(n);
    if (!text) {
        for (std::size_t i = 0; i < n; ++i) out.push_back(static_cast<std::uint8_t>(rng()));
        return out;
    }
    static const std::vector<bytes> code_points = {
        {'a'}, {0xC3, 0xA9}, {0xE2, 0x82, 0xAC}, {0xF0, 0x9F, 0x98, 0x80}};
    while (out.size() < n) {
        const bytes& cp = code_points[rng() % code_points.size()];
        if (out.size() + cp.size() > n) {
            out.push_back('a');
        } else {
            out.insert(out.end(), cp.begin(), cp.end());
        }
    }
    return out;
}

struct expected_event {
    kind what;
    bytes data;
};

/// Messages of `sizes`, text and binary in turn, each in one frame or in three fragments with
/// a Ping between them, every frame masked with its own key.
bytes message_stream(std::span<const std::size_t> sizes, std::vector<expected_event>& expected) {
    std::mt19937 rng(6455);
    bytes wire;
    for (std::size_t i = 0; i < sizes.size(); ++i) {
        const bool text = i % 2 == 0;
        const bytes payload = random_payload(rng, sizes[i], text);
        const opcode op = text ? opcode::text : opcode::binary;
        auto add = [&](opcode frame_op, bytes frame_payload, bool fin) {
            frame_spec f;
            f.op = frame_op;
            f.payload = std::move(frame_payload);
            f.fin = fin;
            f.key = mask_key{static_cast<std::uint8_t>(rng()), static_cast<std::uint8_t>(rng()),
                             static_cast<std::uint8_t>(rng()), static_cast<std::uint8_t>(rng())};
            const bytes b = encode(f);
            wire.insert(wire.end(), b.begin(), b.end());
        };
        if (i % 3 == 1 && payload.size() >= 3) {
            // 5.4: fragments at arbitrary byte offsets (inside code points too); 5.5: a
            // control frame may come between them.
            const std::size_t a = 1 + rng() % (payload.size() - 2);
            const std::size_t b = a + rng() % (payload.size() - a);
            const auto at = [&](std::size_t k) { return payload.begin() + static_cast<std::ptrdiff_t>(k); };
            add(op, bytes(payload.begin(), at(a)), false);
            const bytes ping = random_payload(rng, i % 126, false);
            add(opcode::ping, ping, true);
            expected.push_back({kind::ping, ping});
            add(opcode::cont, bytes(at(a), at(b)), false);
            add(opcode::cont, bytes(at(b), payload.end()), true);
        } else {
            add(op, payload, true);
        }
        expected.push_back({text ? kind::text : kind::binary, payload});
    }
    return wire;
}

enum class pop_when { after_each_read, one_per_read, at_the_end };

/// Feeds `wire` in reads of `chunk` bytes, popping events into one reused session_event.
std::vector<expected_event> read_stream(const bytes& wire, std::size_t chunk, pop_when when) {
    session s(server_options());
    session_event e;
    std::vector<expected_event> got;
    auto pop = [&] {
        if (!s.next_event(e)) return false;
        EXPECT_FALSE(e.code);
        EXPECT_FALSE(e.error);
        EXPECT_TRUE(e.reason.empty());
        got.push_back({e.what, e.data});
        return true;
    };
    for (std::size_t i = 0; i < wire.size(); i += chunk) {
        bytes piece(wire.begin() + static_cast<std::ptrdiff_t>(i),
                    wire.begin() + static_cast<std::ptrdiff_t>(std::min(wire.size(), i + chunk)));
        s.receive(piece);
        if (when == pop_when::after_each_read) {
            while (pop()) {}
        } else if (when == pop_when::one_per_read) {
            pop();
        }
    }
    while (pop()) {}
    EXPECT_EQ(s.state(), session_state::open);
    return got;
}

void expect_same_events(const std::vector<expected_event>& got, const std::vector<expected_event>& expected,
                        const std::string& label) {
    ASSERT_EQ(got.size(), expected.size()) << label;
    for (std::size_t i = 0; i < got.size(); ++i) {
        EXPECT_EQ(got[i].what, expected[i].what) << label << " event " << i;
        // Not EXPECT_EQ on the vectors: a mismatch would print megabytes.
        EXPECT_TRUE(got[i].data == expected[i].data)
            << label << " event " << i << ": " << got[i].data.size() << " bytes, expected "
            << expected[i].data.size();
    }
}

TEST(session, messages_small_and_big_arrive_intact_however_split_and_popped) {
    // Around the 16 KiB from which a message is handed over by swapping buffers, and past the
    // 1 MiB a header alone may reserve.
    const std::size_t sizes[] = {0,     1,         125,   126,         16 * 1024 - 1, 16 * 1024, 16 * 1024 + 1,
                                 70000, 3,         65536, 1048576 + 3, 17,            2 * 1048576 + 5, 0};
    std::vector<expected_event> expected;
    const bytes wire = message_stream(sizes, expected);
    for (const std::size_t chunk : {std::size_t{1000}, std::size_t{65536}, wire.size()}) {
        for (const pop_when when : {pop_when::after_each_read, pop_when::one_per_read, pop_when::at_the_end}) {
            expect_same_events(read_stream(wire, chunk, when), expected,
                               "chunk " + std::to_string(chunk) + " pop " + std::to_string(static_cast<int>(when)));
        }
    }
}

TEST(session, small_messages_read_a_few_bytes_at_a_time_arrive_intact) {
    const std::size_t sizes[] = {5, 0, 125, 300, 16 * 1024, 20000, 1, 126, 40000, 7};
    std::vector<expected_event> expected;
    const bytes wire = message_stream(sizes, expected);
    for (const std::size_t chunk : {std::size_t{1}, std::size_t{7}, std::size_t{4093}}) {
        for (const pop_when when : {pop_when::after_each_read, pop_when::one_per_read, pop_when::at_the_end}) {
            expect_same_events(read_stream(wire, chunk, when), expected,
                               "chunk " + std::to_string(chunk) + " pop " + std::to_string(static_cast<int>(when)));
        }
    }
}

TEST(session, an_event_reused_across_kinds_and_sessions_keeps_nothing_stale) {
    session_event e;
    {
        session s(server_options());
        const bytes big(20000, 0x62);
        frame_spec f;
        f.op = opcode::binary;
        f.payload = big;
        frame_spec close_frame;
        close_frame.op = opcode::close;
        close_frame.payload = close_body(1000, "bye");
        feed(s, concat({encode(f), client_frame(opcode::ping, "pi"), encode(close_frame)}));
        ASSERT_TRUE(s.next_event(e));
        EXPECT_EQ(e.what, kind::binary);
        EXPECT_TRUE(e.data == big);
        ASSERT_TRUE(s.next_event(e));
        EXPECT_EQ(e.what, kind::ping);
        EXPECT_EQ(e.data, to_bytes("pi"));
        ASSERT_TRUE(s.next_event(e));
        EXPECT_EQ(e.what, kind::close);
        EXPECT_TRUE(e.data.empty());
        EXPECT_EQ(e.code, std::optional<std::uint16_t>{1000});
        EXPECT_EQ(e.reason, "bye");
        EXPECT_FALSE(e.error);
        EXPECT_FALSE(s.next_event(e));
    }
    {
        session s(server_options());
        feed(s, client_frame(opcode::text, "\xff"));
        ASSERT_TRUE(s.next_event(e));
        EXPECT_EQ(e.what, kind::failed);
        EXPECT_EQ(e.error, make_error_code(violation::bad_utf8));
        EXPECT_EQ(e.code, std::optional<std::uint16_t>{close_code::invalid_payload});
        EXPECT_TRUE(e.data.empty());
        EXPECT_TRUE(e.reason.empty());
    }
    {
        session s(server_options());
        feed(s, client_frame(opcode::text, "hi"));
        ASSERT_TRUE(s.next_event(e));
        EXPECT_EQ(e.what, kind::text);
        EXPECT_EQ(e.text(), "hi");
        EXPECT_FALSE(e.code);
        EXPECT_TRUE(e.reason.empty());
        EXPECT_EQ(e.error, std::error_code{});
    }
}

TEST(session, big_messages_echo_intact_when_the_caller_keeps_each_event) {
    // The caller keeps every event (moved out, fresh event each time), so no buffer comes back
    // to the session; it must allocate anew and never reuse a buffer it handed over.
    endpoint server(server_options(), true);
    std::mt19937 rng(1);
    std::vector<bytes> sent;
    bytes wire;
    for (int i = 0; i < 4; ++i) {
        sent.push_back(random_payload(rng, 100000 + static_cast<std::size_t>(i), false));
        frame_spec f;
        f.op = opcode::binary;
        f.payload = sent.back();
        const bytes b = encode(f);
        wire.insert(wire.end(), b.begin(), b.end());
    }
    feed_in_chunks(server.s, wire, 65536);
    server.handle_events();
    ASSERT_EQ(server.messages.size(), sent.size());
    for (std::size_t i = 0; i < sent.size(); ++i) EXPECT_TRUE(server.messages[i].data == sent[i]) << i;
    const auto frames = decode_frames(server.s.output(), role::client);
    ASSERT_EQ(frames.size(), sent.size());
    for (std::size_t i = 0; i < sent.size(); ++i) EXPECT_TRUE(frames[i].payload == sent[i]) << i;
}

} // namespace
} // namespace wscheck::proto
