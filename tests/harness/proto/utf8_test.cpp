#include "harness/proto/utf8.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <random>
#include <span>
#include <string>
#include <vector>

namespace wscheck::proto {
namespace {

using bytes = std::vector<std::uint8_t>;

bytes from_hex_list(std::initializer_list<unsigned> list) {
    bytes out;
    for (unsigned b : list) out.push_back(static_cast<std::uint8_t>(b));
    return out;
}

// ---------------------------------------------------------------- reference decoder
//
// Slow and written from the definition, not from byte tables: a lead byte's bit pattern gives
// the sequence length L; after k of its L bytes, the code points still reachable are an
// interval [lo, hi] (the free bits all 0 or all 1). The prefix is viable while that interval
// meets the code points that L bytes may encode (no overlong form, no surrogate, none above
// U+10FFFF). The first byte after which it does not is the first invalid byte.

struct reference_result {
    static constexpr std::size_t none = static_cast<std::size_t>(-1);
    std::size_t first_bad = none; ///< index of the first byte that proves invalidity
    bool complete = false;        ///< valid and not ending inside a sequence
};

bool interval_has_scalar(std::uint32_t lo, std::uint32_t hi, std::size_t length) {
    static constexpr std::uint32_t min_for_length[] = {0, 0x0, 0x80, 0x800, 0x10000};
    static constexpr std::uint32_t max_for_length[] = {0, 0x7F, 0x7FF, 0xFFFF, 0x10FFFF};
    const std::uint32_t a = std::max(lo, min_for_length[length]);
    const std::uint32_t b = std::min(hi, max_for_length[length]);
    if (a > b) return false;
    // All that is left are surrogates?
    return !(a >= 0xD800 && b <= 0xDFFF);
}

reference_result reference_check(std::span<const std::uint8_t> in) {
    reference_result r;
    std::size_t i = 0;
    while (i < in.size()) {
        const std::uint8_t lead = in[i];
        std::size_t length = 0;
        std::uint32_t value = 0;
        if ((lead & 0x80) == 0x00) { length = 1; value = lead; }
        else if ((lead & 0xE0) == 0xC0) { length = 2; value = lead & 0x1Fu; }
        else if ((lead & 0xF0) == 0xE0) { length = 3; value = lead & 0x0Fu; }
        else if ((lead & 0xF8) == 0xF0) { length = 4; value = lead & 0x07u; }
        else { r.first_bad = i; return r; } // a continuation byte or 11111xxx cannot lead
        for (std::size_t k = 1; k <= length; ++k) {
            if (k > 1) {
                if (i + k - 1 >= in.size()) return r; // ends inside a viable sequence
                const std::uint8_t c = in[i + k - 1];
                if ((c & 0xC0) != 0x80) { r.first_bad = i + k - 1; return r; }
                value = (value << 6) | (c & 0x3Fu);
            }
            const unsigned free_bits = static_cast<unsigned>(6 * (length - k));
            const std::uint32_t lo = value << free_bits;
            const std::uint32_t hi = lo | ((1u << free_bits) - 1u);
            if (!interval_has_scalar(lo, hi, length)) { r.first_bad = i + k - 1; return r; }
        }
        i += length;
    }
    r.complete = true;
    return r;
}

// ---------------------------------------------------------------- checking helpers

/// Feeds `in` to a fresh validator in pieces cut where `cuts` has bit (j-1) set (a cut between
/// byte j-1 and j), and checks every promise of utf8.hpp against the reference.
::testing::AssertionResult check_split(std::span<const std::uint8_t> in, std::uint32_t cuts,
                                       const reference_result& ref) {
    utf8_validator v;
    std::size_t start = 0;
    bool failed = false;
    for (std::size_t end = 1; end <= in.size(); ++end) {
        const bool cut_here = end == in.size() || ((cuts >> (end - 1)) & 1u) != 0;
        if (!cut_here) continue;
        const bool ok = v.write(std::span{in.data() + start, end - start});
        // Fail fast: the write that returns false is the one holding the first bad byte.
        const bool holds_bad = ref.first_bad != reference_result::none && ref.first_bad >= start &&
                               ref.first_bad < end;
        const bool expect_ok = !failed && !holds_bad;
        if (ok != expect_ok)
            return ::testing::AssertionFailure()
                   << "write of [" << start << "," << end << ") returned " << ok << ", cuts "
                   << cuts;
        if (!ok) failed = true;
        if (v.ok() != expect_ok) return ::testing::AssertionFailure() << "ok() disagrees";
        start = end;
    }
    if (in.empty() && !v.write(std::span<const std::uint8_t>{}))
        return ::testing::AssertionFailure() << "empty write failed";
    const bool expect_finish = ref.complete;
    if (v.finish() != expect_finish)
        return ::testing::AssertionFailure() << "finish() " << v.finish() << ", cuts " << cuts;
    const std::uint64_t expect_valid =
        ref.first_bad == reference_result::none ? in.size() : ref.first_bad;
    if (v.valid_bytes() != expect_valid)
        return ::testing::AssertionFailure() << "valid_bytes() " << v.valid_bytes()
                                             << " expected " << expect_valid << ", cuts " << cuts;
    // Every later call fails too until reset().
    if (failed && v.write(std::span<const std::uint8_t>{}))
        return ::testing::AssertionFailure() << "write after failure succeeded";
    return ::testing::AssertionSuccess();
}

/// `in` between runs of ASCII, so that it is checked by the validator's bulk path (which works
/// on 8-byte words) rather than by its byte-at-a-time tail; fed whole, and cut where it starts.
::testing::AssertionResult check_padded(std::span<const std::uint8_t> in) {
    std::array<std::uint8_t, 16 + 4 + 8> buffer; // no allocation: this runs 2^24 times
    if (in.size() > 4) return ::testing::AssertionFailure() << "check_padded takes up to 4 bytes";
    for (std::size_t pre : {0u, 5u, 16u}) {
        std::fill(buffer.begin(), buffer.end(), std::uint8_t{'a'});
        std::copy(in.begin(), in.end(), buffer.begin() + static_cast<std::ptrdiff_t>(pre));
        const std::span<const std::uint8_t> padded{buffer.data(), pre + in.size() + 8};
        const reference_result ref = reference_check(padded);
        auto r = check_split(padded, 0, ref);
        if (!r) return r << ", padded with " << pre;
        if (pre > 0) {
            r = check_split(padded, 1u << (pre - 1), ref);
            if (!r) return r << ", padded with " << pre;
        }
    }
    return ::testing::AssertionSuccess();
}

/// Every way of cutting `in` into pieces (2^(n-1) of them; for short inputs only), and `in`
/// inside longer text.
::testing::AssertionResult check_all_splits(std::span<const std::uint8_t> in) {
    if (auto r = check_padded(in); !r) return r;
    const reference_result ref = reference_check(in);
    const std::uint32_t ways = in.size() <= 1 ? 1u : (1u << (in.size() - 1));
    for (std::uint32_t cuts = 0; cuts < ways; ++cuts) {
        auto r = check_split(in, cuts, ref);
        if (!r) return r;
    }
    if (is_valid_utf8(in) != ref.complete)
        return ::testing::AssertionFailure() << "is_valid_utf8 disagrees";
    return ::testing::AssertionSuccess();
}

std::string hex(std::span<const std::uint8_t> in) {
    std::string s;
    static constexpr char digits[] = "0123456789ABCDEF";
    for (auto b : in) {
        if (!s.empty()) s += ' ';
        s += digits[b >> 4];
        s += digits[b & 0xF];
    }
    return s;
}

#define EXPECT_SPLITS_AGREE(seq) EXPECT_TRUE(check_all_splits(seq)) << hex(seq)

/// Expected outcome stated by hand (no reference involved): index of the first bad byte or
/// none, and whether the text is complete.
void expect_outcome(const bytes& in, std::size_t first_bad, bool complete) {
    const reference_result ref = reference_check(in);
    EXPECT_EQ(ref.first_bad, first_bad) << "reference on " << hex(in);
    EXPECT_EQ(ref.complete, complete) << "reference on " << hex(in);
    reference_result stated;
    stated.first_bad = first_bad;
    stated.complete = complete;
    const std::uint32_t ways = in.size() <= 1 ? 1u : (1u << std::min<std::size_t>(in.size() - 1, 12));
    for (std::uint32_t cuts = 0; cuts < ways; ++cuts)
        EXPECT_TRUE(check_split(in, cuts, stated)) << hex(in);
}

constexpr std::size_t none = reference_result::none;

// ---------------------------------------------------------------- the reference itself

TEST(utf8_reference, agrees_with_hand_written_verdicts) {
    expect_outcome({}, none, true);
    expect_outcome(from_hex_list({0x41}), none, true);
    expect_outcome(from_hex_list({0xC2, 0x80}), none, true);        // U+0080
    expect_outcome(from_hex_list({0xC1, 0xBF}), 0, false);          // overlong U+007F
    expect_outcome(from_hex_list({0xE0, 0x9F, 0xBF}), 1, false);    // overlong U+07FF
    expect_outcome(from_hex_list({0xED, 0xA0, 0x80}), 1, false);    // U+D800
    expect_outcome(from_hex_list({0xED, 0x9F, 0xBF}), none, true);  // U+D7FF
    expect_outcome(from_hex_list({0xF4, 0x90, 0x80, 0x80}), 1, false); // U+110000
    expect_outcome(from_hex_list({0xF5}), 0, false);
    expect_outcome(from_hex_list({0xED}), none, false);             // may become U+D000
}

// ---------------------------------------------------------------- exhaustive

TEST(utf8_validator, every_one_byte_sequence) {
    for (unsigned a = 0; a < 256; ++a) {
        const bytes seq{static_cast<std::uint8_t>(a)};
        EXPECT_SPLITS_AGREE(seq);
        // By hand: ASCII is complete, C2..F4 are viable leads, everything else fails at once.
        const reference_result ref = reference_check(seq);
        if (a < 0x80) {
            EXPECT_TRUE(ref.complete);
        } else if (a >= 0xC2 && a <= 0xF4) {
            EXPECT_EQ(ref.first_bad, none) << a;
        } else {
            EXPECT_EQ(ref.first_bad, 0u) << a;
        }
    }
}

TEST(utf8_validator, every_two_byte_sequence) {
    std::size_t valid = 0;
    for (unsigned a = 0; a < 256; ++a)
        for (unsigned b = 0; b < 256; ++b) {
            const std::array<std::uint8_t, 2> seq{static_cast<std::uint8_t>(a), static_cast<std::uint8_t>(b)};
            const reference_result ref = reference_check(seq);
            ASSERT_TRUE(check_all_splits(seq)) << hex(seq);
            if (ref.complete) ++valid;
        }
    // 128*128 ASCII pairs + 30*64 two-byte code points (C2..DF x 80..BF).
    EXPECT_EQ(valid, 128u * 128u + 30u * 64u);
}

// 2^24 three-byte sequences, each fed whole, in every split (4 ways) and inside ASCII text;
// in tests by ranges of lead bytes so that each stays well inside CTest's timeout under sanitizers.
// Stop at the first mismatch so a broken table does not print millions of lines.
void check_every_three_byte_sequence(unsigned first_lead, unsigned last_lead,
                                     std::size_t& three_byte_code_points) {
    for (unsigned a = first_lead; a <= last_lead; ++a)
        for (unsigned b = 0; b < 256; ++b)
            for (unsigned c = 0; c < 256; ++c) {
                const std::array<std::uint8_t, 3> seq{static_cast<std::uint8_t>(a),
                                                      static_cast<std::uint8_t>(b),
                                                      static_cast<std::uint8_t>(c)};
                ASSERT_TRUE(check_all_splits(seq)) << hex(seq);
                if (a >= 0xE0 && a <= 0xEF && reference_check(seq).complete)
                    ++three_byte_code_points;
            }
}

TEST(utf8_validator, every_three_byte_sequence_leads_00_to_3f) {
    std::size_t count = 0;
    check_every_three_byte_sequence(0x00, 0x3F, count);
}

TEST(utf8_validator, every_three_byte_sequence_leads_40_to_7f) {
    std::size_t count = 0;
    check_every_three_byte_sequence(0x40, 0x7F, count);
}

TEST(utf8_validator, every_three_byte_sequence_leads_80_to_bf) {
    std::size_t count = 0;
    check_every_three_byte_sequence(0x80, 0xBF, count);
}

TEST(utf8_validator, every_three_byte_sequence_leads_c0_to_df) {
    std::size_t count = 0;
    check_every_three_byte_sequence(0xC0, 0xDF, count);
}

TEST(utf8_validator, every_three_byte_sequence_leads_e0_to_ef) {
    std::size_t count = 0;
    check_every_three_byte_sequence(0xE0, 0xEF, count);
    // U+0800..U+FFFF without the 2048 surrogates.
    EXPECT_EQ(count, 0x10000u - 0x800u - 0x800u);
}

TEST(utf8_validator, every_three_byte_sequence_leads_f0_to_ff) {
    std::size_t count = 0;
    check_every_three_byte_sequence(0xF0, 0xFF, count);
}

// Every lead and every second byte, with the third and fourth bytes taken from the edges of
// each byte class; split by lead bytes, as above.
void check_four_byte_boundaries(unsigned first_lead, unsigned last_lead) {
    static constexpr std::uint8_t edges[] = {0x00, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0,
                                             0xBF, 0xC0, 0xC2, 0xE0, 0xF0, 0xF4, 0xFF};
    for (unsigned a = first_lead; a <= last_lead; ++a)
        for (unsigned b = 0; b < 256; ++b)
            for (auto c : edges)
                for (auto d : edges) {
                    const std::array<std::uint8_t, 4> seq{static_cast<std::uint8_t>(a),
                                                          static_cast<std::uint8_t>(b), c, d};
                    ASSERT_TRUE(check_all_splits(seq)) << hex(seq);
                }
}

TEST(utf8_validator, four_byte_sequences_at_every_boundary_leads_00_to_3f) {
    check_four_byte_boundaries(0x00, 0x3F);
}

TEST(utf8_validator, four_byte_sequences_at_every_boundary_leads_40_to_7f) {
    check_four_byte_boundaries(0x40, 0x7F);
}

TEST(utf8_validator, four_byte_sequences_at_every_boundary_leads_80_to_bf) {
    check_four_byte_boundaries(0x80, 0xBF);
}

TEST(utf8_validator, four_byte_sequences_at_every_boundary_leads_c0_to_df) {
    check_four_byte_boundaries(0xC0, 0xDF);
}

TEST(utf8_validator, four_byte_sequences_at_every_boundary_leads_e0_to_ff) {
    check_four_byte_boundaries(0xE0, 0xFF);
}

TEST(utf8_validator, four_byte_code_point_limits) {
    expect_outcome(from_hex_list({0xF0, 0x90, 0x80, 0x80}), none, true);   // U+10000
    expect_outcome(from_hex_list({0xF0, 0x8F, 0xBF, 0xBF}), 1, false);     // overlong U+FFFF
    expect_outcome(from_hex_list({0xF4, 0x8F, 0xBF, 0xBF}), none, true);   // U+10FFFF
    expect_outcome(from_hex_list({0xF4, 0x90, 0x80, 0x80}), 1, false);     // U+110000
    expect_outcome(from_hex_list({0xF7, 0xBF, 0xBF, 0xBF}), 0, false);     // U+1FFFFF
    expect_outcome(from_hex_list({0xF3, 0xBF, 0xBF, 0xBF}), none, true);   // U+FFFFF
    expect_outcome(from_hex_list({0xF1, 0x80, 0x80, 0x80}), none, true);   // U+40000
    // Incomplete but viable: fine until finish().
    expect_outcome(from_hex_list({0xF4, 0x8F, 0xBF}), none, false);
    expect_outcome(from_hex_list({0xF0, 0x90}), none, false);
}

TEST(utf8_validator, surrogates_fail_at_their_second_byte) {
    for (unsigned b = 0xA0; b <= 0xBF; ++b)
        for (unsigned c = 0x80; c <= 0xBF; ++c)
            expect_outcome(from_hex_list({0xED, b, c}), 1, false);
    expect_outcome(from_hex_list({0xED, 0x9F, 0xBF}), none, true); // U+D7FF
    expect_outcome(from_hex_list({0xEE, 0x80, 0x80}), none, true); // U+E000
    // A CESU-8 style pair (U+D83D U+DE00) fails at the first surrogate.
    expect_outcome(from_hex_list({0xED, 0xA0, 0xBD, 0xED, 0xB8, 0x80}), 1, false);
    // "\xED" alone may still become U+D000..U+D7FF.
    expect_outcome(from_hex_list({0xED}), none, false);
}

TEST(utf8_validator, overlong_forms_fail_at_the_proving_byte) {
    // Kuhn 4.1-4.3: "/" and the largest overlong of each length.
    expect_outcome(from_hex_list({0xC0, 0xAF}), 0, false);
    expect_outcome(from_hex_list({0xE0, 0x80, 0xAF}), 1, false);
    expect_outcome(from_hex_list({0xF0, 0x80, 0x80, 0xAF}), 1, false);
    expect_outcome(from_hex_list({0xF8, 0x80, 0x80, 0x80, 0xAF}), 0, false);
    expect_outcome(from_hex_list({0xFC, 0x80, 0x80, 0x80, 0x80, 0xAF}), 0, false);
    expect_outcome(from_hex_list({0xC1, 0xBF}), 0, false);
    expect_outcome(from_hex_list({0xE0, 0x9F, 0xBF}), 1, false);
    expect_outcome(from_hex_list({0xF0, 0x8F, 0xBF, 0xBF}), 1, false);
    expect_outcome(from_hex_list({0xC0, 0x80}), 0, false); // overlong NUL
    expect_outcome(from_hex_list({0xE0, 0x80, 0x80}), 1, false);
    // Smallest non-overlong forms.
    expect_outcome(from_hex_list({0xC2, 0x80}), none, true);
    expect_outcome(from_hex_list({0xE0, 0xA0, 0x80}), none, true);
}

// ---------------------------------------------------------------- Markus Kuhn's test file

TEST(utf8_validator, kuhn_samples) {
    // 1: "κόσμε"
    expect_outcome(from_hex_list({0xCE, 0xBA, 0xE1, 0xBD, 0xB9, 0xCF, 0x83, 0xCE, 0xBC, 0xCE, 0xB5}),
                   none, true);
    // 2.1 first and 2.2 last code point of each length (valid ones only).
    expect_outcome(from_hex_list({0x00}), none, true);
    expect_outcome(from_hex_list({0xC2, 0x80}), none, true);
    expect_outcome(from_hex_list({0xE0, 0xA0, 0x80}), none, true);
    expect_outcome(from_hex_list({0xF0, 0x90, 0x80, 0x80}), none, true);
    expect_outcome(from_hex_list({0x7F}), none, true);
    expect_outcome(from_hex_list({0xDF, 0xBF}), none, true);
    expect_outcome(from_hex_list({0xEF, 0xBF, 0xBF}), none, true);  // U+FFFF: a noncharacter, valid
    // 2.1/2.2 five- and six-byte forms are not UTF-8.
    expect_outcome(from_hex_list({0xF8, 0x88, 0x80, 0x80, 0x80}), 0, false);
    expect_outcome(from_hex_list({0xFC, 0x84, 0x80, 0x80, 0x80, 0x80}), 0, false);
    expect_outcome(from_hex_list({0xF7, 0xBF, 0xBF, 0xBF}), 0, false);
    // 2.3 other boundaries.
    expect_outcome(from_hex_list({0xED, 0x9F, 0xBF}), none, true);
    expect_outcome(from_hex_list({0xEE, 0x80, 0x80}), none, true);
    expect_outcome(from_hex_list({0xEF, 0xBF, 0xBD}), none, true);
    expect_outcome(from_hex_list({0xF4, 0x8F, 0xBF, 0xBF}), none, true);
    expect_outcome(from_hex_list({0xF4, 0x90, 0x80, 0x80}), 1, false);
    // 3.1 unexpected continuation bytes.
    expect_outcome(from_hex_list({0x80}), 0, false);
    expect_outcome(from_hex_list({0xBF}), 0, false);
    expect_outcome(from_hex_list({0x80, 0xBF, 0x80, 0xBF}), 0, false);
    expect_outcome(from_hex_list({0x41, 0x42, 0x80}), 2, false);
    // 3.2 lonely start characters followed by a space.
    expect_outcome(from_hex_list({0xC0, 0x20}), 0, false);
    expect_outcome(from_hex_list({0xDF, 0x20}), 1, false);
    expect_outcome(from_hex_list({0xE0, 0x20}), 1, false);
    expect_outcome(from_hex_list({0xEF, 0x20}), 1, false);
    expect_outcome(from_hex_list({0xF0, 0x20}), 1, false);
    expect_outcome(from_hex_list({0xF4, 0x20}), 1, false);
    expect_outcome(from_hex_list({0xF8, 0x20}), 0, false);
    expect_outcome(from_hex_list({0xFC, 0x20}), 0, false);
    // 3.3 sequences with the last continuation byte missing (at the end of the text: viable
    // but incomplete; followed by ASCII: fail at the ASCII byte).
    expect_outcome(from_hex_list({0xDF}), none, false);
    expect_outcome(from_hex_list({0xEF, 0xBF}), none, false);
    expect_outcome(from_hex_list({0xF4, 0x8F, 0xBF}), none, false);
    expect_outcome(from_hex_list({0xE0, 0xA0, 0x41}), 2, false);
    expect_outcome(from_hex_list({0xF0, 0x90, 0x80, 0x41}), 3, false);
    // 3.4 concatenated incomplete sequences.
    expect_outcome(from_hex_list({0xC2, 0xE0, 0xA0, 0xF0, 0x90, 0x80}), 1, false);
    // 3.5 impossible bytes.
    expect_outcome(from_hex_list({0xFE}), 0, false);
    expect_outcome(from_hex_list({0xFF}), 0, false);
    expect_outcome(from_hex_list({0xFE, 0xFE, 0xFF, 0xFF}), 0, false);
    // 5.1 single surrogates, 5.2 paired surrogates.
    expect_outcome(from_hex_list({0xED, 0xA0, 0x80}), 1, false);
    expect_outcome(from_hex_list({0xED, 0xAD, 0xBF}), 1, false);
    expect_outcome(from_hex_list({0xED, 0xAE, 0x80}), 1, false);
    expect_outcome(from_hex_list({0xED, 0xAF, 0xBF}), 1, false);
    expect_outcome(from_hex_list({0xED, 0xB0, 0x80}), 1, false);
    expect_outcome(from_hex_list({0xED, 0xBE, 0x80}), 1, false);
    expect_outcome(from_hex_list({0xED, 0xBF, 0xBF}), 1, false);
    expect_outcome(from_hex_list({0xED, 0xA0, 0x80, 0xED, 0xB0, 0x80}), 1, false);
    // 5.3 noncharacters are valid UTF-8.
    expect_outcome(from_hex_list({0xEF, 0xBF, 0xBE}), none, true);
    expect_outcome(from_hex_list({0xEF, 0xB7, 0x90}), none, true);
    expect_outcome(from_hex_list({0xF4, 0x8F, 0xBF, 0xBE}), none, true);
}

TEST(utf8_validator, hello_world_in_several_scripts) {
    // Autobahn 6.2: "Hello-µ@ßöäüàá-UTF-8!!" in every split.
    const std::string s = "Hello-\xC2\xB5@\xC3\x9F\xC3\xB6\xC3\xA4\xC3\xBC\xC3\xA0\xC3\xA1-UTF-8!!";
    const bytes in(s.begin(), s.end());
    const reference_result ref = reference_check(in);
    ASSERT_TRUE(ref.complete);
    for (std::size_t a = 0; a <= in.size(); ++a)
        for (std::size_t b = a; b <= in.size(); ++b) {
            utf8_validator v;
            EXPECT_TRUE(v.write(std::span{in.data(), a}));
            EXPECT_TRUE(v.write(std::span{in.data() + a, b - a}));
            EXPECT_TRUE(v.write(std::span{in.data() + b, in.size() - b}));
            EXPECT_TRUE(v.finish());
            EXPECT_EQ(v.valid_bytes(), in.size());
        }
    EXPECT_TRUE(is_valid_utf8(s));
}

// ---------------------------------------------------------------- fast path

TEST(utf8_validator, bad_byte_at_every_offset_of_ascii_text) {
    // The ASCII skip works on 16- and 8-byte words: a bad byte at every offset of a long ASCII
    // text, and a multi-byte code point at every offset, must be found exactly.
    for (std::size_t len = 0; len < 80; ++len) {
        for (std::size_t at = 0; at < len; ++at) {
            bytes in(len, 'a');
            in[at] = 0xFF;
            utf8_validator v;
            EXPECT_FALSE(v.write(in)) << len << " " << at;
            EXPECT_EQ(v.valid_bytes(), at);
            EXPECT_FALSE(v.finish());
        }
        for (std::size_t at = 0; at + 3 <= len; ++at) {
            bytes in(len, 'a');
            in[at] = 0xE2; // U+20AC
            in[at + 1] = 0x82;
            in[at + 2] = 0xAC;
            EXPECT_TRUE(is_valid_utf8(in)) << len << " " << at;
            in[at + 1] = 0x41; // truncated: fails at the ASCII byte
            utf8_validator v;
            EXPECT_FALSE(v.write(in));
            EXPECT_EQ(v.valid_bytes(), at + 1);
        }
        bytes ascii(len, 'z');
        EXPECT_TRUE(is_valid_utf8(ascii));
        // A lead byte at the very end: viable, not finished.
        ascii.push_back(0xC3);
        utf8_validator v;
        EXPECT_TRUE(v.write(ascii));
        EXPECT_FALSE(v.finish());
        EXPECT_TRUE(v.write(from_hex_list({0xA9})));
        EXPECT_TRUE(v.finish());
        EXPECT_EQ(v.valid_bytes(), len + 2);
    }
}

TEST(utf8_validator, random_texts_in_random_pieces_agree_with_reference) {
    std::mt19937_64 rng(20261125);
    auto encode = [](std::uint32_t cp, bytes& out) {
        if (cp < 0x80) out.push_back(static_cast<std::uint8_t>(cp));
        else if (cp < 0x800) {
            out.push_back(static_cast<std::uint8_t>(0xC0 | (cp >> 6)));
            out.push_back(static_cast<std::uint8_t>(0x80 | (cp & 0x3F)));
        } else if (cp < 0x10000) {
            out.push_back(static_cast<std::uint8_t>(0xE0 | (cp >> 12)));
            out.push_back(static_cast<std::uint8_t>(0x80 | ((cp >> 6) & 0x3F)));
            out.push_back(static_cast<std::uint8_t>(0x80 | (cp & 0x3F)));
        } else {
            out.push_back(static_cast<std::uint8_t>(0xF0 | (cp >> 18)));
            out.push_back(static_cast<std::uint8_t>(0x80 | ((cp >> 12) & 0x3F)));
            out.push_back(static_cast<std::uint8_t>(0x80 | ((cp >> 6) & 0x3F)));
            out.push_back(static_cast<std::uint8_t>(0x80 | (cp & 0x3F)));
        }
    };
    for (int round = 0; round < 4000; ++round) {
        bytes in;
        const auto count = rng() % 200;
        for (std::uint64_t k = 0; k < count; ++k) {
            std::uint32_t cp = 0;
            switch (rng() % 4) {
            case 0: cp = static_cast<std::uint32_t>(rng() % 0x80); break;
            case 1: cp = static_cast<std::uint32_t>(0x80 + rng() % (0x800 - 0x80)); break;
            case 2: cp = static_cast<std::uint32_t>(0x800 + rng() % (0x10000 - 0x800)); break;
            default: cp = static_cast<std::uint32_t>(0x10000 + rng() % (0x110000 - 0x10000)); break;
            }
            if (cp >= 0xD800 && cp <= 0xDFFF) cp = 0x41;
            encode(cp, in);
        }
        // Half the rounds get one random byte replaced (which may or may not break the text).
        if (round % 2 == 1 && !in.empty())
            in[rng() % in.size()] = static_cast<std::uint8_t>(rng());
        const reference_result ref = reference_check(in);
        if (round % 2 == 0) {
            ASSERT_TRUE(ref.complete);
        }
        utf8_validator v;
        std::size_t pos = 0;
        bool failed = false;
        while (pos < in.size()) {
            const std::size_t n = std::min<std::size_t>(in.size() - pos, 1 + rng() % 40);
            const bool ok = v.write(std::span{in.data() + pos, n});
            const bool holds_bad = ref.first_bad != none && ref.first_bad >= pos &&
                                   ref.first_bad < pos + n;
            ASSERT_EQ(ok, !failed && !holds_bad) << hex(in);
            failed = failed || !ok;
            pos += n;
        }
        EXPECT_EQ(v.finish(), ref.complete) << hex(in);
        EXPECT_EQ(v.valid_bytes(), ref.first_bad == none ? in.size() : ref.first_bad) << hex(in);
        EXPECT_EQ(is_valid_utf8(in), ref.complete);
    }
}

// ---------------------------------------------------------------- API contract

TEST(utf8_validator, stays_failed_until_reset) {
    utf8_validator v;
    EXPECT_FALSE(v.write(std::string_view{"ab\xC0"}));
    EXPECT_FALSE(v.ok());
    EXPECT_EQ(v.valid_bytes(), 2u);
    EXPECT_FALSE(v.write(std::string_view{"plain ascii"}));
    EXPECT_FALSE(v.write(std::string_view{}));
    EXPECT_EQ(v.valid_bytes(), 2u);
    EXPECT_FALSE(v.finish());
    v.reset();
    EXPECT_TRUE(v.ok());
    EXPECT_TRUE(v.finish());
    EXPECT_EQ(v.valid_bytes(), 0u);
    EXPECT_TRUE(v.write(std::string_view{"plain ascii"}));
    EXPECT_TRUE(v.finish());
    EXPECT_EQ(v.valid_bytes(), 11u);
}

TEST(utf8_validator, incomplete_sequence_is_ok_but_not_finished) {
    utf8_validator v;
    EXPECT_TRUE(v.write(std::string_view{"\xF0\x9F"}));
    EXPECT_TRUE(v.ok());
    EXPECT_FALSE(v.finish());
    EXPECT_EQ(v.valid_bytes(), 2u);
    EXPECT_TRUE(v.write(std::string_view{"\x98"}));
    EXPECT_FALSE(v.finish());
    EXPECT_TRUE(v.write(std::string_view{"\x80"})); // U+1F600
    EXPECT_TRUE(v.finish());
}

TEST(utf8_validator, whole_buffer_helper) {
    EXPECT_TRUE(is_valid_utf8(std::string_view{}));
    EXPECT_TRUE(is_valid_utf8(std::string_view{"\xE2\x82\xAC"}));
    EXPECT_FALSE(is_valid_utf8(std::string_view{"\xE2\x82"}));   // incomplete
    EXPECT_FALSE(is_valid_utf8(std::string_view{"\xED\xA0\x80"})); // surrogate
}

} // namespace
} // namespace wscheck::proto
