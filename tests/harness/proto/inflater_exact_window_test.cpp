// message_inflater with exact_window (deflate_decoder in place of zlib): the same public
// behaviour as with zlib (RFC 7692 7.2.2's tail, the empty message, the block boundary at
// finish, BFINAL, the cap), and the window held exactly at every size.
#include "harness/proto/deflate_stream.hpp"

#include "harness/proto/error.hpp"
#include "tests/harness/proto/deflate_writer.hpp"
#include "tests/harness/proto/sample_bytes.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <span>
#include <string_view>
#include <system_error>
#include <vector>

namespace wscheck::proto {
namespace {

using bytes = std::vector<std::uint8_t>;
using testing::of;
using testing::random_bytes;
using testing::deflate_writer;

/// The three ways to inflate: the decoder, zlib held to the window (one byte of output per
/// call) and zlib as a server runs it (64 KiB per call).
enum class way { exact, zlib_strict, zlib };
constexpr way every_way[] = {way::exact, way::zlib_strict, way::zlib};

message_inflater inflater(way w, std::uint8_t bits = 15, bool no_context_takeover = false,
                          std::uint64_t cap = 64 * 1024 * 1024) {
    inflater_options o;
    o.window_bits = bits;
    o.no_context_takeover = no_context_takeover;
    o.max_message_size = cap;
    o.exact_window = w == way::exact;
    o.chunk_size = w == way::zlib_strict ? 1 : inflater_options{}.chunk_size;
    return message_inflater(o);
}

const char* name(way w) { return w == way::exact ? "exact" : w == way::zlib_strict ? "zlib, 1 byte a call" : "zlib"; }

TEST(inflater_exact_window, the_rfc_examples) {
    for (const way w : every_way) {
        message_inflater i = inflater(w);
        bytes out;
        // 7.2.3.1, 7.2.3.2 (the second message refers to the first), 7.2.3.3 (stored),
        // 7.2.3.4 (BFINAL, then a byte that is not DEFLATE data), 7.2.3.5 (two blocks).
        ASSERT_FALSE(i.inflate(bytes{0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00}, out)) << name(w);
        EXPECT_EQ(out, of("Hello"));
        ASSERT_FALSE(i.inflate(bytes{0xf2, 0x00, 0x11, 0x00, 0x00}, out)) << name(w);
        EXPECT_EQ(out, of("Hello"));
        ASSERT_FALSE(i.inflate(bytes{0x00, 0x05, 0x00, 0xfa, 0xff, 0x48, 0x65, 0x6c, 0x6c, 0x6f, 0x00}, out))
            << name(w);
        EXPECT_EQ(out, of("Hello"));
        ASSERT_FALSE(i.inflate(bytes{0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, 0x00}, out)) << name(w);
        EXPECT_EQ(out, of("Hello"));
        const bytes two_blocks{0xf2, 0x48, 0x05, 0x00, 0x00, 0x00, 0xff, 0xff, 0xca, 0xc9, 0xc9, 0x07, 0x00};
        ASSERT_FALSE(i.inflate(two_blocks, out)) << name(w);
        EXPECT_EQ(out, of("Hello"));
    }
}

TEST(inflater_exact_window, an_empty_payload_is_the_empty_message_and_changes_nothing) {
    for (const way w : every_way) {
        for (const bool reset : {false, true}) {
            message_inflater i = inflater(w, 15, reset);
            bytes out;
            ASSERT_FALSE(i.inflate(bytes{0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00}, out));
            ASSERT_FALSE(i.inflate({}, out)) << name(w);
            EXPECT_TRUE(out.empty());
            ASSERT_FALSE(i.finish(out)) << "finish alone is an empty message too";
            // With context takeover the next message still refers to "Hello".
            const auto ec = i.inflate(bytes{0xf2, 0x00, 0x11, 0x00, 0x00}, out);
            if (reset) {
                EXPECT_EQ(ec, violation::bad_compressed_data) << name(w);
            } else {
                ASSERT_FALSE(ec) << name(w);
                EXPECT_EQ(out, of("Hello"));
            }
        }
        // After a message that ended its stream (BFINAL), the same.
        message_inflater i = inflater(w);
        bytes out;
        ASSERT_FALSE(i.inflate(bytes{0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00}, out));
        ASSERT_FALSE(i.inflate({}, out));
        ASSERT_FALSE(i.inflate(bytes{0xf2, 0x00, 0x11, 0x00, 0x00}, out)) << name(w);
        EXPECT_EQ(out, of("Hello"));
    }
}

TEST(inflater_exact_window, a_message_cut_inside_a_block_is_refused_at_finish) {
    message_deflater d;
    bytes compressed;
    d.compress(random_bytes(3000, 1), compressed);
    compressed.resize(compressed.size() / 2);
    for (const way w : every_way) {
        message_inflater i = inflater(w);
        bytes out;
        EXPECT_FALSE(i.write(compressed, out));
        EXPECT_EQ(i.finish(out), violation::bad_compressed_data) << name(w);
        EXPECT_EQ(i.write(compressed, out), violation::bad_compressed_data) << "spent";
    }
}

TEST(inflater_exact_window, a_stored_block_the_tail_completes_is_a_whole_message) {
    // LEN covers the data and the 4 bytes of the tail: the stream stands between blocks once
    // the tail is in, and the message is the data and 00 00 ff ff. zlib one byte a call used
    // to refuse it: the call after the last byte, making no progress, cleared data_type's
    // block-boundary bit.
    const bytes data = of("stored");
    deflate_writer w;
    w.header(false, 0).align().bits(static_cast<std::uint32_t>(data.size() + 4), 16);
    w.bits(static_cast<std::uint32_t>(data.size() + 4) ^ 0xffffu, 16);
    bytes payload = w.bytes();
    payload.insert(payload.end(), data.begin(), data.end());
    bytes expected = data;
    expected.insert(expected.end(), {0x00, 0x00, 0xff, 0xff});
    for (const way w2 : every_way) {
        message_inflater i = inflater(w2);
        bytes out;
        ASSERT_FALSE(i.inflate(payload, out)) << name(w2);
        EXPECT_EQ(out, expected);
        ASSERT_FALSE(i.inflate(bytes{0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00}, out)) << "and reads on";
        EXPECT_EQ(out, of("Hello"));
    }
}

TEST(inflater_exact_window, a_bomb_stops_at_the_cap) {
    const bytes zeros(8u * 1024 * 1024, 0);
    message_deflater d;
    bytes bomb;
    d.compress(zeros, bomb);
    for (const way w : {way::exact, way::zlib}) {
        message_inflater i = inflater(w, 15, false, 256 * 1024);
        bytes out;
        EXPECT_EQ(i.inflate(bomb, out), violation::inflated_too_big) << name(w);
        EXPECT_EQ(out.size(), 256u * 1024 + 1);
        EXPECT_LE(out.capacity(), 256u * 1024 + 1);
    }
}

TEST(inflater_exact_window, a_peer_past_its_window_is_caught_at_every_size) {
    // zlib's own 15-bit stream of a block repeated 2^bits + 1 bytes apart: a reference one
    // byte past each smaller window. zlib with 64 KiB of room per call misses it.
    for (std::uint8_t bits = 8; bits < 15; ++bits) {
        const std::size_t apart = (std::size_t{1} << bits) + 1;
        bytes msg = random_bytes(apart, bits);
        msg.insert(msg.end(), msg.begin(), msg.begin() + 100);
        message_deflater d;
        bytes compressed;
        d.compress(msg, compressed);
        bytes out;
        EXPECT_EQ(inflater(way::exact, bits).inflate(compressed, out), violation::bad_compressed_data) << int{bits};
        // Everything before the reference (zlib may have put a literal first), none of it.
        EXPECT_GE(out.size(), apart);
        EXPECT_LT(out.size(), apart + 10);
        EXPECT_TRUE(std::equal(out.begin(), out.end(), msg.begin()));
        EXPECT_EQ(inflater(way::zlib_strict, bits).inflate(compressed, out), violation::bad_compressed_data);
        EXPECT_FALSE(inflater(way::zlib, bits).inflate(compressed, out)) << "zlib's blind spot";
        // One bit more, and it is within the window.
        EXPECT_FALSE(inflater(way::exact, static_cast<std::uint8_t>(bits + 1)).inflate(compressed, out));
        EXPECT_EQ(out, msg);
    }
}

TEST(inflater_exact_window, garbage_reads_as_zlib_reads_it) {
    // Random bytes, and zlib's output with random bytes changed, as messages in random pieces:
    // the decoder and zlib held to the window give the same output and errors throughout.
    std::mt19937 rng(7);
    message_deflater d;
    for (int round = 0; round < 300; ++round) {
        bytes input;
        if (round % 2 == 0) {
            input = random_bytes(1 + rng() % 200, static_cast<unsigned>(round));
        } else {
            bytes text;
            for (int k = 0; k < 40; ++k) {
                text.insert(text.end(), {'a', 'b', static_cast<std::uint8_t>('0' + rng() % 10), ' '});
            }
            d.compress(text, input);
            input[rng() % input.size()] ^= static_cast<std::uint8_t>(1u << (rng() % 8));
        }
        const auto bits = static_cast<std::uint8_t>(8 + rng() % 8);
        const bool reset = rng() % 2 == 0;
        const std::uint64_t cap = rng() % 4 == 0 ? 100 : 64 * 1024;
        message_inflater exact = inflater(way::exact, bits, reset, cap);
        message_inflater zlib = inflater(way::zlib_strict, bits, reset, cap);
        bytes a;
        bytes b;
        for (std::span<const std::uint8_t> rest{input}; !rest.empty();) {
            const std::size_t n = std::min<std::size_t>(1 + rng() % 20, rest.size());
            std::error_code ea = exact.write(rest.first(n), a);
            std::error_code eb = zlib.write(rest.first(n), b);
            rest = rest.subspan(n);
            if (!ea && !eb && (rng() % 3 == 0 || rest.empty())) {
                ea = exact.finish(a);
                eb = zlib.finish(b);
            }
            ASSERT_EQ(ea, eb) << round;
            ASSERT_EQ(a, b) << round;
            if (ea) {
                break;
            }
        }
    }
}

TEST(inflater_exact_window, memory_is_the_decoders) {
    message_inflater i = inflater(way::exact);
    const std::size_t before = i.memory_in_use();
    EXPECT_GT(before, 0u);
    bytes out;
    ASSERT_FALSE(i.inflate(bytes{0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00}, out));
    EXPECT_GE(i.memory_in_use(), before + (1u << 15)); // its buffer, allocated on first use
}

} // namespace
} // namespace wscheck::proto
