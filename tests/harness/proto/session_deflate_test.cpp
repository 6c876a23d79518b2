// proto::session with permessage-deflate agreed (RFC 7692 6, 7.2, 8.1).
#include "harness/proto/session.hpp"

#include "harness/proto/deflate_stream.hpp"
#include "harness/proto/error.hpp"
#include "harness/proto/frame_parser.hpp"
#include "harness/proto/mask.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace wscheck::proto {
namespace {

using bytes = std::vector<std::uint8_t>;
using kind = session_event::kind;

bytes of(std::string_view s) { return {s.begin(), s.end()}; }

session_options options_for(role r, std::optional<deflate_agreement> deflate = deflate_agreement{}) {
    session_options o;
    o.local_role = r;
    o.deflate = deflate;
    o.mask_source = [] { return mask_key{0x11, 0x22, 0x33, 0x44}; };
    return o;
}

/// A frame with any bits, masked when `masked` (a client's).
bytes frame(opcode op, const bytes& payload, bool fin = true, bool rsv1 = false, bool masked = true) {
    frame_header h;
    h.fin = fin;
    h.rsv1 = rsv1;
    h.op = op;
    h.masked = masked;
    h.key = mask_key{0xA1, 0xB2, 0xC3, 0xD4};
    h.length = payload.size();
    std::array<std::uint8_t, max_header_size> header{};
    const std::size_t n = encode_header(h, header);
    bytes out(header.begin(), header.begin() + static_cast<std::ptrdiff_t>(n));
    bytes body = payload;
    if (masked) {
        mask_inplace(body, h.key);
    }
    out.insert(out.end(), body.begin(), body.end());
    return out;
}

/// Frame headers of what a session wrote (all of its output).
std::vector<frame_header> headers_of(std::span<const std::uint8_t> wire, role sender) {
    frame_parser_options po;
    po.local_role = sender == role::client ? role::server : role::client;
    po.mode = parse_mode::observe;
    frame_parser p(po);
    bytes copy(wire.begin(), wire.end());
    std::span<std::uint8_t> in(copy);
    std::vector<frame_header> out;
    for (int guard = 0; guard < 100000; ++guard) {
        const auto r = p.feed(in);
        in = in.subspan(r.consumed);
        if (r.what == frame_parser::event::header) {
            out.push_back(p.header());
        } else if (r.what == frame_parser::event::need_more) {
            break;
        }
    }
    return out;
}

/// Moves everything `from` wrote into `to`.
void deliver(session& from, session& to) {
    bytes wire(from.output().begin(), from.output().end());
    from.consume_output(wire.size());
    to.receive(wire);
}

std::vector<session_event> events_of(session& s) {
    std::vector<session_event> out;
    session_event e;
    while (s.next_event(e)) {
        out.push_back(e);
    }
    return out;
}

/// Feeds `wire` and returns the single event it must give.
session_event only_event(session& s, bytes wire) {
    s.receive(wire);
    auto events = events_of(s);
    EXPECT_EQ(events.size(), 1u);
    return events.empty() ? session_event{} : events.front();
}

/// The close code of the Close frame a session wrote last.
std::optional<std::uint16_t> sent_close_code(const session& s) {
    const auto out = s.output();
    if (out.size() < 4 || (out[0] & 0x0F) != 0x8) {
        return std::nullopt;
    }
    return static_cast<std::uint16_t>((out[2] << 8) | out[3]);
}

bytes sample(std::size_t n, unsigned seed) {
    std::mt19937 rng(seed);
    bytes out(n);
    for (auto& b : out) {
        b = static_cast<std::uint8_t>("abcdefgh ij\n"[rng() % 12]);
    }
    return out;
}

// ---- RFC 7692 7.2.3 on the wire ----

TEST(session_deflate, reads_the_rfc_hello_frames) {
    // 7.2.3.1 and 7.2.3.2 as a server sends them (unmasked): 0xc1 is FIN + RSV1 + text.
    session client(options_for(role::client));
    const bytes first{0xc1, 0x07, 0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00};
    const bytes second{0xc1, 0x05, 0xf2, 0x00, 0x11, 0x00, 0x00};
    auto e = only_event(client, first);
    EXPECT_EQ(e.what, kind::text);
    EXPECT_EQ(e.text(), "Hello");
    e = only_event(client, second);
    EXPECT_EQ(e.text(), "Hello");
}

TEST(session_deflate, reads_a_compressed_message_in_fragments) {
    // 7.2.3.1's payload split over two frames: RSV1 on the first only.
    session client(options_for(role::client));
    const bytes wire{0x41, 0x03, 0xf2, 0x48, 0xcd, 0x80, 0x04, 0xc9, 0xc9, 0x07, 0x00};
    const auto e = only_event(client, wire);
    EXPECT_EQ(e.what, kind::text);
    EXPECT_EQ(e.text(), "Hello");
}

TEST(session_deflate, sends_hello_as_the_rfc_does) {
    session server(options_for(role::server));
    server.send_text("Hello");
    const auto out = server.output();
    EXPECT_EQ(bytes(out.begin(), out.end()), (bytes{0xc1, 0x07, 0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00}));
}

// ---- RSV1 placement (RFC 7692 6) ----

TEST(session_deflate, rsv1_on_a_continuation_frame_fails_with_1002) {
    session server(options_for(role::server));
    deflater_options dopt;
    message_deflater d(dopt);
    bytes payload;
    d.compress(of("Hello"), payload);
    const bytes first(payload.begin(), payload.begin() + 2);
    const bytes rest(payload.begin() + 2, payload.end());
    bytes wire = frame(opcode::text, first, false, true);
    const bytes cont = frame(opcode::cont, rest, true, true);
    wire.insert(wire.end(), cont.begin(), cont.end());
    const auto e = only_event(server, wire);
    EXPECT_EQ(e.what, kind::failed);
    EXPECT_EQ(e.error, violation::misplaced_rsv1);
    EXPECT_EQ(sent_close_code(server), 1002);
}

TEST(session_deflate, rsv1_on_a_control_frame_fails_with_1002) {
    for (const opcode op : {opcode::ping, opcode::pong, opcode::close}) {
        session server(options_for(role::server));
        const auto e = only_event(server, frame(op, {}, true, true));
        EXPECT_EQ(e.what, kind::failed);
        EXPECT_EQ(e.error, violation::misplaced_rsv1) << to_string(op);
        EXPECT_EQ(sent_close_code(server), 1002);
    }
}

TEST(session_deflate, rsv1_without_the_extension_is_a_reserved_bit) {
    session server(options_for(role::server, std::nullopt));
    const auto e = only_event(server, frame(opcode::text, {0x00}, true, true));
    EXPECT_EQ(e.error, violation::bad_reserved_bits);
    EXPECT_EQ(sent_close_code(server), 1002);
}

TEST(session_deflate, sent_frames_carry_rsv1_on_the_first_frame_only) {
    session client(options_for(role::client));
    session server(options_for(role::server));
    const bytes a = sample(3000, 1);
    const bytes b = sample(10, 2);
    const bytes c = sample(5000, 3);
    const std::array<std::span<const std::uint8_t>, 3> pieces{a, b, c};
    client.send_fragmented(opcode::binary, pieces);
    client.send_ping(of("p"));
    const auto hs = headers_of(client.output(), role::client);
    ASSERT_EQ(hs.size(), 4u);
    EXPECT_TRUE(hs[0].rsv1);
    EXPECT_FALSE(hs[1].rsv1);
    EXPECT_FALSE(hs[2].rsv1);
    EXPECT_FALSE(hs[3].rsv1); // the ping
    EXPECT_GT(hs[0].length, 0u) << "each fragment carries its own piece";
    EXPECT_GT(hs[1].length, 0u);
    deliver(client, server);
    const auto events = events_of(server);
    ASSERT_EQ(events.size(), 2u);
    bytes whole = a;
    whole.insert(whole.end(), b.begin(), b.end());
    whole.insert(whole.end(), c.begin(), c.end());
    EXPECT_EQ(events[0].what, kind::binary);
    EXPECT_EQ(events[0].data, whole);
    EXPECT_EQ(events[1].what, kind::ping);
}

// ---- failures: 1007 and 1009 ----

TEST(session_deflate, data_that_does_not_inflate_fails_with_1007) {
    session server(options_for(role::server));
    const auto e = only_event(server, frame(opcode::binary, {0xff, 0xff, 0xff}, true, true));
    EXPECT_EQ(e.error, violation::bad_compressed_data);
    EXPECT_EQ(sent_close_code(server), 1007);
}

TEST(session_deflate, compressed_text_is_checked_for_utf8_after_inflating) {
    session server(options_for(role::server));
    message_deflater d;
    bytes payload;
    d.compress(bytes{'o', 'k', 0xC0, 0xAF}, payload); // an overlong encoding
    const auto e = only_event(server, frame(opcode::text, payload, true, true));
    EXPECT_EQ(e.error, violation::bad_utf8);
    EXPECT_EQ(sent_close_code(server), 1007);
}

TEST(session_deflate, a_bomb_fails_with_1009_at_the_limit) {
    session_options so = options_for(role::server);
    so.max_message_size = 1024 * 1024;
    session server(so);
    message_deflater d;
    bytes bomb;
    d.compress(bytes(32u * 1024 * 1024, 0), bomb);
    ASSERT_LT(bomb.size(), so.max_message_size / 8);
    const auto e = only_event(server, frame(opcode::binary, bomb, true, true));
    EXPECT_EQ(e.error, violation::inflated_too_big);
    EXPECT_EQ(sent_close_code(server), 1009);
}

TEST(session_deflate, exactly_the_limit_inflated_is_accepted) {
    session_options so = options_for(role::server);
    so.max_message_size = 100'000;
    session server(so);
    message_deflater d;
    bytes payload;
    const bytes msg = sample(so.max_message_size, 5);
    d.compress(msg, payload);
    const auto e = only_event(server, frame(opcode::binary, payload, true, true));
    EXPECT_EQ(e.what, kind::binary);
    EXPECT_EQ(e.data, msg);
}

// ---- round trips ----

TEST(session_deflate, round_trips_every_window_and_context_rule_both_ways) {
    for (std::uint8_t bits = 8; bits <= 15; ++bits) {
        for (const bool reset : {false, true}) {
            deflate_agreement a;
            a.server_max_window_bits = bits;
            a.client_max_window_bits = static_cast<std::uint8_t>(23 - bits);
            a.server_no_context_takeover = reset;
            a.client_no_context_takeover = !reset;
            session client(options_for(role::client, a));
            session server(options_for(role::server, a));
            // Small, empty and big (handed over) messages, several per read.
            const std::vector<bytes> messages{sample(10, bits), {}, sample(40'000, bits + 1u),
                                              sample(200, bits + 2u), sample(17, bits + 3u)};
            for (const auto& m : messages) {
                client.send_binary(m);
            }
            deliver(client, server);
            auto got = events_of(server);
            ASSERT_EQ(got.size(), messages.size()) << int{bits} << reset;
            for (std::size_t i = 0; i < messages.size(); ++i) {
                EXPECT_EQ(got[i].data, messages[i]) << int{bits} << reset << i;
                server.send_binary(got[i].data); // the echo, compressed the other way
            }
            deliver(server, client);
            got = events_of(client);
            ASSERT_EQ(got.size(), messages.size());
            for (std::size_t i = 0; i < messages.size(); ++i) {
                EXPECT_EQ(got[i].data, messages[i]) << int{bits} << reset << i;
            }
        }
    }
}

TEST(session_deflate, a_byte_at_a_time_gives_the_same_messages) {
    session client(options_for(role::client));
    session server(options_for(role::server));
    const bytes m1 = sample(5000, 8);
    client.send_text(std::string_view(reinterpret_cast<const char*>(m1.data()), m1.size()));
    client.send_text("");
    bytes wire(client.output().begin(), client.output().end());
    std::vector<session_event> got;
    for (auto b : wire) {
        bytes one{b};
        server.receive(one);
        for (auto& e : events_of(server)) {
            got.push_back(e);
        }
    }
    ASSERT_EQ(got.size(), 2u);
    EXPECT_EQ(got[0].data, m1);
    EXPECT_TRUE(got[1].data.empty());
    EXPECT_EQ(got[1].what, kind::text);
}

TEST(session_deflate, small_messages_go_uncompressed_under_the_threshold) {
    session_options co = options_for(role::client);
    co.deflate_min_size = 100;
    session client(co);
    session server(options_for(role::server));
    client.send_text("short");
    client.send_binary(sample(100, 1));
    const auto hs = headers_of(client.output(), role::client);
    ASSERT_EQ(hs.size(), 2u);
    EXPECT_FALSE(hs[0].rsv1);
    EXPECT_TRUE(hs[1].rsv1);
    deliver(client, server);
    const auto got = events_of(server);
    ASSERT_EQ(got.size(), 2u);
    EXPECT_EQ(got[0].text(), "short");
    EXPECT_EQ(got[1].data, sample(100, 1));
}

TEST(session_deflate, uncompressed_messages_mixed_in_keep_the_context) {
    // The peer sends an uncompressed message between two compressed ones (RSV1 clear): it
    // is read as is and does not touch the inflater's window.
    session client(options_for(role::client));
    const bytes hello1{0xc1, 0x07, 0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00};
    const bytes plain{0x81, 0x03, 'a', 'b', 'c'};
    const bytes hello2{0xc1, 0x05, 0xf2, 0x00, 0x11, 0x00, 0x00};
    bytes wire = hello1;
    wire.insert(wire.end(), plain.begin(), plain.end());
    wire.insert(wire.end(), hello2.begin(), hello2.end());
    client.receive(wire);
    const auto got = events_of(client);
    ASSERT_EQ(got.size(), 3u);
    EXPECT_EQ(got[0].text(), "Hello");
    EXPECT_EQ(got[1].text(), "abc");
    EXPECT_EQ(got[2].text(), "Hello");
}

TEST(session_deflate, random_mixes_of_compressed_uncompressed_fragmented_and_control_frames) {
    // Messages of random sizes around the compression threshold (so some go uncompressed),
    // in random fragments, with pings between them, read in random splits: the server must
    // give back exactly the messages and pings sent, in order, for every agreement.
    std::mt19937 rng(7692u); // 32-bit results: seeds for sample()
    for (int round = 0; round < 40; ++round) {
        deflate_agreement a;
        a.server_max_window_bits = static_cast<std::uint8_t>(8 + rng() % 8);
        a.client_max_window_bits = static_cast<std::uint8_t>(8 + rng() % 8);
        a.client_no_context_takeover = rng() % 2 == 0;
        session_options co = options_for(role::client, a);
        co.deflate_min_size = 50;
        session client(co);
        session server(options_for(role::server, a));
        std::vector<std::pair<kind, bytes>> sent;
        for (int m = 0; m < 12; ++m) {
            const bytes msg = sample(rng() % 3 == 0 ? rng() % 100 : rng() % 5000, static_cast<unsigned>(rng()));
            if (rng() % 4 == 0) {
                const bytes ping = sample(rng() % 20, static_cast<unsigned>(rng()));
                client.send_ping(ping);
                sent.emplace_back(kind::ping, ping);
            }
            std::vector<std::span<const std::uint8_t>> pieces;
            for (std::size_t at = 0; at < msg.size() || pieces.empty();) {
                const std::size_t n = std::min<std::size_t>(msg.size() - at, rng() % 2000 + 1);
                pieces.push_back(std::span(msg).subspan(at, n));
                at += n;
            }
            const bool text = rng() % 2 == 0;
            client.send_fragmented(text ? opcode::text : opcode::binary, pieces);
            sent.emplace_back(text ? kind::text : kind::binary, msg);
        }
        bytes wire(client.output().begin(), client.output().end());
        std::vector<std::pair<kind, bytes>> got;
        for (std::size_t at = 0; at < wire.size();) {
            const std::size_t n = std::min<std::size_t>(wire.size() - at, rng() % 3000 + 1);
            bytes piece(wire.begin() + static_cast<std::ptrdiff_t>(at),
                        wire.begin() + static_cast<std::ptrdiff_t>(at + n));
            at += n;
            server.receive(piece);
            for (auto& e : events_of(server)) {
                got.emplace_back(e.what, e.data);
            }
        }
        ASSERT_EQ(got.size(), sent.size()) << "round " << round;
        for (std::size_t i = 0; i < sent.size(); ++i) {
            EXPECT_EQ(got[i].first, sent[i].first) << round << " " << i;
            EXPECT_EQ(got[i].second, sent[i].second) << round << " " << i;
        }
    }
}

TEST(session_deflate, memory_of_a_compressing_connection_is_reported) {
    session plain(options_for(role::server, std::nullopt));
    EXPECT_EQ(plain.deflate_memory(), 0u);
    session server(options_for(role::server));
    EXPECT_GT(server.deflate_memory(), 0u);
}

} // namespace
} // namespace wscheck::proto
