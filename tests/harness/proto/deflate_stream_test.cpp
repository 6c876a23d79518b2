#include "harness/proto/deflate_stream.hpp"

#include "harness/proto/error.hpp"

#include "tests/harness/proto/sample_bytes.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace wscheck::proto {
namespace {

using bytes = std::vector<std::uint8_t>;
using testing::of;
using testing::random_bytes;

std::string text(const bytes& b) { return {b.begin(), b.end()}; }

/// Text that compresses, with repeats far apart so large windows matter.
bytes sample_text(std::size_t n, unsigned seed) {
    std::mt19937 rng(seed);
    static constexpr std::string_view words[] = {"websocket ", "deflate ", "window ", "context ",
                                                 "takeover ", "message ", "frame ", "{\"id\": "};
    bytes out;
    while (out.size() < n) {
        const auto w = words[rng() % std::size(words)];
        out.insert(out.end(), w.begin(), w.end());
        if (rng() % 5 == 0) {
            out.push_back(static_cast<std::uint8_t>('0' + rng() % 10));
        }
    }
    out.resize(n);
    return out;
}

// ---- RFC 7692 7.2.3: the examples ----

TEST(deflate_rfc_examples, hello_compresses_to_the_rfc_bytes) {
    // 7.2.3.1: "Hello" in one compressed message.
    message_deflater d;
    bytes out;
    d.compress(of("Hello"), out);
    EXPECT_EQ(out, (bytes{0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00}));
    message_inflater i;
    bytes back;
    ASSERT_FALSE(i.inflate(out, back));
    EXPECT_EQ(text(back), "Hello");
}

TEST(deflate_rfc_examples, shared_window_second_hello_is_a_back_reference) {
    // 7.2.3.2: with context takeover the second "Hello" refers to the first.
    message_deflater d;
    bytes first;
    bytes second;
    d.compress(of("Hello"), first);
    d.compress(of("Hello"), second);
    EXPECT_EQ(first, (bytes{0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00}));
    EXPECT_EQ(second, (bytes{0xf2, 0x00, 0x11, 0x00, 0x00}));
    message_inflater i;
    bytes back;
    ASSERT_FALSE(i.inflate(first, back));
    ASSERT_FALSE(i.inflate(second, back));
    EXPECT_EQ(text(back), "Hello");
    // Without the first message's window the second cannot be inflated.
    message_inflater fresh;
    EXPECT_EQ(fresh.inflate(second, back), violation::bad_compressed_data);
}

TEST(deflate_rfc_examples, no_context_takeover_compresses_each_message_alone) {
    deflater_options o;
    o.no_context_takeover = true;
    message_deflater d(o);
    bytes first;
    bytes second;
    d.compress(of("Hello"), first);
    d.compress(of("Hello"), second);
    EXPECT_EQ(first, second);
}

TEST(deflate_rfc_examples, reset_forgets_the_window_and_what_is_pending) {
    // After reset() the second "Hello" compresses as a first message (7.2.3.1), not as the
    // back reference of 7.2.3.2; a message left half-written is dropped.
    message_deflater d;
    bytes out;
    d.compress(of("Hello"), out);
    d.reset();
    d.compress(of("Hello"), out);
    EXPECT_EQ(out, (bytes{0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00}));
    bytes half;
    d.write(of("abandoned"), half);
    d.reset();
    d.compress(of("Hello"), out);
    EXPECT_EQ(out, (bytes{0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00}));
}

TEST(deflate_rfc_examples, no_compression_block) {
    // 7.2.3.3: a stored block.
    message_inflater i;
    bytes back;
    ASSERT_FALSE(i.inflate(bytes{0x00, 0x05, 0x00, 0xfa, 0xff, 0x48, 0x65, 0x6c, 0x6c, 0x6f, 0x00}, back));
    EXPECT_EQ(text(back), "Hello");
}

TEST(deflate_rfc_examples, bfinal_block_then_the_next_message_keeps_the_window) {
    // 7.2.3.4: a final block and an extra 0x00; the next message may still refer back.
    message_inflater i;
    bytes back;
    ASSERT_FALSE(i.inflate(bytes{0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, 0x00}, back));
    EXPECT_EQ(text(back), "Hello");
    ASSERT_FALSE(i.inflate(bytes{0xf2, 0x00, 0x11, 0x00, 0x00}, back));
    EXPECT_EQ(text(back), "Hello");
}

TEST(deflate_rfc_examples, two_blocks_in_one_message) {
    // 7.2.3.5
    message_inflater i;
    bytes back;
    ASSERT_FALSE(i.inflate(bytes{0xf2, 0x48, 0x05, 0x00, 0x00, 0x00, 0xff, 0xff, 0xca, 0xc9, 0xc9, 0x07, 0x00}, back));
    EXPECT_EQ(text(back), "Hello");
}

TEST(deflate_rfc_examples, the_empty_message) {
    // 7.2.3.6: an empty message compresses to the single byte 0x00.
    message_deflater d;
    bytes out;
    d.compress({}, out);
    EXPECT_EQ(out, bytes{0x00});
    message_inflater i;
    bytes back{1, 2, 3};
    ASSERT_FALSE(i.inflate(out, back));
    EXPECT_TRUE(back.empty());
    // An empty payload is accepted as the empty message, and leaves the stream usable.
    ASSERT_FALSE(i.inflate({}, back));
    EXPECT_TRUE(back.empty());
    d.compress(of("after"), out);
    ASSERT_FALSE(i.inflate(out, back));
    EXPECT_EQ(text(back), "after");
    // Right after another message zlib has nothing to flush; still 0x00, not nothing.
    d.compress({}, out);
    EXPECT_EQ(out, bytes{0x00});
    ASSERT_FALSE(i.inflate(out, back));
    EXPECT_TRUE(back.empty());
    // A last piece after a flushed one: its fragment carries what closes the data.
    out.clear();
    d.write(of("piece"), out, true);
    const std::size_t flushed = out.size();
    d.finish(out);
    EXPECT_EQ(out.size(), flushed + 1);
    ASSERT_FALSE(i.inflate(out, back));
    EXPECT_EQ(text(back), "piece");
}

// ---- round trips: every window, with and without context takeover ----

TEST(deflate_round_trip, every_window_size_with_and_without_context_takeover) {
    for (std::uint8_t bits = 8; bits <= 15; ++bits) {
        for (const bool reset : {false, true}) {
            deflater_options dopt;
            dopt.window_bits = bits;
            dopt.no_context_takeover = reset;
            inflater_options iopt;
            iopt.window_bits = bits;
            iopt.no_context_takeover = reset;
            message_deflater d(dopt);
            message_inflater i(iopt);
            bytes compressed;
            bytes back;
            std::size_t total_in = 0;
            std::size_t total_out = 0;
            for (unsigned m = 0; m < 6; ++m) {
                const bytes msg = m == 3 ? bytes{} : sample_text(100 + m * 7000, m + bits);
                d.compress(msg, compressed);
                total_in += msg.size();
                total_out += compressed.size();
                ASSERT_FALSE(i.inflate(compressed, back)) << int{bits} << " " << reset << " " << m;
                ASSERT_EQ(back, msg) << int{bits} << " " << reset << " " << m;
            }
            EXPECT_LT(total_out, total_in / 2) << "text compresses, window " << int{bits};
        }
    }
}

TEST(deflate_round_trip, context_takeover_needs_the_same_setting_on_both_sides) {
    // A receiver that resets while the sender takes over the context loses the references.
    message_deflater d;
    inflater_options iopt;
    iopt.no_context_takeover = true;
    message_inflater i(iopt);
    bytes compressed;
    bytes back;
    const bytes msg = sample_text(2000, 1);
    d.compress(msg, compressed);
    ASSERT_FALSE(i.inflate(compressed, back));
    d.compress(msg, compressed);
    EXPECT_NE(i.inflate(compressed, back), std::error_code{});
}

TEST(deflate_round_trip, fragmented_messages_in_any_pieces) {
    const bytes msg = sample_text(50'000, 7);
    message_deflater d;
    message_inflater i;
    for (const std::size_t piece : {1u, 7u, 1000u, 65'536u}) {
        // Compressed in pieces (each flushed, as a fragment would be), inflated in other pieces.
        bytes compressed;
        for (std::size_t at = 0; at < msg.size(); at += piece) {
            d.write(std::span(msg).subspan(at, std::min(piece, msg.size() - at)), compressed, piece > 500);
        }
        d.finish(compressed);
        bytes back;
        const std::size_t in_piece = piece * 3 + 1;
        for (std::size_t at = 0; at < compressed.size(); at += in_piece) {
            ASSERT_FALSE(i.write(std::span(compressed).subspan(at, std::min(in_piece, compressed.size() - at)), back));
        }
        ASSERT_FALSE(i.finish(back));
        EXPECT_EQ(back, msg) << piece;
    }
}

TEST(deflate_round_trip, incompressible_data_and_big_messages) {
    const bytes msg = random_bytes(3 * 1024 * 1024 + 17, 3);
    message_deflater d;
    message_inflater i;
    bytes compressed;
    bytes back;
    d.compress(msg, compressed);
    ASSERT_FALSE(i.inflate(compressed, back));
    EXPECT_EQ(back, msg);
}

// ---- the 8 -> 9 caveat ----

/// Raw deflate with zlib's own windowBits `bits` (a zlib-based peer's output).
bytes zlib_raw(const bytes& msg, int bits) {
    z_stream s{};
    EXPECT_EQ(deflateInit2(&s, 9, Z_DEFLATED, -bits, 9, Z_DEFAULT_STRATEGY), Z_OK);
    bytes out(msg.size() + 1024);
    s.next_in = const_cast<Bytef*>(msg.data());
    s.avail_in = static_cast<uInt>(msg.size());
    s.next_out = out.data();
    s.avail_out = static_cast<uInt>(out.size());
    EXPECT_EQ(::deflate(&s, Z_SYNC_FLUSH), Z_OK);
    out.resize(out.size() - s.avail_out - 4);
    deflateEnd(&s);
    return out;
}

/// `block` repeated: every repeat can refer back exactly block.size() bytes.
bytes repeats(std::size_t block_size, unsigned seed) {
    const bytes block = random_bytes(block_size, seed);
    bytes msg;
    for (int r = 0; r < 20; ++r) {
        msg.insert(msg.end(), block.begin(), block.end());
    }
    return msg;
}

/// An inflater that holds `bits` to the letter: zlib checks a distance against the window
/// only for bytes no longer in the current call's output room, and one byte of room per call
/// sends every reference through the window.
message_inflater strict_inflater(std::uint8_t bits) {
    inflater_options o;
    o.window_bits = bits;
    o.chunk_size = 1;
    return message_inflater(o);
}

TEST(deflate_window_8, zlib_refuses_8_for_raw_deflate) {
    // The caveat itself (zlib.h): deflateInit2 with windowBits -8 is an error since 1.2.9.
    z_stream s{};
    EXPECT_EQ(deflateInit2(&s, 6, Z_DEFLATED, -8, 8, Z_DEFAULT_STRATEGY), Z_STREAM_ERROR);
}

TEST(deflate_window_8, the_strict_reader_refuses_distances_past_its_window) {
    // The check below means something: 300 bytes back is past 256, not past 512.
    bytes back;
    const bytes msg = repeats(300, 9);
    EXPECT_EQ(strict_inflater(8).inflate(zlib_raw(msg, 15), back), violation::bad_compressed_data);
    ASSERT_FALSE(strict_inflater(9).inflate(zlib_raw(msg, 15), back));
    EXPECT_EQ(back, msg);
}

TEST(deflate_window_8, our_window_8_output_reads_with_a_256_byte_window_and_compresses) {
    deflater_options dopt;
    dopt.window_bits = 8;
    for (const std::size_t block : {200u, 250u, 251u, 300u, 600u}) {
        const bytes msg = repeats(block, 11);
        message_deflater d(dopt);
        bytes compressed;
        bytes back;
        d.compress(msg, compressed);
        ASSERT_FALSE(strict_inflater(8).inflate(compressed, back)) << block;
        EXPECT_EQ(back, msg);
        // zlib's "9" (what a zlib peer sends for 8) reads strictly with 8 too.
        ASSERT_FALSE(strict_inflater(8).inflate(zlib_raw(msg, 9), back)) << block;
        EXPECT_EQ(back, msg);
        if (block <= 250) {
            EXPECT_LT(compressed.size(), msg.size() / 4) << "repeats within reach compress";
        }
    }
}

// ---- bad data and bombs ----

TEST(deflate_inflate_errors, garbage_is_bad_compressed_data) {
    message_inflater i;
    bytes back;
    // BTYPE 11 is reserved (RFC 1951 3.2.3).
    EXPECT_EQ(i.inflate(bytes{0xff, 0xff, 0xff}, back), violation::bad_compressed_data);
    // A spent inflater stays failed.
    EXPECT_EQ(i.inflate(bytes{0x00}, back), violation::bad_compressed_data);
}

TEST(deflate_inflate_errors, a_message_cut_inside_a_block_is_bad_compressed_data) {
    message_deflater d;
    bytes compressed;
    d.compress(sample_text(5000, 4), compressed);
    compressed.resize(compressed.size() / 2);
    message_inflater i;
    bytes back;
    EXPECT_EQ(i.inflate(compressed, back), violation::bad_compressed_data);
}

TEST(deflate_inflate_errors, a_bomb_stops_at_the_cap) {
    // 64 MiB of zeros compress to about 64 KiB; a 1 MiB cap stops it at 1 MiB + 1 byte.
    const bytes zeros(64u * 1024 * 1024, 0);
    message_deflater d;
    bytes bomb;
    d.compress(zeros, bomb);
    ASSERT_LT(bomb.size(), 128u * 1024);
    inflater_options o;
    o.max_message_size = 1024 * 1024;
    message_inflater i(o);
    bytes back;
    EXPECT_EQ(i.inflate(bomb, back), violation::inflated_too_big);
    EXPECT_LE(back.size(), o.max_message_size + 1);
    EXPECT_LE(back.capacity(), o.max_message_size + 1);
}

TEST(deflate_inflate_errors, exactly_at_the_cap_is_accepted) {
    const bytes msg(4096, 'a');
    message_deflater d;
    bytes compressed;
    d.compress(msg, compressed);
    inflater_options o;
    o.max_message_size = msg.size();
    o.chunk_size = 100;
    message_inflater i(o);
    bytes back;
    ASSERT_FALSE(i.inflate(compressed, back));
    EXPECT_EQ(back, msg);
    o.max_message_size = msg.size() - 1;
    message_inflater small(o);
    EXPECT_EQ(small.inflate(compressed, back), violation::inflated_too_big);
}

TEST(deflate_inflate_errors, no_limit_at_all_still_inflates) {
    // max_message_size at its largest: the one byte of room past the cap must not wrap to 0.
    inflater_options o;
    o.max_message_size = UINT64_MAX;
    message_inflater i(o);
    message_deflater d;
    bytes compressed;
    bytes back;
    const bytes msg = sample_text(10'000, 2);
    d.compress(msg, compressed);
    ASSERT_FALSE(i.inflate(compressed, back));
    EXPECT_EQ(back, msg);
}

TEST(deflate_memory, zlib_state_is_counted) {
    deflater_options dopt;
    dopt.window_bits = 10;
    dopt.mem_level = 1;
    message_deflater small(dopt);
    message_deflater big;
    EXPECT_GT(small.memory_in_use(), 0u);
    EXPECT_GT(big.memory_in_use(), small.memory_in_use());
    // zconf.h: deflate needs (1 << (windowBits + 2)) + (1 << (memLevel + 9)) bytes.
    EXPECT_GE(big.memory_in_use(), (1u << 17) + (1u << 17));
    message_inflater i;
    bytes compressed;
    bytes back;
    big.compress(of("Hello"), compressed);
    ASSERT_FALSE(i.inflate(compressed, back));
    EXPECT_GE(i.memory_in_use(), 1u << 15); // the window, allocated on first use
}

// ---- store_incompressible: stretches that do not compress are stored ----

deflater_options storing(std::uint8_t bits = max_window_bits, bool reset = false) {
    deflater_options o;
    o.window_bits = bits;
    o.no_context_takeover = reset;
    o.store_incompressible = true;
    return o;
}

bytes joined(std::initializer_list<bytes> parts) {
    bytes out;
    for (const auto& p : parts) {
        out.insert(out.end(), p.begin(), p.end());
    }
    return out;
}

TEST(deflate_store_incompressible, a_probe_that_does_not_compress_stores_the_next_128_KiB) {
    // 8 KiB of random bytes (the probe), then text: the first 128 KiB of text after a failed
    // probe are stored, whatever they are; the probe after them compresses the rest.
    const bytes head = joined({random_bytes(8 * 1024, 1), sample_text(128 * 1024, 2)});
    const bytes msg = joined({head, sample_text(512 * 1024, 3)});
    message_deflater d(storing());
    message_inflater i;
    bytes compressed;
    bytes back;
    d.compress(head, compressed);
    EXPECT_GE(compressed.size(), head.size()) << "stored, not compressed";
    EXPECT_LT(compressed.size(), head.size() + 64) << "stored blocks cost 5 bytes each";
    ASSERT_FALSE(i.inflate(compressed, back));
    EXPECT_EQ(back, head);
    message_inflater i2;
    message_deflater fresh(storing());
    fresh.compress(msg, compressed);
    EXPECT_LT(compressed.size(), head.size() + 512 * 1024 / 4) << "the text after the stored stretch compresses";
    ASSERT_FALSE(i2.inflate(compressed, back));
    EXPECT_EQ(back, msg);
    // Off, the same message is zlib's (the text in the stretch is compressed).
    message_deflater plain;
    plain.compress(head, compressed);
    EXPECT_LT(compressed.size(), 8 * 1024 + 128 * 1024 / 4);
}

/// `msg` compressed by a new deflater with store_incompressible on, and by one with it off.
std::pair<bytes, bytes> with_and_without(const bytes& msg) {
    std::pair<bytes, bytes> out;
    message_deflater(storing()).compress(msg, out.first);
    message_deflater().compress(msg, out.second);
    return out;
}

TEST(deflate_store_incompressible, text_compresses_as_without_it) {
    const bytes msg = sample_text(300 * 1024, 4);
    const auto [with, without] = with_and_without(msg);
    // One block boundary more (the probe's): at most a few hundred bytes.
    EXPECT_LE(with.size(), without.size() + 512);
    message_inflater i;
    bytes back;
    ASSERT_FALSE(i.inflate(with, back));
    EXPECT_EQ(back, msg);
    // A message shorter than the probe is never judged: zlib's bytes exactly.
    const auto [small_with, small_without] = with_and_without(sample_text(8 * 1024 - 1, 5));
    EXPECT_EQ(small_with, small_without);
}

TEST(deflate_store_incompressible, the_level_comes_back_for_the_next_message) {
    // A stored message, then text shorter than the probe: compressed at the level, with the
    // window the stored message left (context takeover), so a repeat of it is a reference.
    const bytes noise = random_bytes(200 * 1024, 6);
    const bytes text_msg = sample_text(7 * 1024, 7);
    message_deflater d(storing());
    message_inflater i;
    bytes compressed;
    bytes back;
    d.compress(noise, compressed);
    EXPECT_GE(compressed.size(), noise.size());
    ASSERT_FALSE(i.inflate(compressed, back));
    d.compress(text_msg, compressed);
    EXPECT_LT(compressed.size(), text_msg.size() / 2);
    ASSERT_FALSE(i.inflate(compressed, back));
    EXPECT_EQ(back, text_msg);
    const bytes tail_of_noise(noise.end() - 4000, noise.end());
    d.compress(tail_of_noise, compressed);
    EXPECT_LT(compressed.size(), 100u) << "the stored bytes are in the window";
    ASSERT_FALSE(i.inflate(compressed, back));
    EXPECT_EQ(back, tail_of_noise);
}

/// Compresses `messages` in order with a deflater of `options` (whole when `piece` is 0, else
/// in flushed pieces of `piece` bytes) and reads each back with a reader of the same window and
/// context rule (the exact-window decoder when `exact`); a message that does not come back is a
/// failure, and so, with `max_overhead`, is one that grew by more than 1% plus 64 bytes.
void expect_round_trips(const std::vector<bytes>& messages, const deflater_options& options, std::size_t piece,
                        bool exact, bool max_overhead) {
    message_deflater d(options);
    inflater_options iopt;
    iopt.window_bits = options.window_bits;
    iopt.no_context_takeover = options.no_context_takeover;
    iopt.exact_window = exact;
    message_inflater i(iopt);
    const std::string where = std::to_string(options.window_bits) + " bits, reset " +
                              std::to_string(options.no_context_takeover) + ", pieces of " + std::to_string(piece);
    for (std::size_t m = 0; m < messages.size(); ++m) {
        const bytes& msg = messages[m];
        bytes compressed;
        if (piece == 0) {
            d.compress(msg, compressed);
        } else {
            for (std::size_t at = 0; at < msg.size(); at += piece) {
                d.write(std::span(msg).subspan(at, std::min(piece, msg.size() - at)), compressed, true);
            }
            d.finish(compressed);
        }
        if (max_overhead) {
            EXPECT_LE(compressed.size(), msg.size() + msg.size() / 100 + 64) << "stored costs little; " << where;
        }
        bytes back;
        ASSERT_FALSE(i.inflate(compressed, back)) << where << ", message " << m;
        ASSERT_EQ(back, msg) << where << ", message " << m;
    }
}

TEST(deflate_store_incompressible, round_trips_every_window_context_rule_and_piece_size) {
    // Mixed messages (noise and text in turns, every length around the probe and the stored
    // stretches), whole and in flushed pieces, read by a strict reader of the agreed window.
    const std::vector<bytes> messages{
        joined({random_bytes(140'000, 8), sample_text(30'000, 9), random_bytes(300'000, 10)}),
        joined({sample_text(20'000, 11), random_bytes(90'000, 12)}),
        random_bytes(8 * 1024, 13),
        random_bytes(8 * 1024 + 128 * 1024, 14),
        bytes{},
        joined({random_bytes(8 * 1024, 15), repeats(200, 16), repeats(240, 17)}),
    };
    for (const std::uint8_t bits : {std::uint8_t{8}, std::uint8_t{9}, std::uint8_t{12}, std::uint8_t{15}}) {
        for (const bool reset : {false, true}) {
            for (const std::size_t piece : {std::size_t{0}, std::size_t{40'000}}) {
                expect_round_trips(messages, storing(bits, reset), piece, false, true);
            }
        }
    }
    // Window 8 to the letter: references after stored stretches stay within 256 bytes.
    const bytes& last = messages.back();
    message_deflater d(storing(8));
    bytes compressed;
    bytes back;
    d.compress(last, compressed);
    ASSERT_FALSE(strict_inflater(8).inflate(compressed, back));
    EXPECT_EQ(back, last);
}

TEST(deflate_store_incompressible, reset_starts_over_at_the_level) {
    message_deflater d(storing());
    bytes compressed;
    d.write(random_bytes(40'000, 18), compressed); // probe failed: storing, mid-message
    d.reset();
    const bytes msg = sample_text(7 * 1024, 19);
    d.compress(msg, compressed);
    EXPECT_LT(compressed.size(), msg.size() / 2);
    message_inflater i;
    bytes back;
    ASSERT_FALSE(i.inflate(compressed, back));
    EXPECT_EQ(back, msg);
}

// ---- compress_limit: a message's first bytes compressed, the rest stored past zlib ----

deflater_options limited(std::size_t limit, std::uint8_t bits = max_window_bits, bool reset = false) {
    deflater_options o;
    o.window_bits = bits;
    o.no_context_takeover = reset;
    o.level = 1;
    o.compress_limit = limit;
    return o;
}

TEST(deflate_compress_limit, only_the_first_bytes_are_compressed) {
    message_deflater d(limited(2048));
    const bytes msg = sample_text(200'000, 30);
    bytes compressed;
    d.compress(msg, compressed);
    // 2 KiB of text in a few hundred bytes, then 197,952 stored bytes in 4 blocks of at most
    // 65,535 (5 bytes of header each), then the byte 0x00 that begins the removed empty block.
    EXPECT_GT(compressed.size(), msg.size() - 2048 + 4 * 5);
    EXPECT_LT(compressed.size(), msg.size() - 2048 + 1024);
    message_inflater i;
    bytes back;
    ASSERT_FALSE(i.inflate(compressed, back));
    EXPECT_EQ(back, msg);
}

TEST(deflate_compress_limit, round_trips_every_window_context_rule_and_piece_size) {
    // Lengths below, at and past the limit, stored parts longer than one stored block, the
    // empty message; whole and in flushed pieces; read by the exact-window reader.
    const std::vector<bytes> messages{
        sample_text(100'000, 31), sample_text(2047, 32), sample_text(2048, 33), sample_text(2049, 34),
        bytes{}, joined({sample_text(3000, 35), random_bytes(70'000, 36)}), repeats(300, 37), sample_text(10, 38),
        repeats(200, 39),
    };
    for (const std::uint8_t bits : {std::uint8_t{8}, std::uint8_t{9}, std::uint8_t{12}, std::uint8_t{15}}) {
        for (const bool reset : {false, true}) {
            for (const std::size_t piece : {std::size_t{0}, std::size_t{1000}, std::size_t{40'000}}) {
                expect_round_trips(messages, limited(2048, bits, reset), piece, true, false);
            }
        }
    }
}

TEST(deflate_compress_limit, the_next_message_refers_back_into_a_partly_stored_one) {
    // Under context takeover the message after a partly stored one may use its last bytes:
    // a repeat of them is a back-reference, which a reader without the context cannot read.
    message_deflater d(limited(2048));
    const bytes first = joined({sample_text(1000, 40), random_bytes(5000, 41)});
    const bytes again(first.end() - 400, first.end());
    bytes c1;
    bytes c2;
    d.compress(first, c1);
    d.compress(again, c2);
    EXPECT_LT(c2.size(), 40u) << "400 random bytes the peer already holds";
    message_inflater shared;
    bytes back;
    ASSERT_FALSE(shared.inflate(c1, back));
    ASSERT_FALSE(shared.inflate(c2, back));
    EXPECT_EQ(back, again);
    inflater_options fresh;
    fresh.exact_window = true;
    message_inflater forgetful(fresh);
    EXPECT_TRUE(forgetful.inflate(c2, back)) << "the reference reaches before the message";
}

TEST(deflate_compress_limit, without_context_takeover_each_message_stands_alone) {
    message_deflater d(limited(2048, max_window_bits, true));
    const bytes first = joined({sample_text(1000, 42), random_bytes(5000, 43)});
    const bytes again(first.end() - 400, first.end());
    bytes c;
    d.compress(first, c);
    d.compress(again, c);
    inflater_options fresh;
    fresh.no_context_takeover = true;
    fresh.exact_window = true;
    message_inflater alone(fresh);
    bytes back;
    ASSERT_FALSE(alone.inflate(c, back));
    EXPECT_EQ(back, again);
}

} // namespace
} // namespace wscheck::proto
