#include "harness/proto/frame_parser.hpp"

#include "harness/proto/mask.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <limits>
#include <new>
#include <string>
#include <vector>

// Counts heap allocations, so a test can show that feed() never allocates. It forwards to
// malloc/free and changes nothing else for the rest of the test program.
namespace {
std::atomic<std::size_t> allocation_count{0};
}

void* operator new(std::size_t size) {
    allocation_count.fetch_add(1, std::memory_order_relaxed);
    if (void* p = std::malloc(size == 0 ? 1 : size)) {
        return p;
    }
    throw std::bad_alloc{};
}
// GCC sees free() inlined where a new-expression's pointer is released and warns, though the
// replacement operator new above took the memory from malloc.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

namespace wscheck::proto {
namespace {

using bytes = std::vector<std::uint8_t>;
using event = frame_parser::event;

constexpr mask_key rfc_key{0x37, 0xfa, 0x21, 0x3d};
constexpr std::size_t whole = std::numeric_limits<std::size_t>::max();

// ---- helpers ---------------------------------------------------------------------------

bytes text_bytes(std::string_view s) { return bytes(s.begin(), s.end()); }

bytes pattern(std::size_t n, std::uint8_t seed = 1) {
    bytes out(n);
    for (std::size_t i = 0; i < n; ++i) {
        out[i] = static_cast<std::uint8_t>(seed + i * 13);
    }
    return out;
}

/// What one frame looked like to the parser.
struct parsed_frame {
    frame_header header;
    std::uint64_t violations = 0;
    bytes payload;
    bool complete = false;

    friend bool operator==(const parsed_frame&, const parsed_frame&) = default;
};

struct parse_trace {
    std::vector<parsed_frame> frames;
    std::error_code error;
    std::size_t consumed = 0;
};

/// Feeds `wire` in pieces whose sizes `next_len(offset, left)` picks, draining every event
/// after each piece, then once more with no bytes; records the frames.
template <typename NextLen>
parse_trace run_split(frame_parser& parser, bytes wire, NextLen next_len) {
    parse_trace t;
    std::size_t offset = 0;
    // Bounded: every call either consumes a byte or reports one of a bounded number of events.
    std::size_t budget = 8 * wire.size() + 64;
    for (;;) {
        const std::size_t left = wire.size() - offset;
        const std::size_t len = left == 0 ? 0 : std::clamp<std::size_t>(next_len(offset, left), 1, left);
        std::span<std::uint8_t> in{wire.data() + offset, len};
        std::size_t used = 0;
        while (budget > 0) {
            --budget;
            const auto r = parser.feed(in.subspan(used));
            EXPECT_LE(r.consumed, in.size() - used);
            used += r.consumed;
            if (r.what == event::need_more) {
                EXPECT_EQ(used, in.size());
                break;
            }
            if (r.what == event::error) {
                EXPECT_TRUE(r.error);
                t.error = r.error;
                t.consumed = offset + used;
                return t;
            }
            if (r.what == event::header) {
                parsed_frame f;
                f.header = parser.header();
                f.violations = parser.header_violations().bits();
                t.frames.push_back(f);
            } else if (r.what == event::payload) {
                EXPECT_FALSE(t.frames.empty());
                EXPECT_FALSE(r.data.empty());
                // Payload is unmasked in place: it is the bytes this call consumed.
                EXPECT_EQ(r.data.data(), in.data() + used - r.consumed);
                EXPECT_EQ(r.data.size(), r.consumed);
                if (!t.frames.empty()) {
                    t.frames.back().payload.insert(t.frames.back().payload.end(), r.data.begin(),
                                                   r.data.end());
                }
            } else if (r.what == event::frame_end) {
                EXPECT_FALSE(t.frames.empty());
                EXPECT_EQ(r.consumed, 0u);
                if (!t.frames.empty()) {
                    t.frames.back().complete = true;
                }
            }
        }
        EXPECT_GT(budget, 0u) << "parser made no progress";
        offset += len;
        if (len == 0 || budget == 0) {
            break;
        }
    }
    t.consumed = offset;
    return t;
}

parse_trace run(frame_parser& parser, bytes wire, std::size_t chunk = whole) {
    return run_split(parser, std::move(wire), [chunk](std::size_t, std::size_t) { return chunk; });
}

parse_trace run(frame_parser_options opts, const bytes& wire, std::size_t chunk = whole) {
    frame_parser parser{opts};
    return run(parser, wire, chunk);
}

frame_parser_options server_strict() { return {}; }
frame_parser_options client_strict() {
    frame_parser_options o;
    o.local_role = role::client;
    return o;
}
frame_parser_options observe(role r) {
    frame_parser_options o;
    o.local_role = r;
    o.mode = parse_mode::observe;
    return o;
}

/// A frame as a client sends it (masked) or a server does (unmasked), with any header.
bytes frame(frame_header h, const bytes& payload,
            length_encoding enc = length_encoding::minimal) {
    h.length = payload.size();
    std::array<std::uint8_t, max_header_size> head{};
    const std::size_t n = encode_header(h, head, enc);
    bytes out(head.begin(), head.begin() + static_cast<std::ptrdiff_t>(n));
    const std::size_t start = out.size();
    out.insert(out.end(), payload.begin(), payload.end());
    if (h.masked) {
        mask_inplace(std::span<std::uint8_t>{out}.subspan(start), h.key);
    }
    return out;
}

frame_header hdr(opcode op, bool fin = true) {
    frame_header h;
    h.op = op;
    h.fin = fin;
    return h;
}

frame_header masked_hdr(opcode op, bool fin = true, mask_key key = rfc_key) {
    frame_header h = hdr(op, fin);
    h.masked = true;
    h.key = key;
    return h;
}

/// Just a header with any length (no payload), for lengths too big to send.
bytes header_only(frame_header h, std::uint64_t length,
                  length_encoding enc = length_encoding::minimal) {
    h.length = length;
    std::array<std::uint8_t, max_header_size> head{};
    const std::size_t n = encode_header(h, head, enc);
    return bytes(head.begin(), head.begin() + static_cast<std::ptrdiff_t>(n));
}

bytes concat(std::initializer_list<bytes> parts) {
    bytes out;
    for (const auto& p : parts) {
        out.insert(out.end(), p.begin(), p.end());
    }
    return out;
}

std::uint64_t bit(violation v) { return std::uint64_t{1} << static_cast<unsigned>(v); }

// ---- RFC 6455 5.7 examples -------------------------------------------------------------

TEST(frame_parser, rfc_5_7_unmasked_text_from_a_server) {
    const auto t = run(client_strict(), {0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f});
    ASSERT_FALSE(t.error) << t.error.message();
    ASSERT_EQ(t.frames.size(), 1u);
    const auto& f = t.frames[0];
    EXPECT_TRUE(f.header.fin);
    EXPECT_EQ(f.header.op, opcode::text);
    EXPECT_FALSE(f.header.masked);
    EXPECT_EQ(f.header.length, 5u);
    EXPECT_EQ(f.payload, text_bytes("Hello"));
    EXPECT_TRUE(f.complete);
}

TEST(frame_parser, rfc_5_7_masked_text_from_a_client) {
    const auto t = run(server_strict(),
                       {0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58});
    ASSERT_FALSE(t.error) << t.error.message();
    ASSERT_EQ(t.frames.size(), 1u);
    EXPECT_TRUE(t.frames[0].header.masked);
    EXPECT_EQ(t.frames[0].header.key, rfc_key);
    EXPECT_EQ(t.frames[0].payload, text_bytes("Hello"));
    EXPECT_TRUE(t.frames[0].complete);
}

TEST(frame_parser, rfc_5_7_fragmented_text) {
    frame_parser p{client_strict()};
    bytes first{0x01, 0x03, 0x48, 0x65, 0x6c};
    bytes second{0x80, 0x02, 0x6c, 0x6f};
    auto t1 = run(p, first);
    ASSERT_EQ(t1.frames.size(), 1u);
    EXPECT_FALSE(t1.frames[0].header.fin);
    EXPECT_EQ(t1.frames[0].header.op, opcode::text);
    EXPECT_EQ(t1.frames[0].payload, text_bytes("Hel"));
    EXPECT_TRUE(p.in_fragmented_message());
    auto t2 = run(p, second);
    ASSERT_FALSE(t2.error);
    ASSERT_EQ(t2.frames.size(), 1u);
    EXPECT_TRUE(t2.frames[0].header.fin);
    EXPECT_EQ(t2.frames[0].header.op, opcode::cont);
    EXPECT_EQ(t2.frames[0].payload, text_bytes("lo"));
    EXPECT_FALSE(p.in_fragmented_message());
}

TEST(frame_parser, rfc_5_7_unmasked_ping_and_masked_pong) {
    const auto ping = run(client_strict(), {0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f});
    ASSERT_FALSE(ping.error);
    ASSERT_EQ(ping.frames.size(), 1u);
    EXPECT_EQ(ping.frames[0].header.op, opcode::ping);
    EXPECT_EQ(ping.frames[0].payload, text_bytes("Hello"));

    const auto pong = run(server_strict(),
                          {0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58});
    ASSERT_FALSE(pong.error);
    ASSERT_EQ(pong.frames.size(), 1u);
    EXPECT_EQ(pong.frames[0].header.op, opcode::pong);
    EXPECT_EQ(pong.frames[0].payload, text_bytes("Hello"));
}

TEST(frame_parser, rfc_5_7_binary_256_bytes) {
    bytes wire{0x82, 0x7E, 0x01, 0x00};
    const bytes payload = pattern(256);
    wire.insert(wire.end(), payload.begin(), payload.end());
    const auto t = run(client_strict(), wire);
    ASSERT_FALSE(t.error);
    ASSERT_EQ(t.frames.size(), 1u);
    EXPECT_EQ(t.frames[0].header.op, opcode::binary);
    EXPECT_EQ(t.frames[0].header.length, 256u);
    EXPECT_EQ(t.frames[0].payload, payload);
}

TEST(frame_parser, rfc_5_7_binary_64_kib) {
    bytes wire{0x82, 0x7F, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00};
    const bytes payload = pattern(65536);
    wire.insert(wire.end(), payload.begin(), payload.end());
    const auto t = run(client_strict(), wire);
    ASSERT_FALSE(t.error);
    ASSERT_EQ(t.frames.size(), 1u);
    EXPECT_EQ(t.frames[0].header.length, 65536u);
    EXPECT_EQ(t.frames[0].payload, payload);
    EXPECT_EQ(t.consumed, wire.size());
}

// ---- lengths ---------------------------------------------------------------------------

TEST(frame_parser, payload_length_boundaries_round_trip) {
    for (const std::size_t n : {0u, 1u, 125u, 126u, 127u, 65535u, 65536u, 65537u}) {
        const bytes payload = pattern(n, static_cast<std::uint8_t>(n));
        const auto t = run(server_strict(), frame(masked_hdr(opcode::binary), payload));
        ASSERT_FALSE(t.error) << n;
        ASSERT_EQ(t.frames.size(), 1u) << n;
        EXPECT_EQ(t.frames[0].header.length, n);
        EXPECT_EQ(t.frames[0].payload, payload) << n;
        EXPECT_TRUE(t.frames[0].complete) << n;
    }
}

TEST(frame_parser, huge_lengths_are_announced_without_payload) {
    for (const std::uint64_t n : {std::uint64_t{1} << 32, max_payload_length}) {
        frame_parser p{client_strict()};
        bytes wire = header_only(hdr(opcode::binary), n);
        auto r = p.feed(wire);
        ASSERT_EQ(r.what, event::header) << n;
        EXPECT_EQ(r.consumed, 10u);
        EXPECT_EQ(p.header().length, n);
        EXPECT_EQ(p.remaining(), n);
        EXPECT_FALSE(p.at_frame_boundary());
        bytes some = pattern(1000);
        r = p.feed(some);
        EXPECT_EQ(r.what, event::payload);
        EXPECT_EQ(r.consumed, 1000u);
        EXPECT_EQ(p.remaining(), n - 1000);
    }
}

TEST(frame_parser, length_with_msb_set_is_rejected) {
    // 5.2: "the most significant bit MUST be 0".
    const bytes wire{0x82, 0x7F, 0x80, 0, 0, 0, 0, 0, 0, 0};
    const auto t = run(client_strict(), wire);
    EXPECT_EQ(t.error, violation::length_msb_set);
    EXPECT_TRUE(t.frames.empty());
    const auto all_ones = run(client_strict(), header_only(hdr(opcode::binary), ~std::uint64_t{0}));
    EXPECT_EQ(all_ones.error, violation::length_msb_set);
}

TEST(frame_parser, non_minimal_16_bit_lengths_are_rejected) {
    for (const std::size_t n : {0u, 1u, 125u}) {
        const auto t = run(client_strict(), frame(hdr(opcode::binary), pattern(n),
                                                  length_encoding::force_16));
        EXPECT_EQ(t.error, violation::non_minimal_length) << n;
    }
    // 126 is the smallest length the 16-bit form is for.
    const auto ok = run(client_strict(), frame(hdr(opcode::binary), pattern(126),
                                               length_encoding::force_16));
    EXPECT_FALSE(ok.error);
}

TEST(frame_parser, non_minimal_64_bit_lengths_are_rejected) {
    for (const std::size_t n : {0u, 125u, 126u, 65535u}) {
        const auto t = run(client_strict(), frame(hdr(opcode::binary), pattern(n),
                                                  length_encoding::force_64));
        EXPECT_EQ(t.error, violation::non_minimal_length) << n;
    }
    const auto ok = run(client_strict(), frame(hdr(opcode::binary), pattern(65536),
                                               length_encoding::force_64));
    EXPECT_FALSE(ok.error);
}

// ---- opcodes ---------------------------------------------------------------------------

TEST(frame_parser, all_sixteen_opcodes) {
    for (unsigned v = 0; v < 16; ++v) {
        const auto op = static_cast<opcode>(v);
        // A continuation needs a message in progress to be legal.
        const bytes prefix = op == opcode::cont ? frame(hdr(opcode::text, false), text_bytes("a"))
                                                : bytes{};
        const auto t = run(client_strict(), concat({prefix, frame(hdr(op), text_bytes("xy"))}));
        if (is_reserved(op)) {
            EXPECT_EQ(t.error, violation::bad_opcode) << v;
        } else {
            ASSERT_FALSE(t.error) << v << " " << t.error.message();
            ASSERT_FALSE(t.frames.empty());
            EXPECT_EQ(t.frames.back().header.op, op);
            EXPECT_EQ(t.frames.back().payload, text_bytes("xy"));
        }
    }
}

// ---- each violation in strict mode -----------------------------------------------------

struct strict_case {
    const char* what;
    frame_parser_options opts;
    bytes wire;
    violation expected;
    std::uint16_t close_code;
};

std::vector<strict_case> strict_cases() {
    frame_parser_options rsv1_ok = client_strict();
    rsv1_ok.rsv1_allowed = true;
    frame_parser_options limit_125 = client_strict();
    limit_125.max_frame_payload = 125;

    frame_header rsv1 = hdr(opcode::text);
    rsv1.rsv1 = true;
    frame_header rsv2 = hdr(opcode::text);
    rsv2.rsv2 = true;
    frame_header rsv3 = hdr(opcode::binary);
    rsv3.rsv3 = true;

    return {
        {"rsv1 without extension", client_strict(), frame(rsv1, {}), violation::bad_reserved_bits, 1002},
        {"rsv2 even with rsv1 allowed", rsv1_ok, frame(rsv2, {}), violation::bad_reserved_bits, 1002},
        {"rsv3", client_strict(), frame(rsv3, {}), violation::bad_reserved_bits, 1002},
        {"reserved data opcode", client_strict(), frame(hdr(opcode::rsv3), {}), violation::bad_opcode, 1002},
        {"reserved control opcode", client_strict(), frame(hdr(opcode::crsvf), {}), violation::bad_opcode, 1002},
        {"fragmented ping", client_strict(), frame(hdr(opcode::ping, false), {}), violation::fragmented_control, 1002},
        {"fragmented close", client_strict(), frame(hdr(opcode::close, false), {}), violation::fragmented_control, 1002},
        {"126-byte pong", client_strict(), frame(hdr(opcode::pong), pattern(126)), violation::control_too_big, 1002},
        {"non-minimal 16-bit", client_strict(), frame(hdr(opcode::text), text_bytes("hi"), length_encoding::force_16), violation::non_minimal_length, 1002},
        {"non-minimal 64-bit", client_strict(), frame(hdr(opcode::text), text_bytes("hi"), length_encoding::force_64), violation::non_minimal_length, 1002},
        {"length MSB", client_strict(), header_only(hdr(opcode::binary), max_payload_length + 1), violation::length_msb_set, 1002},
        {"unmasked from a client", server_strict(), frame(hdr(opcode::text), text_bytes("hi")), violation::missing_mask, 1002},
        {"masked from a server", client_strict(), frame(masked_hdr(opcode::text), text_bytes("hi")), violation::unexpected_mask, 1002},
        {"continuation without message", client_strict(), frame(hdr(opcode::cont), text_bytes("hi")), violation::bad_continuation, 1002},
        {"text inside message", client_strict(),
         concat({frame(hdr(opcode::text, false), text_bytes("a")), frame(hdr(opcode::text), text_bytes("b"))}),
         violation::missing_continuation, 1002},
        {"binary inside message", client_strict(),
         concat({frame(hdr(opcode::binary, false), text_bytes("a")), frame(hdr(opcode::binary, false), text_bytes("b"))}),
         violation::missing_continuation, 1002},
        {"frame over the limit", limit_125, frame(hdr(opcode::binary), pattern(126)), violation::frame_too_big, 1009},
    };
}

TEST(frame_parser, each_violation_in_strict_mode) {
    for (const auto& c : strict_cases()) {
        frame_parser p{c.opts};
        const auto t = run(p, c.wire);
        EXPECT_EQ(t.error, c.expected) << c.what << ": " << t.error.message();
        EXPECT_TRUE(t.error == condition::protocol_violation) << c.what;
        ASSERT_NE(info(t.error), nullptr) << c.what;
        EXPECT_EQ(info(t.error)->close_code, c.close_code) << c.what;
        // Strict lists nothing in header_violations(): the error is the report.
        EXPECT_TRUE(p.header_violations().empty()) << c.what;
        // The parser is stuck: every later call gives the same error and consumes nothing.
        bytes more{0x81, 0x00};
        const auto again = p.feed(more);
        EXPECT_EQ(again.what, event::error) << c.what;
        EXPECT_EQ(again.error, c.expected) << c.what;
        EXPECT_EQ(again.consumed, 0u) << c.what;
        EXPECT_EQ(p.feed({}).what, event::error) << c.what;
    }
}

TEST(frame_parser, error_comes_after_the_whole_header_not_before) {
    // A reserved opcode is visible in the first byte, but the error waits for the header to
    // be complete, so split and whole feeds fail at the same point.
    frame_parser p{client_strict()};
    bytes wire = header_only(hdr(opcode::rsv5), 300);
    auto r = p.feed(std::span<std::uint8_t>{wire}.first(2));
    EXPECT_EQ(r.what, event::need_more);
    r = p.feed(std::span<std::uint8_t>{wire}.subspan(2));
    EXPECT_EQ(r.what, event::error);
    EXPECT_EQ(r.error, violation::bad_opcode);
    EXPECT_EQ(r.consumed, 2u);
}

TEST(frame_parser, several_violations_report_the_lowest_numbered) {
    // A ping with RSV2, FIN clear, 126 bytes in non-minimal 64-bit form, unmasked to a server.
    frame_header h = hdr(opcode::ping, false);
    h.rsv2 = true;
    const bytes wire = frame(h, pattern(126), length_encoding::force_64);
    EXPECT_EQ(run(server_strict(), wire).error, violation::bad_reserved_bits);

    const auto o = run(observe(role::server), wire);
    ASSERT_FALSE(o.error);
    ASSERT_EQ(o.frames.size(), 1u);
    EXPECT_EQ(o.frames[0].violations,
              bit(violation::bad_reserved_bits) | bit(violation::fragmented_control) |
                  bit(violation::control_too_big) | bit(violation::non_minimal_length) |
                  bit(violation::missing_mask));
}

// ---- role and mask ---------------------------------------------------------------------

TEST(frame_parser, server_requires_masked_frames) {
    EXPECT_FALSE(run(server_strict(), frame(masked_hdr(opcode::text), text_bytes("ok"))).error);
    EXPECT_EQ(run(server_strict(), frame(hdr(opcode::text), text_bytes("no"))).error,
              violation::missing_mask);
    // Control frames too (5.1: "all frames").
    EXPECT_EQ(run(server_strict(), frame(hdr(opcode::ping), {})).error, violation::missing_mask);
}

TEST(frame_parser, client_rejects_masked_frames) {
    EXPECT_FALSE(run(client_strict(), frame(hdr(opcode::text), text_bytes("ok"))).error);
    EXPECT_EQ(run(client_strict(), frame(masked_hdr(opcode::text), text_bytes("no"))).error,
              violation::unexpected_mask);
    EXPECT_EQ(run(client_strict(), frame(masked_hdr(opcode::close), {})).error,
              violation::unexpected_mask);
}

TEST(frame_parser, payload_is_unmasked_in_place_with_any_key) {
    for (const mask_key key : {mask_key{0, 0, 0, 0}, mask_key{0xff, 0xff, 0xff, 0xff},
                               mask_key{1, 2, 3, 4}, rfc_key}) {
        const bytes payload = pattern(1000, key[3]);
        bytes wire = frame(masked_hdr(opcode::binary, true, key), payload);
        frame_parser p{server_strict()};
        ASSERT_EQ(p.feed(wire).what, event::header);
        EXPECT_EQ(p.header().key, key);
        std::span<std::uint8_t> rest = std::span<std::uint8_t>{wire}.subspan(4 + 4);
        const auto r = p.feed(rest);
        ASSERT_EQ(r.what, event::payload);
        EXPECT_EQ(r.data.data(), rest.data());
        EXPECT_TRUE(std::equal(r.data.begin(), r.data.end(), payload.begin(), payload.end()));
    }
}

TEST(frame_parser, without_unmask_payload_is_left_as_on_the_wire) {
    const bytes payload = pattern(1000, 7);
    const bytes wire = frame(masked_hdr(opcode::binary, true, rfc_key), payload);
    frame_parser_options opts = server_strict();
    opts.unmask = false;
    frame_parser p{opts};
    bytes input = wire;
    std::span<std::uint8_t> in{input};
    bytes got;
    std::size_t phase = 0;
    // Pieces of odd sizes: each starts at the key byte the documented formula gives.
    for (std::size_t guard = 0; guard < 100 && !in.empty(); ++guard) {
        const auto r = p.feed(in.first(std::min<std::size_t>(in.size(), 333)));
        in = in.subspan(r.consumed);
        if (r.what != event::payload) continue;
        EXPECT_TRUE(std::equal(r.data.begin(), r.data.end(),
                               wire.begin() + (r.data.data() - input.data())))
            << "payload changed";
        const std::uint64_t offset = p.header().length - p.remaining() - r.data.size();
        EXPECT_EQ(offset % 4, phase);
        bytes piece(r.data.begin(), r.data.end());
        phase = mask_inplace(piece, p.header().key, static_cast<std::size_t>(offset % 4));
        got.insert(got.end(), piece.begin(), piece.end());
    }
    EXPECT_TRUE(in.empty());
    EXPECT_EQ(got, payload);
}

TEST(frame_parser, unmasked_header_has_a_zero_key) {
    // A masked frame followed by an unmasked one (observe): the key must not leak across.
    const auto t = run(observe(role::server), concat({frame(masked_hdr(opcode::text), text_bytes("a")),
                                                      frame(hdr(opcode::text), text_bytes("b"))}));
    ASSERT_EQ(t.frames.size(), 2u);
    EXPECT_EQ(t.frames[1].header.key, mask_key{});
    EXPECT_EQ(t.frames[1].payload, text_bytes("b"));
}

// ---- frame size limit ------------------------------------------------------------------

TEST(frame_parser, frame_size_limit) {
    frame_parser_options opts = server_strict();
    opts.max_frame_payload = 1000;
    EXPECT_FALSE(run(opts, frame(masked_hdr(opcode::binary), pattern(1000))).error);
    const auto t = run(opts, frame(masked_hdr(opcode::binary), pattern(1001)));
    EXPECT_EQ(t.error, violation::frame_too_big);
    EXPECT_EQ(info(t.error)->close_code, 1009);
    // Checked on the announced length, before any payload arrives.
    EXPECT_EQ(run(opts, header_only(masked_hdr(opcode::binary), std::uint64_t{1} << 40)).error,
              violation::frame_too_big);
    // A zero limit allows only empty frames.
    opts.max_frame_payload = 0;
    EXPECT_FALSE(run(opts, frame(masked_hdr(opcode::ping), {})).error);
    EXPECT_EQ(run(opts, frame(masked_hdr(opcode::ping), text_bytes("x"))).error,
              violation::frame_too_big);
}

TEST(frame_parser, frame_size_limit_in_observe_mode_records_and_continues) {
    frame_parser_options opts = observe(role::server);
    opts.max_frame_payload = 4;
    const auto t = run(opts, concat({frame(masked_hdr(opcode::binary), pattern(5)),
                                     frame(masked_hdr(opcode::binary), pattern(4))}));
    ASSERT_FALSE(t.error);
    ASSERT_EQ(t.frames.size(), 2u);
    EXPECT_EQ(t.frames[0].violations, bit(violation::frame_too_big));
    EXPECT_EQ(t.frames[0].payload, pattern(5));
    EXPECT_EQ(t.frames[1].violations, 0u);
}

// ---- fragmentation ---------------------------------------------------------------------

TEST(frame_parser, control_frames_inside_a_fragmented_message_are_allowed) {
    frame_parser p{client_strict()};
    const auto t = run(p, concat({frame(hdr(opcode::text, false), text_bytes("fr")),
                                  frame(hdr(opcode::ping), text_bytes("p")),
                                  frame(hdr(opcode::cont, false), text_bytes("ag")),
                                  frame(hdr(opcode::pong), {}),
                                  frame(hdr(opcode::close), {0x03, 0xe8}),
                                  frame(hdr(opcode::cont, true), text_bytes("ment"))}));
    ASSERT_FALSE(t.error) << t.error.message();
    ASSERT_EQ(t.frames.size(), 6u);
    EXPECT_EQ(t.frames[1].header.op, opcode::ping);
    EXPECT_EQ(t.frames[4].header.op, opcode::close);
    EXPECT_EQ(t.frames[5].payload, text_bytes("ment"));
    EXPECT_FALSE(p.in_fragmented_message());
}

TEST(frame_parser, in_fragmented_message_follows_the_message) {
    frame_parser p{client_strict()};
    bytes first = frame(hdr(opcode::binary, false), text_bytes("a"));
    bytes ping = frame(hdr(opcode::ping), {});
    bytes last = frame(hdr(opcode::cont), text_bytes("b"));
    EXPECT_FALSE(p.in_fragmented_message());
    run(p, first);
    EXPECT_TRUE(p.in_fragmented_message());
    run(p, ping);
    EXPECT_TRUE(p.in_fragmented_message());
    run(p, last);
    EXPECT_FALSE(p.in_fragmented_message());
    // An unfragmented message does not start one.
    bytes single = frame(hdr(opcode::text), text_bytes("c"));
    run(p, single);
    EXPECT_FALSE(p.in_fragmented_message());
}

TEST(frame_parser, data_frame_inside_a_message_is_missing_continuation) {
    const auto t = run(client_strict(), concat({frame(hdr(opcode::text, false), text_bytes("a")),
                                                frame(hdr(opcode::ping), {}),
                                                frame(hdr(opcode::binary), text_bytes("b"))}));
    EXPECT_EQ(t.error, violation::missing_continuation);
    EXPECT_EQ(t.frames.size(), 2u);
}

TEST(frame_parser, continuation_without_a_message_is_bad_continuation) {
    // Also right after a message has ended.
    const auto t = run(client_strict(), concat({frame(hdr(opcode::text, false), text_bytes("a")),
                                                frame(hdr(opcode::cont), text_bytes("b")),
                                                frame(hdr(opcode::cont), text_bytes("c"))}));
    EXPECT_EQ(t.error, violation::bad_continuation);
    EXPECT_EQ(t.frames.size(), 2u);
}

// ---- observe mode ----------------------------------------------------------------------

TEST(frame_parser, observe_records_invalid_frames_and_continues) {
    frame_header rsv = hdr(opcode::text);
    rsv.rsv1 = true;
    const bytes wire = concat({
        frame(hdr(opcode::text), text_bytes("ok")),                        // 0 fine
        frame(hdr(opcode::rsv4), text_bytes("x")),                         // 1 bad_opcode
        frame(masked_hdr(opcode::text), text_bytes("m")),                  // 2 unexpected_mask
        frame(hdr(opcode::cont), text_bytes("c")),                         // 3 bad_continuation
        frame(rsv, text_bytes("r")),                                       // 4 bad_reserved_bits
        frame(hdr(opcode::ping), pattern(200)),                            // 5 control_too_big
        frame(hdr(opcode::binary), text_bytes("nm"), length_encoding::force_16), // 6 non_minimal
        frame(hdr(opcode::binary, false), text_bytes("f1")),               // 7 fine, starts a message
        frame(hdr(opcode::text), text_bytes("t")),                         // 8 missing_continuation
        frame(hdr(opcode::pong), text_bytes("fine")),                      // 9 fine
    });
    const auto t = run(observe(role::client), wire);
    ASSERT_FALSE(t.error);
    ASSERT_EQ(t.frames.size(), 10u);
    const std::uint64_t expected[10] = {
        0,
        bit(violation::bad_opcode),
        bit(violation::unexpected_mask),
        bit(violation::bad_continuation),
        bit(violation::bad_reserved_bits),
        bit(violation::control_too_big),
        bit(violation::non_minimal_length),
        0,
        bit(violation::missing_continuation),
        0,
    };
    for (std::size_t i = 0; i < 10; ++i) {
        EXPECT_EQ(t.frames[i].violations, expected[i]) << i;
        EXPECT_TRUE(t.frames[i].complete) << i;
    }
    EXPECT_EQ(t.frames[2].payload, text_bytes("m")); // unmasked even though it should not be
    EXPECT_EQ(t.frames[5].payload, pattern(200));
    EXPECT_EQ(t.frames[9].payload, text_bytes("fine"));
    EXPECT_EQ(t.consumed, wire.size());

    // Strict stops at the first of them.
    const auto s = run(client_strict(), wire);
    EXPECT_EQ(s.error, violation::bad_opcode);
    EXPECT_EQ(s.frames.size(), 1u);
}

TEST(frame_parser, observe_clears_violations_for_the_next_header) {
    frame_parser p{observe(role::server)};
    bytes bad = frame(hdr(opcode::text), text_bytes("x"));
    ASSERT_EQ(p.feed(bad).what, event::header);
    EXPECT_EQ(p.header_violations().bits(), bit(violation::missing_mask));
    EXPECT_EQ(p.feed(std::span<std::uint8_t>{bad}.subspan(2)).what, event::payload);
    EXPECT_EQ(p.feed({}).what, event::frame_end);
    const auto t = run(p, frame(masked_hdr(opcode::text), text_bytes("y")));
    ASSERT_FALSE(t.error);
    ASSERT_EQ(t.frames.size(), 1u);
    EXPECT_EQ(t.frames[0].violations, 0u);
    EXPECT_TRUE(p.header_violations().empty());
}

TEST(frame_parser, observe_carries_on_after_an_msb_length) {
    // The length is absurd but the parser just keeps delivering payload.
    bytes wire = header_only(hdr(opcode::binary), max_payload_length + 5);
    const bytes payload = pattern(50);
    wire.insert(wire.end(), payload.begin(), payload.end());
    const auto t = run(observe(role::client), wire);
    ASSERT_FALSE(t.error);
    ASSERT_EQ(t.frames.size(), 1u);
    EXPECT_TRUE(t.frames[0].violations & bit(violation::length_msb_set));
    EXPECT_EQ(t.frames[0].payload, payload);
    EXPECT_FALSE(t.frames[0].complete);
}

TEST(frame_parser, rsv1_allowed_can_be_set_after_construction) {
    frame_header h = hdr(opcode::text);
    h.rsv1 = true;
    frame_parser p{client_strict()};
    p.set_rsv1_allowed(true);
    EXPECT_TRUE(p.options().rsv1_allowed);
    const auto t = run(p, frame(h, text_bytes("z")));
    EXPECT_FALSE(t.error);
    ASSERT_EQ(t.frames.size(), 1u);
    EXPECT_TRUE(t.frames[0].header.rsv1);
}

// ---- split reads -----------------------------------------------------------------------

bytes mixed_stream_from_client() {
    frame_header rsv = masked_hdr(opcode::binary, true, {9, 8, 7, 6});
    rsv.rsv1 = true;
    return concat({
        {0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58},
        frame(masked_hdr(opcode::text, false, {1, 2, 3, 4}), text_bytes("Hel")),
        {0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58},
        frame(masked_hdr(opcode::cont, true, {0xaa, 0xbb, 0xcc, 0xdd}), text_bytes("lo")),
        frame(masked_hdr(opcode::binary), {}),
        frame(masked_hdr(opcode::binary, true, {5, 6, 7, 8}), pattern(300)),
        frame(masked_hdr(opcode::ping), {}),
        frame(rsv, pattern(70000, 5)),
        frame(masked_hdr(opcode::close), {0x03, 0xe8, 'b', 'y', 'e'}),
    });
}

TEST(frame_parser, split_at_every_byte_gives_the_same_frames) {
    frame_parser_options opts = server_strict();
    opts.rsv1_allowed = true;
    const bytes wire = mixed_stream_from_client();
    const auto reference = run(opts, wire);
    ASSERT_FALSE(reference.error) << reference.error.message();
    ASSERT_EQ(reference.frames.size(), 9u);
    EXPECT_EQ(reference.frames[0].payload, text_bytes("Hello"));
    EXPECT_EQ(reference.frames[7].payload, pattern(70000, 5));
    EXPECT_EQ(reference.frames[8].payload, (bytes{0x03, 0xe8, 'b', 'y', 'e'}));

    for (const std::size_t chunk : {1u, 2u, 3u, 5u, 7u, 13u, 14u, 15u, 64u}) {
        const auto t = run(opts, wire, chunk);
        ASSERT_FALSE(t.error) << chunk;
        ASSERT_EQ(t.frames, reference.frames) << "chunk " << chunk;
    }
}

TEST(frame_parser, two_piece_split_at_every_offset_gives_the_same_frames) {
    frame_parser_options opts = server_strict();
    opts.rsv1_allowed = true;
    bytes wire = mixed_stream_from_client();
    // Keep the loop quick: replace the 70000-byte frame by a 200-byte one.
    const bytes big = frame(masked_hdr(opcode::binary, true, {9, 8, 7, 6}), pattern(200, 5));
    const bytes close = frame(masked_hdr(opcode::close), {0x03, 0xe8, 'b', 'y', 'e'});
    wire.resize(wire.size() - (14 + 70000) - close.size());
    wire.insert(wire.end(), big.begin(), big.end());
    wire.insert(wire.end(), close.begin(), close.end());
    const auto reference = run(opts, wire);
    ASSERT_FALSE(reference.error) << reference.error.message();
    ASSERT_EQ(reference.frames.size(), 9u);
    EXPECT_EQ(reference.frames[7].payload, pattern(200, 5));
    for (std::size_t cut = 1; cut < wire.size(); ++cut) {
        frame_parser p{opts};
        const auto t = run_split(p, wire, [cut](std::size_t offset, std::size_t left) {
            return offset < cut ? cut - offset : left;
        });
        ASSERT_FALSE(t.error) << cut;
        ASSERT_EQ(t.frames, reference.frames) << "cut at " << cut;
    }
}

TEST(frame_parser, random_splits_give_the_same_frames_in_both_modes) {
    const bytes wire = mixed_stream_from_client();
    for (const parse_mode mode : {parse_mode::strict, parse_mode::observe}) {
        frame_parser_options opts = server_strict();
        opts.mode = mode;
        opts.rsv1_allowed = true;
        const auto reference = run(opts, wire);
        ASSERT_FALSE(reference.error);
        for (std::uint32_t seed = 1; seed <= 20; ++seed) {
            std::uint32_t state = seed;
            frame_parser p{opts};
            const auto t = run_split(p, wire, [&state](std::size_t, std::size_t) {
                state = state * 1664525u + 1013904223u;
                return std::size_t{(state >> 16) % 40};
            });
            ASSERT_EQ(t.frames, reference.frames) << seed;
        }
    }
}

TEST(frame_parser, byte_at_a_time_errors_match_whole_errors) {
    for (const auto& c : strict_cases()) {
        const auto w = run(c.opts, c.wire);
        const auto b = run(c.opts, c.wire, 1);
        EXPECT_EQ(w.error, b.error) << c.what;
        EXPECT_EQ(w.consumed, b.consumed) << c.what;
        EXPECT_EQ(w.frames, b.frames) << c.what;
    }
}

// ---- state queries ---------------------------------------------------------------------

TEST(frame_parser, at_frame_boundary_and_remaining) {
    frame_parser p{client_strict()};
    EXPECT_TRUE(p.at_frame_boundary());
    bytes wire = frame(hdr(opcode::binary), pattern(10));
    auto r = p.feed(std::span<std::uint8_t>{wire}.first(1));
    EXPECT_EQ(r.what, event::need_more);
    EXPECT_EQ(r.consumed, 1u);
    EXPECT_FALSE(p.at_frame_boundary()); // half a header in the carry
    r = p.feed(std::span<std::uint8_t>{wire}.subspan(1, 1));
    EXPECT_EQ(r.what, event::header);
    EXPECT_EQ(p.remaining(), 10u);
    EXPECT_FALSE(p.at_frame_boundary());
    r = p.feed(std::span<std::uint8_t>{wire}.subspan(2, 4));
    EXPECT_EQ(r.what, event::payload);
    EXPECT_EQ(r.data.size(), 4u);
    EXPECT_EQ(p.remaining(), 6u);
    r = p.feed(std::span<std::uint8_t>{wire}.subspan(6));
    EXPECT_EQ(r.what, event::payload);
    EXPECT_EQ(p.remaining(), 0u);
    r = p.feed({});
    EXPECT_EQ(r.what, event::frame_end);
    EXPECT_TRUE(p.at_frame_boundary());
    r = p.feed({});
    EXPECT_EQ(r.what, event::need_more);
    EXPECT_EQ(r.consumed, 0u);
}

TEST(frame_parser, empty_frame_ends_right_after_its_header) {
    frame_parser p{client_strict()};
    bytes wire = concat({frame(hdr(opcode::ping), {}), frame(hdr(opcode::text), text_bytes("a"))});
    auto r = p.feed(wire);
    ASSERT_EQ(r.what, event::header);
    EXPECT_EQ(r.consumed, 2u);
    r = p.feed(std::span<std::uint8_t>{wire}.subspan(2));
    EXPECT_EQ(r.what, event::frame_end);
    EXPECT_EQ(r.consumed, 0u);
    r = p.feed(std::span<std::uint8_t>{wire}.subspan(2));
    EXPECT_EQ(r.what, event::header);
    EXPECT_EQ(p.header().op, opcode::text);
}

TEST(frame_parser, payload_stops_at_the_frame_end) {
    // Two frames in one buffer: the first payload event must not run into the second frame.
    frame_parser p{client_strict()};
    bytes wire = concat({frame(hdr(opcode::text), text_bytes("abc")),
                         frame(hdr(opcode::text), text_bytes("def"))});
    ASSERT_EQ(p.feed(wire).what, event::header);
    const auto r = p.feed(std::span<std::uint8_t>{wire}.subspan(2));
    ASSERT_EQ(r.what, event::payload);
    EXPECT_EQ(r.consumed, 3u);
    EXPECT_EQ(r.data.size(), 3u);
}

TEST(frame_parser, feed_does_not_allocate) {
    bytes wire = mixed_stream_from_client();
    frame_parser_options opts = server_strict();
    opts.rsv1_allowed = true;
    frame_parser p{opts};
    std::size_t events[5] = {};
    std::size_t used = 0;
    const std::size_t before = allocation_count.load();
    for (std::size_t guard = 0; guard < 10 * wire.size(); ++guard) {
        const auto r = p.feed(std::span<std::uint8_t>{wire}.subspan(used, std::min<std::size_t>(3, wire.size() - used)));
        used += r.consumed;
        ++events[static_cast<std::size_t>(r.what)];
        if (r.what == event::need_more && used == wire.size()) {
            break;
        }
    }
    const std::size_t after = allocation_count.load();
    EXPECT_EQ(after, before);
    EXPECT_EQ(events[static_cast<std::size_t>(event::header)], 9u);
    EXPECT_EQ(events[static_cast<std::size_t>(event::frame_end)], 9u);
    EXPECT_EQ(events[static_cast<std::size_t>(event::error)], 0u);
}

// ---- violation_set ---------------------------------------------------------------------

TEST(violation_set, add_contains_and_first) {
    violation_set s;
    EXPECT_TRUE(s.empty());
    s.add(violation::frame_too_big);
    EXPECT_FALSE(s.empty());
    EXPECT_EQ(s.first(), violation::frame_too_big);
    s.add(violation::missing_mask);
    EXPECT_EQ(s.first(), violation::missing_mask);
    s.add(violation::bad_reserved_bits);
    EXPECT_EQ(s.first(), violation::bad_reserved_bits);
    EXPECT_TRUE(s.contains(violation::missing_mask));
    EXPECT_FALSE(s.contains(violation::bad_opcode));
    EXPECT_EQ(s.bits(), bit(violation::frame_too_big) | bit(violation::missing_mask) |
                            bit(violation::bad_reserved_bits));
    violation_set last;
    last.add(violation::bad_extension);
    EXPECT_EQ(last.first(), violation::bad_extension);
}

} // namespace
} // namespace wscheck::proto
