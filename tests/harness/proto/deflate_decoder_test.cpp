// deflate_decoder: RFC 1951 as zlib 1.2.13 reads it, the window held exactly (RFC 7692
// 7.1.2), context takeover, BFINAL, the cap, and input split anywhere. Most streams are hand
// built (deflate_writer.hpp) so that every rule is reached; each is also read by zlib with
// one byte of output room per call, and the two readings must be the same.
#include "harness/proto/deflate_decoder.hpp"

#include "harness/proto/deflate_stream.hpp"
#include "harness/proto/error.hpp"
#include "tests/harness/proto/deflate_writer.hpp"
#include "tests/harness/proto/sample_bytes.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <initializer_list>
#include <limits>
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
using testing::code_length_item;
using testing::deflate_writer;

/// Words with repeats near and far, as text and JSON compress.
bytes text_like(std::size_t n, unsigned seed) {
    std::mt19937 rng(seed);
    static constexpr std::string_view words[] = {"{\"id\": ", "\"name\": ", "websocket ", "deflate ", "window ",
                                                 "context ", "takeover ", "message ", "frame ", "}, "};
    bytes out;
    while (out.size() < n) {
        const auto w = words[rng() % std::size(words)];
        out.insert(out.end(), w.begin(), w.end());
        if (rng() % 3 == 0) {
            out.push_back(static_cast<std::uint8_t>('0' + rng() % 10));
        }
    }
    out.resize(n);
    return out;
}

/// Runs of one byte and short periods (overlapping matches at distances 1-3), and noise.
bytes repetitive(std::size_t n, unsigned seed) {
    std::mt19937 rng(seed);
    bytes out;
    while (out.size() < n) {
        const std::size_t run = 1 + rng() % 600;
        const auto period = static_cast<unsigned>(1 + rng() % 3);
        const bytes unit = random_bytes(period, static_cast<unsigned>(rng()));
        for (std::size_t i = 0; i < run; ++i) {
            out.push_back(unit[i % period]);
        }
        if (rng() % 4 == 0) {
            out.push_back(static_cast<std::uint8_t>(rng()));
        }
    }
    out.resize(n);
    return out;
}

deflate_decoder_options options(std::uint8_t window_bits = 15, bool no_context_takeover = false,
                                std::uint64_t cap = 64 * 1024 * 1024) {
    deflate_decoder_options o;
    o.window_bits = window_bits;
    o.no_context_takeover = no_context_takeover;
    o.max_message_size = cap;
    return o;
}

struct outcome {
    bytes out;
    std::error_code ec;
    bool operator==(const outcome&) const = default;
};

std::ostream& operator<<(std::ostream& os, const outcome& o) {
    return os << o.out.size() << " bytes, " << (o.ec ? o.ec.message() : "no error");
}

/// One message (no tail appended) written in pieces of `piece` bytes (0: whole).
outcome decode(std::span<const std::uint8_t> stream, const deflate_decoder_options& o = options(),
               std::size_t piece = 0) {
    deflate_decoder d(o);
    outcome r;
    do {
        const std::size_t n = piece == 0 ? stream.size() : std::min(piece, stream.size());
        r.ec = d.write(stream.first(n), r.out);
        stream = stream.subspan(n);
    } while (!r.ec && !stream.empty());
    return r;
}

/// zlib's reading of the same message with one byte of output room per inflate() call, the
/// exact mode the decoder stands in for.
outcome zlib_reading(std::span<const std::uint8_t> stream, const deflate_decoder_options& o = options()) {
    inflater_options i;
    i.window_bits = o.window_bits;
    i.no_context_takeover = o.no_context_takeover;
    i.max_message_size = o.max_message_size;
    i.chunk_size = 1;
    message_inflater zlib(i);
    outcome r;
    r.ec = zlib.write(stream, r.out);
    return r;
}

/// The decoder's reading, checked to be zlib's, and the same whatever the split: cut once at
/// every position, and a byte at a time.
outcome read(std::span<const std::uint8_t> stream, const deflate_decoder_options& o = options()) {
    const outcome whole = decode(stream, o);
    EXPECT_EQ(whole, zlib_reading(stream, o));
    EXPECT_EQ(decode(stream, o, 1), whole) << "byte at a time";
    for (std::size_t cut = 1; cut < stream.size(); ++cut) {
        deflate_decoder d(o);
        outcome r;
        r.ec = d.write(stream.first(cut), r.out);
        if (!r.ec) {
            r.ec = d.write(stream.subspan(cut), r.out);
        }
        EXPECT_EQ(r, whole) << "cut at " << cut;
        if (r != whole) {
            break;
        }
    }
    return whole;
}

outcome ok(std::string_view s) { return {of(s), {}}; }
outcome bad(std::string_view s) { return {of(s), violation::bad_compressed_data}; }

/// Messages in turn on one decoder (no tails appended: each stream ends at a block
/// boundary or with BFINAL), in pieces of `piece` bytes; stops at the first error.
std::vector<outcome> decode_messages(std::initializer_list<bytes> messages, const deflate_decoder_options& o,
                                     std::size_t piece = 0) {
    deflate_decoder d(o);
    std::vector<outcome> results;
    for (const bytes& m : messages) {
        outcome r;
        std::span<const std::uint8_t> rest{m};
        do {
            const std::size_t n = piece == 0 ? rest.size() : std::min(piece, rest.size());
            r.ec = d.write(rest.first(n), r.out);
            rest = rest.subspan(n);
        } while (!r.ec && !rest.empty());
        results.push_back(r);
        if (r.ec) {
            break;
        }
        d.end_message();
    }
    return results;
}

/// zlib's raw deflate of `data`, ended with a sync flush (kept: the stream ends between blocks).
bytes zlib_deflate(std::span<const std::uint8_t> data, int level = 6, int window_bits = 15, int mem_level = 8,
                   int strategy = Z_DEFAULT_STRATEGY) {
    z_stream s{};
    EXPECT_EQ(deflateInit2(&s, level, Z_DEFLATED, -window_bits, mem_level, strategy), Z_OK);
    bytes out(deflateBound(&s, static_cast<uLong>(data.size())) + 16);
    s.next_in = const_cast<Bytef*>(data.data());
    s.avail_in = static_cast<uInt>(data.size());
    s.next_out = out.data();
    s.avail_out = static_cast<uInt>(out.size());
    EXPECT_EQ(::deflate(&s, Z_SYNC_FLUSH), Z_OK);
    EXPECT_EQ(s.avail_in, 0u);
    out.resize(out.size() - s.avail_out);
    deflateEnd(&s);
    return out;
}

// ---------------------------------------------------------------- blocks

TEST(deflate_decoder_blocks, stored_fixed_and_dynamic_blocks) {
    deflate_writer w;
    w.stored(false, of("stored, "));
    w.header(false, 1).fixed_literals(of("fixed")).fixed_match(3, 5).end_of_block(); // "fixedfix"
    const bytes literal_text = of(", dynamic");
    std::vector<std::uint8_t> litlen(257, 0);
    for (const std::uint8_t c : literal_text) {
        litlen[c] = 4;
    }
    litlen[256] = 4;
    // Sixteen codes of 4 bits make the code complete: the rest are never used.
    for (std::size_t s = 'A'; std::count(litlen.begin(), litlen.end(), 4) < 16; ++s) {
        litlen[s] = 4;
    }
    const std::vector<std::uint8_t> distance{1, 1};
    testing::dynamic_header(w, true, litlen, distance);
    const auto codes = testing::canonical_codes(litlen);
    for (const std::uint8_t c : literal_text) {
        w.code(codes[c], 4);
    }
    w.code(codes[256], 4);
    EXPECT_EQ(read(w.bytes()), ok("stored, fixedfix, dynamic"));
}

TEST(deflate_decoder_blocks, empty_stored_blocks_and_empty_fixed_blocks) {
    deflate_writer w;
    w.sync().header(false, 1).end_of_block().sync().stored(true, {});
    deflate_decoder d;
    bytes out;
    ASSERT_FALSE(d.write(w.bytes(), out));
    EXPECT_TRUE(out.empty());
    EXPECT_TRUE(d.stream_ended());
}

TEST(deflate_decoder_blocks, block_type_3_is_refused_after_the_blocks_before_it) {
    deflate_writer w;
    w.stored(false, of("ab")).header(false, 3).bits(0, 13);
    EXPECT_EQ(read(w.bytes()), bad("ab"));
}

TEST(deflate_decoder_blocks, stored_lengths_that_do_not_match_are_refused) {
    deflate_writer w;
    w.header(false, 1).fixed_literals(of("xy")).end_of_block();
    w.header(false, 0).align().bits(3, 16).bits(3, 16).bits('z', 8).bits('z', 8).bits('z', 8);
    EXPECT_EQ(read(w.bytes()), bad("xy"));
}

TEST(deflate_decoder_blocks, a_stored_block_reads_from_the_bit_buffer_and_the_input) {
    // A fixed block ending mid-byte, then a stored block at the next byte: the decoder's bit
    // buffer holds the stored block's lengths and first bytes when it gets there.
    const bytes data = random_bytes(3000, 1);
    deflate_writer w;
    w.header(false, 1).fixed_literals(of("abc")).end_of_block().stored(false, data).sync();
    bytes expected = of("abc");
    expected.insert(expected.end(), data.begin(), data.end());
    EXPECT_EQ(read(w.bytes()), (outcome{expected, {}}));
}

TEST(deflate_decoder_blocks, literal_length_286_and_287_are_refused_when_used) {
    for (const unsigned symbol : {286u, 287u}) {
        deflate_writer w;
        w.header(false, 1).fixed_literals(of("xy")).fixed_symbol(symbol).bits(0, 16);
        EXPECT_EQ(read(w.bytes()), bad("xy")) << symbol;
    }
}

TEST(deflate_decoder_blocks, distance_30_and_31_are_refused_when_used) {
    for (const unsigned symbol : {30u, 31u}) {
        deflate_writer w;
        w.header(false, 1).fixed_literals(of("xyz")).fixed_symbol(257).code(symbol, 5).bits(0, 16);
        EXPECT_EQ(read(w.bytes()), bad("xyz")) << symbol;
    }
    // Distance 29 with its largest extra bits is 32768, the farthest DEFLATE can say.
    deflate_writer w;
    w.header(false, 1).fixed_literals(of("xyz")).fixed_match(3, 32768);
    EXPECT_EQ(read(w.bytes()), bad("xyz"));
}

TEST(deflate_decoder_blocks, matches_overlap_byte_after_byte) {
    deflate_writer w;
    w.header(true, 1).fixed_literals(of("a")).fixed_match(10, 1);
    w.fixed_literals(of("bc")).fixed_match(7, 2);
    w.fixed_literals(of("def")).fixed_match(258, 3).end_of_block();
    std::string expected = std::string(11, 'a') + "bcbcbcbcb" + "def";
    for (int i = 0; i < 86; ++i) {
        expected += "def";
    }
    EXPECT_EQ(read(w.bytes()), ok(expected));
}

// ---------------------------------------------------------------- dynamic headers

/// Code lengths for all 286 literal/length symbols (226 of 8 bits, 60 of 9) and all 30
/// distances (2 of 4 bits, 28 of 5): complete codes of the largest sizes allowed.
std::vector<std::uint8_t> all_literal_lengths() {
    std::vector<std::uint8_t> l(286, 8);
    std::fill(l.begin() + 226, l.end(), std::uint8_t{9});
    return l;
}
std::vector<std::uint8_t> all_distance_lengths() {
    std::vector<std::uint8_t> l(30, 5);
    l[0] = 4;
    l[1] = 4;
    return l;
}

TEST(deflate_decoder_dynamic, hlit_286_and_hdist_30_are_the_most) {
    const auto litlen = all_literal_lengths();
    const auto distance = all_distance_lengths();
    const auto lit_codes = testing::canonical_codes(litlen);
    const auto dist_codes = testing::canonical_codes(distance);
    deflate_writer w;
    testing::dynamic_header(w, true, litlen, distance);
    w.code(lit_codes['q'], litlen['q']);
    // Length 4 (symbol 258) at distance 1 (symbol 0), then end of block.
    w.code(lit_codes[258], litlen[258]).code(dist_codes[0], distance[0]);
    w.code(lit_codes[256], litlen[256]);
    EXPECT_EQ(read(w.bytes()), ok("qqqqq"));

    // One more of either is "too many length or distance symbols".
    for (const auto& [lit_count, dist_count] : {std::pair{287u, 30u}, std::pair{286u, 31u}}) {
        deflate_writer too_many;
        too_many.header(true, 2).bits(lit_count - 257, 5).bits(dist_count - 1, 5).bits(15, 4).bits(0, 64);
        EXPECT_EQ(read(too_many.bytes()), bad("")) << lit_count << " " << dist_count;
    }
}

TEST(deflate_decoder_dynamic, the_code_length_code_must_be_complete) {
    const std::vector<code_length_item> items(258, code_length_item{0});
    // Over-subscribed: three 1-bit codes.
    std::array<std::uint8_t, 19> over{};
    over[0] = 1;
    over[8] = 1;
    over[18] = 1;
    deflate_writer w1;
    testing::dynamic_header_raw(w1, true, 257, 1, over, {});
    EXPECT_EQ(read(w1.bytes()), bad(""));
    // Incomplete, even as a single 1-bit code (zlib allows that for the other codes only).
    for (const std::uint8_t length : {std::uint8_t{1}, std::uint8_t{2}}) {
        std::array<std::uint8_t, 19> single{};
        single[0] = length;
        deflate_writer w2;
        testing::dynamic_header_raw(w2, true, 257, 1, single, {});
        EXPECT_EQ(read(w2.bytes()), bad("")) << int{length};
    }
}

TEST(deflate_decoder_dynamic, a_code_length_code_of_no_codes_reads_lengths_of_zero) {
    // zlib accepts an all-zero code-length code and reads every length as 0 from one bit:
    // the block then has no end-of-block code. Short of those bits it waits for more.
    deflate_writer w;
    testing::dynamic_header_raw(w, true, 257, 1, {}, {});
    deflate_writer almost = w;
    almost.bits(0, 258 - 8); // padded to a byte: still short of 258
    deflate_decoder d;
    bytes out;
    EXPECT_FALSE(d.write(almost.bytes(), out)) << "not all of its 258 bits yet";
    EXPECT_FALSE(d.at_block_boundary());
    w.bits(0, 258);
    EXPECT_EQ(read(w.bytes()), bad(""));
}

TEST(deflate_decoder_dynamic, repeats_need_a_previous_length_and_room) {
    std::array<std::uint8_t, 19> cl{};
    for (const unsigned s : {0u, 1u, 16u, 17u, 18u}) {
        cl[s] = 3; // five codes of 3 bits, and three more lengths of 3 to complete the code
    }
    cl[2] = 3;
    cl[3] = 3;
    cl[4] = 3;
    // 16 first: nothing to repeat.
    deflate_writer first;
    const std::vector<code_length_item> repeat_first{{16, 0}};
    testing::dynamic_header_raw(first, true, 257, 1, cl, repeat_first);
    EXPECT_EQ(read(first.bytes()), bad(""));
    // Zeros past HLIT + HDIST (258 here): 138 + 138.
    deflate_writer past;
    const std::vector<code_length_item> too_long{{18, 127}, {18, 127}};
    testing::dynamic_header_raw(past, true, 257, 1, cl, too_long);
    EXPECT_EQ(read(past.bytes()), bad(""));
    // Exactly to the end is fine, even when it leaves no end-of-block code (refused for that).
    deflate_writer exact;
    const std::vector<code_length_item> to_the_end{{18, 127}, {18, 109}};
    testing::dynamic_header_raw(exact, true, 257, 1, cl, to_the_end);
    EXPECT_EQ(read(exact.bytes()), bad(""));
}

TEST(deflate_decoder_dynamic, a_repeat_may_run_from_literal_lengths_into_distances) {
    // 'a', 'b', end of block and length symbol 257 have 2 bits; 16 repeats that 2 five
    // times: for symbol 257 and all four distances.
    std::array<std::uint8_t, 19> cl{};
    cl[0] = 2;
    cl[2] = 2;
    cl[16] = 2;
    cl[18] = 2;
    const std::vector<code_length_item> items{{18, 97 - 11}, {2}, {2}, {18, 127}, {18, 19 - 11}, {2}, {16, 2}};
    deflate_writer w;
    testing::dynamic_header_raw(w, true, 258, 4, cl, items);
    std::vector<std::uint8_t> litlen(258, 0);
    litlen['a'] = litlen['b'] = litlen[256] = litlen[257] = 2;
    const auto lit = testing::canonical_codes(litlen);
    const std::vector<std::uint8_t> distance(4, 2);
    const auto dist = testing::canonical_codes(distance);
    w.code(lit['a'], 2).code(lit['b'], 2).code(lit[257], 2).code(dist[1], 2).code(lit[256], 2);
    EXPECT_EQ(read(w.bytes()), ok("ababa"));
}

TEST(deflate_decoder_dynamic, literal_length_codes_over_subscribed_or_incomplete_are_refused) {
    const std::vector<std::uint8_t> distance{1, 1};
    std::vector<std::uint8_t> over(257, 0);
    over['a'] = over['b'] = over[256] = 1;
    std::vector<std::uint8_t> incomplete(257, 0);
    incomplete['a'] = 1;
    incomplete[256] = 2;
    for (const auto& litlen : {over, incomplete}) {
        deflate_writer w;
        testing::dynamic_header(w, true, litlen, distance);
        w.bits(0, 16);
        EXPECT_EQ(read(w.bytes()), bad(""));
    }
}

TEST(deflate_decoder_dynamic, a_block_without_an_end_of_block_code_is_refused) {
    std::vector<std::uint8_t> litlen(257, 0);
    litlen['a'] = litlen['b'] = 1;
    deflate_writer w;
    testing::dynamic_header(w, true, litlen, std::vector<std::uint8_t>{1, 1});
    w.bits(0, 16);
    EXPECT_EQ(read(w.bytes()), bad(""));
}

TEST(deflate_decoder_dynamic, a_single_one_bit_literal_length_code_is_accepted_and_its_other_half_refused) {
    // zlib's allowance: the only code is end of block, 1 bit; bit 0 ends the block, bit 1
    // is no code.
    std::vector<std::uint8_t> litlen(257, 0);
    litlen[256] = 1;
    deflate_writer ends;
    testing::dynamic_header(ends, false, litlen, std::vector<std::uint8_t>{0});
    ends.bits(0, 1).stored(true, of("after"));
    EXPECT_EQ(read(ends.bytes()), ok("after"));
    deflate_writer refused;
    testing::dynamic_header(refused, false, litlen, std::vector<std::uint8_t>{0});
    refused.bits(1, 1).bits(0, 16);
    EXPECT_EQ(read(refused.bytes()), bad(""));
}

TEST(deflate_decoder_dynamic, distance_codes_empty_single_over_subscribed_incomplete) {
    std::vector<std::uint8_t> litlen(258, 0);
    litlen['a'] = litlen['b'] = litlen[256] = litlen[257] = 2;
    const auto lit = testing::canonical_codes(litlen);
    const auto block = [&](const std::vector<std::uint8_t>& distance, auto&& body) {
        deflate_writer w;
        testing::dynamic_header(w, true, litlen, distance);
        body(w);
        w.bits(0, 16);
        return w.bytes();
    };
    // No distance code at all: fine for literals, an error once a match needs one.
    EXPECT_EQ(read(block({0}, [&](deflate_writer& w) { w.code(lit['a'], 2).code(lit['b'], 2).code(lit[256], 2); })),
              ok("ab"));
    EXPECT_EQ(read(block({0}, [&](deflate_writer& w) { w.code(lit['a'], 2).code(lit[257], 2).bits(0, 1); })), bad("a"));
    // A single 1-bit distance code: 0 is distance 1 (its symbol), 1 is no code.
    EXPECT_EQ(read(block({1},
                         [&](deflate_writer& w) {
                             w.code(lit['a'], 2).code(lit[257], 2).bits(0, 1).code(lit[256], 2);
                         })),
              ok("aaaa"));
    EXPECT_EQ(read(block({1}, [&](deflate_writer& w) { w.code(lit['a'], 2).code(lit[257], 2).bits(1, 1); })), bad("a"));
    // Over-subscribed and incomplete (longest length above 1) are refused at the header.
    EXPECT_EQ(read(block({1, 1, 1}, [](deflate_writer&) {})), bad(""));
    EXPECT_EQ(read(block({1, 2}, [](deflate_writer&) {})), bad(""));
}

TEST(deflate_decoder_dynamic, codes_of_fifteen_bits_go_through_second_level_tables) {
    // Literal/length lengths 1, 2, ..., 14 ('a' to 'n'), then 15 and 15 (end of block and
    // length 3); distances 15, 15 (1 and 2), then 14 down to 1: the longest codes there are.
    std::vector<std::uint8_t> litlen(258, 0);
    std::vector<std::uint8_t> distance(16, 0);
    for (unsigned i = 0; i < 14; ++i) {
        litlen['a' + i] = static_cast<std::uint8_t>(i + 1);
        distance[2 + i] = static_cast<std::uint8_t>(14 - i);
    }
    litlen[256] = litlen[257] = 15;
    distance[0] = distance[1] = 15;
    const auto lit = testing::canonical_codes(litlen);
    const auto dist = testing::canonical_codes(distance);
    deflate_writer w;
    testing::dynamic_header(w, true, litlen, distance);
    for (unsigned i = 0; i < 14; ++i) {
        w.code(lit['a' + i], litlen['a' + i]);
    }
    w.code(lit[257], 15).code(dist[1], 15).code(lit['n'], 14).code(lit[257], 15).code(dist[0], 15);
    w.code(lit[256], 15);
    EXPECT_EQ(read(w.bytes()), ok("abcdefghijklmnmnmnnnn"));
    // The same codes, refused: two back with one byte of history.
    deflate_writer refused;
    testing::dynamic_header(refused, true, litlen, distance);
    refused.code(lit['a'], 1).code(lit[257], 15).code(dist[1], 15).code(lit[256], 15);
    EXPECT_EQ(read(refused.bytes()), bad("a"));
}

// ---------------------------------------------------------------- the window (RFC 7692 7.1.2)

/// A fixed block of `history` literals (random), then a 3-byte match `distance` back.
bytes literals_then_match(std::size_t history, unsigned distance, bool sync = true) {
    deflate_writer w;
    w.header(false, 1).fixed_literals(random_bytes(history, 7)).fixed_match(3, distance).end_of_block();
    if (sync) {
        w.sync();
    }
    return w.bytes();
}

bytes literals_only(std::size_t n) {
    deflate_writer w;
    w.header(false, 1).fixed_literals(random_bytes(n, 8)).end_of_block().sync();
    return w.bytes();
}

bytes match_only(unsigned distance) {
    deflate_writer w;
    w.header(false, 1).fixed_match(3, distance).end_of_block().sync();
    return w.bytes();
}

TEST(deflate_decoder_window, a_distance_of_exactly_the_window_is_accepted_one_more_refused) {
    for (const std::uint8_t bits : {std::uint8_t{8}, std::uint8_t{9}, std::uint8_t{12}, std::uint8_t{15}}) {
        const unsigned window = 1u << bits;
        const auto o = options(bits);
        // History longer than the window: the window bounds the distance.
        const std::size_t history = std::min<std::size_t>(window + 100, 32768);
        const outcome at = decode(literals_then_match(history, window), o);
        EXPECT_FALSE(at.ec) << int{bits};
        EXPECT_EQ(at.out.size(), history + 3);
        EXPECT_TRUE(std::equal(at.out.end() - 3, at.out.end(), at.out.end() - 3 - static_cast<std::ptrdiff_t>(window)));
        if (window < 32768) {
            const outcome past = decode(literals_then_match(history, window + 1), o);
            EXPECT_EQ(past.ec, violation::bad_compressed_data) << int{bits};
            EXPECT_EQ(past.out.size(), history) << "every literal, none of the match";
            EXPECT_EQ(past, zlib_reading(literals_then_match(history, window + 1), o));
        }
        // History shorter than the window: the history bounds it.
        const std::size_t short_history = window / 2;
        EXPECT_FALSE(decode(literals_then_match(short_history, static_cast<unsigned>(short_history)), o).ec);
        EXPECT_EQ(decode(literals_then_match(short_history, static_cast<unsigned>(short_history) + 1), o).ec,
                  violation::bad_compressed_data);
        EXPECT_EQ(decode(literals_then_match(window - 1, window), o).ec, violation::bad_compressed_data);
    }
}

TEST(deflate_decoder_window, across_messages_with_context_takeover) {
    for (const std::uint8_t bits : {std::uint8_t{8}, std::uint8_t{9}, std::uint8_t{12}, std::uint8_t{15}}) {
        const unsigned window = 1u << bits;
        const auto o = options(bits);
        // The history is the earlier messages' output: window's worth and more.
        auto r = decode_messages({literals_only(window / 2), literals_only(window), match_only(window)}, o);
        ASSERT_EQ(r.size(), 3u);
        EXPECT_FALSE(r[2].ec) << int{bits};
        EXPECT_EQ(r[2].out.size(), 3u);
        if (window < 32768) {
            r = decode_messages({literals_only(window / 2), literals_only(window), match_only(window + 1)}, o);
            ASSERT_EQ(r.size(), 3u);
            EXPECT_EQ(r[2], (outcome{{}, violation::bad_compressed_data})) << int{bits};
        }
        // Less history than the window: as far back as it goes and no further.
        r = decode_messages({literals_only(window / 4), match_only(window / 4)}, o);
        EXPECT_FALSE(r.back().ec) << int{bits};
        r = decode_messages({literals_only(window / 4), match_only(window / 4 + 1)}, o);
        EXPECT_EQ(r.back().ec, violation::bad_compressed_data) << int{bits};
    }
}

TEST(deflate_decoder_window, without_context_takeover_a_message_has_no_history) {
    const auto o = options(15, true);
    auto r = decode_messages({literals_only(100), literals_then_match(50, 50)}, o);
    EXPECT_FALSE(r.back().ec);
    r = decode_messages({literals_only(100), literals_then_match(50, 51)}, o);
    EXPECT_EQ(r.back().ec, violation::bad_compressed_data);
    r = decode_messages({literals_only(100), match_only(1)}, o);
    EXPECT_EQ(r.back(), (outcome{{}, violation::bad_compressed_data}));
    // With takeover the same message reads the first one's bytes.
    r = decode_messages({literals_only(100), match_only(100)}, options(15));
    ASSERT_FALSE(r.back().ec);
    EXPECT_TRUE(std::equal(r[1].out.begin(), r[1].out.end(), r[0].out.begin()));
}

TEST(deflate_decoder_window, the_window_is_held_across_many_messages_and_slides) {
    // 40 messages of 3000 bytes each (more than the 64 KiB of room after the window, so the
    // history slides), each ending with a match exactly 2^bits back.
    for (const std::uint8_t bits : {std::uint8_t{9}, std::uint8_t{15}}) {
        const std::size_t window = std::size_t{1} << bits;
        deflate_decoder d(options(bits));
        bytes all;
        for (int m = 0; m < 40; ++m) {
            bytes out;
            const auto distance = static_cast<unsigned>(std::min(window, all.size() + 2997));
            ASSERT_FALSE(d.write(literals_then_match(2997, distance), out)) << m;
            d.end_message();
            all.insert(all.end(), out.begin(), out.end());
            if (all.size() >= window + 3) {
                const auto back = static_cast<std::ptrdiff_t>(window);
                EXPECT_TRUE(std::equal(all.end() - 3, all.end(), all.end() - 3 - back)) << m;
            }
        }
    }
}

// ---------------------------------------------------------------- BFINAL (RFC 7692 7.2.3.4)

TEST(deflate_decoder_bfinal, the_rest_of_the_message_is_ignored) {
    deflate_writer w;
    w.header(true, 1).fixed_literals(of("abc")).end_of_block();
    bytes stream = w.bytes();
    stream.insert(stream.end(), {0xff, 0xff, 0xff}); // not DEFLATE: block type 3
    EXPECT_EQ(read(stream), ok("abc"));
    deflate_decoder d;
    bytes out;
    ASSERT_FALSE(d.write(stream, out));
    EXPECT_TRUE(d.stream_ended());
    EXPECT_FALSE(d.at_block_boundary());
    EXPECT_FALSE(d.write(stream, out));
    EXPECT_EQ(out, of("abc"));
}

TEST(deflate_decoder_bfinal, the_next_message_starts_a_new_stream_with_or_without_the_history) {
    deflate_writer first;
    first.header(true, 1).fixed_literals(of("hello")).end_of_block().bits(0x7f, 7); // ignored
    deflate_writer second;
    second.header(false, 1).fixed_match(5, 5).end_of_block().sync();
    auto r = decode_messages({first.bytes(), second.bytes()}, options(15));
    ASSERT_EQ(r.size(), 2u);
    EXPECT_EQ(r[1], ok("hello"));
    r = decode_messages({first.bytes(), second.bytes()}, options(15, true));
    ASSERT_EQ(r.size(), 2u);
    EXPECT_EQ(r[1], bad(""));
}

// ---------------------------------------------------------------- splits

TEST(deflate_decoder_splits, every_split_gives_the_same_output_and_error) {
    // read() cuts each stream at every position and feeds it a byte at a time; here the
    // streams are zlib's, with dynamic blocks, long matches and an error at the end.
    const bytes text = text_like(3000, 3);
    bytes stream = zlib_deflate(text, 9);
    EXPECT_EQ(read(stream), (outcome{text, {}}));
    bytes runs = repetitive(2000, 4);
    stream = zlib_deflate(runs, 6, 9, 1, Z_RLE);
    EXPECT_EQ(read(stream, options(9)), (outcome{runs, {}}));
    // An error right after: block type 3.
    stream.push_back(0x07);
    EXPECT_EQ(read(stream, options(9)), (outcome{runs, violation::bad_compressed_data}));
    // A reference past an 8-bit window, in zlib's own 15-bit stream.
    const bytes block = random_bytes(300, 5);
    bytes repeated;
    for (int i = 0; i < 3; ++i) {
        repeated.insert(repeated.end(), block.begin(), block.end());
    }
    const outcome refused = read(zlib_deflate(repeated, 6), options(8));
    EXPECT_EQ(refused.ec, violation::bad_compressed_data);
    EXPECT_GE(refused.out.size(), block.size());
    EXPECT_LT(refused.out.size(), block.size() + 10);
    EXPECT_TRUE(std::equal(refused.out.begin(), refused.out.end(), repeated.begin()));
}

TEST(deflate_decoder_splits, messages_in_pieces_of_every_size) {
    const bytes a = text_like(5000, 6);
    const bytes b = repetitive(5000, 7);
    z_stream s{};
    ASSERT_EQ(deflateInit2(&s, 6, Z_DEFLATED, -12, 5, Z_DEFAULT_STRATEGY), Z_OK);
    const auto compress = [&s](const bytes& m) {
        bytes out(m.size() + 1024);
        s.next_in = const_cast<Bytef*>(m.data());
        s.avail_in = static_cast<uInt>(m.size());
        s.next_out = out.data();
        s.avail_out = static_cast<uInt>(out.size());
        EXPECT_EQ(::deflate(&s, Z_SYNC_FLUSH), Z_OK);
        out.resize(out.size() - s.avail_out);
        return out;
    };
    const bytes ca = compress(a);
    const bytes cb = compress(b);
    const bytes ca2 = compress(a);
    deflateEnd(&s);
    for (const std::size_t piece : {1u, 2u, 3u, 7u, 8u, 15u, 16u, 17u, 100u, 4096u, 0u}) {
        const auto r = decode_messages({ca, cb, ca2}, options(12), piece);
        ASSERT_EQ(r.size(), 3u);
        EXPECT_EQ(r[0], (outcome{a, {}})) << piece;
        EXPECT_EQ(r[1], (outcome{b, {}})) << piece;
        EXPECT_EQ(r[2], (outcome{a, {}})) << piece;
    }
}

// ---------------------------------------------------------------- block boundaries

TEST(deflate_decoder_boundary, between_blocks_only) {
    deflate_decoder d;
    bytes out;
    EXPECT_TRUE(d.at_block_boundary());
    deflate_writer w;
    w.header(false, 2); // three bits of a dynamic block's header: inside it
    ASSERT_FALSE(d.write(w.bytes(), out));
    EXPECT_FALSE(d.at_block_boundary());

    deflate_decoder whole;
    ASSERT_FALSE(whole.write(literals_only(10), out));
    EXPECT_TRUE(whole.at_block_boundary());
    deflate_decoder cut;
    const bytes stream = literals_only(10);
    ASSERT_FALSE(cut.write(std::span{stream}.first(stream.size() / 2), out));
    EXPECT_FALSE(cut.at_block_boundary());
}

// ---------------------------------------------------------------- the cap

TEST(deflate_decoder_cap, exactly_the_cap_plus_one_byte_then_inflated_too_big) {
    const bytes zeros(100'000, 0);
    const bytes stream = zlib_deflate(zeros, 9);
    for (const std::uint64_t cap : {0u, 1u, 257u, 258u, 5000u, 99'999u}) {
        deflate_decoder d(options(15, false, cap));
        bytes out;
        EXPECT_EQ(d.write(stream, out), violation::inflated_too_big) << cap;
        EXPECT_EQ(out.size(), cap + 1);
        EXPECT_LE(out.capacity(), cap + 1) << "never allocating past the cap";
        EXPECT_EQ(d.write(stream, out), violation::bad_compressed_data) << "spent";
        EXPECT_EQ(out.size(), cap + 1);
        EXPECT_EQ(decode(stream, options(15, false, cap), 7),
                  (outcome{bytes(cap + 1, 0), violation::inflated_too_big}));
        EXPECT_EQ(decode(stream, options(15, false, cap)), zlib_reading(stream, options(15, false, cap)));
    }
    EXPECT_EQ(decode(stream, options(15, false, 100'000)), (outcome{zeros, {}}));
}

TEST(deflate_decoder_cap, in_a_stored_block_and_per_message) {
    const bytes data = random_bytes(1000, 9);
    deflate_writer w;
    w.stored(false, data).sync();
    EXPECT_EQ(read(w.bytes(), options(15, false, 999)), (outcome{data, violation::inflated_too_big}));
    // The cap is per message: three messages of 1000 under a cap of 1000.
    const auto r = decode_messages({w.bytes(), w.bytes(), w.bytes()}, options(15, false, 1000));
    ASSERT_EQ(r.size(), 3u);
    EXPECT_FALSE(r[2].ec);
}

TEST(deflate_decoder_cap, no_limit_at_all) {
    const bytes text = text_like(70'000, 10);
    EXPECT_EQ(decode(zlib_deflate(text), options(15, false, std::numeric_limits<std::uint64_t>::max())),
              (outcome{text, {}}));
}

// ---------------------------------------------------------------- round trips with zlib

TEST(deflate_decoder_round_trip, zlib_levels_windows_and_data) {
    const bytes data[] = {random_bytes(20'000, 11), text_like(40'000, 12), repetitive(40'000, 13)};
    for (const bytes& d : data) {
        for (const int level : {0, 1, 6, 9}) {
            for (int bits = 9; bits <= 15; ++bits) {
                const bytes stream = zlib_deflate(d, level, bits);
                const outcome r = decode(stream, options(static_cast<std::uint8_t>(bits)));
                ASSERT_FALSE(r.ec) << level << " " << bits;
                ASSERT_EQ(r.out, d) << level << " " << bits;
            }
        }
    }
}

TEST(deflate_decoder_round_trip, zlib_mem_levels_and_strategies) {
    const bytes d = text_like(30'000, 14);
    const bytes runs = repetitive(30'000, 15);
    for (int mem = 1; mem <= 9; ++mem) {
        for (const int bits : {9, 12, 15}) {
            EXPECT_EQ(decode(zlib_deflate(d, 6, bits, mem), options(static_cast<std::uint8_t>(bits))), (outcome{d, {}}))
                << mem << " " << bits;
        }
    }
    for (const int strategy : {Z_FILTERED, Z_HUFFMAN_ONLY, Z_RLE, Z_FIXED}) {
        EXPECT_EQ(decode(zlib_deflate(runs, 9, 15, 9, strategy)), (outcome{runs, {}})) << strategy;
    }
    // Window 8: zlib's "9" keeps its distances within 250 bytes, inside 256.
    EXPECT_EQ(decode(zlib_deflate(d, 9, 9, 8), options(8)), (outcome{d, {}}));
}

TEST(deflate_decoder_round_trip, messages_sharing_the_context_in_pieces) {
    z_stream s{};
    ASSERT_EQ(deflateInit2(&s, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY), Z_OK);
    deflate_decoder d(options(15));
    std::mt19937 rng(16);
    for (int m = 0; m < 30; ++m) {
        const bytes msg = m % 3 == 0 ? text_like(1 + rng() % 20'000, static_cast<unsigned>(m))
                                     : repetitive(1 + rng() % 20'000, static_cast<unsigned>(m));
        bytes c(msg.size() + 1024);
        s.next_in = const_cast<Bytef*>(msg.data());
        s.avail_in = static_cast<uInt>(msg.size());
        s.next_out = c.data();
        s.avail_out = static_cast<uInt>(c.size());
        ASSERT_EQ(::deflate(&s, Z_SYNC_FLUSH), Z_OK);
        ASSERT_EQ(s.avail_in, 0u);
        c.resize(c.size() - s.avail_out);
        bytes out;
        for (std::span<const std::uint8_t> rest{c}; !rest.empty();) {
            const std::size_t n = std::min<std::size_t>(1 + rng() % 3000, rest.size());
            ASSERT_FALSE(d.write(rest.first(n), out)) << m;
            rest = rest.subspan(n);
        }
        EXPECT_TRUE(d.at_block_boundary());
        d.end_message();
        ASSERT_EQ(out, msg) << m;
    }
    deflateEnd(&s);
}

// ---------------------------------------------------------------- the rest

TEST(deflate_decoder_state, spent_after_any_error) {
    deflate_decoder d;
    bytes out;
    EXPECT_EQ(d.write(bytes{0xff}, out), violation::bad_compressed_data);
    EXPECT_EQ(d.write(literals_only(10), out), violation::bad_compressed_data);
    d.end_message();
    EXPECT_EQ(d.write(literals_only(10), out), violation::bad_compressed_data);
    EXPECT_TRUE(out.empty());
}

TEST(deflate_decoder_state, memory_is_its_tables_and_then_its_buffer) {
    deflate_decoder small(options(8));
    deflate_decoder big(options(15));
    EXPECT_GT(small.memory_in_use(), 0u);
    EXPECT_EQ(small.memory_in_use(), big.memory_in_use()) << "nothing allocated before use";
    bytes out;
    ASSERT_FALSE(small.write(literals_only(1), out));
    ASSERT_FALSE(big.write(literals_only(1), out));
    EXPECT_GE(big.memory_in_use() - small.memory_in_use(), (1u << 15) - (1u << 8));
    EXPECT_GE(big.memory_in_use(), (1u << 15) + 64u * 1024);
    EXPECT_EQ(big.options().window_bits, 15);
}

} // namespace
} // namespace wscheck::proto
