// A table-driven DFA for RFC 3629 UTF-8 (after Hoehrmann's design, with our own states): each
// byte is mapped to a class, and (state, class) to the next state. Every state that waits for
// a continuation byte knows exactly which range of continuation bytes may come next, so a
// sequence that can only become an overlong form, a surrogate or a code point above U+10FFFF is
// rejected at the first byte that proves it (8.1 of RFC 6455 lets an endpoint fail fast; the
// Autobahn 6.x cases check that it does).
//
// RFC 3629 4, the well-formed sequences:
//   00..7F
//   C2..DF 80..BF
//   E0     A0..BF 80..BF        (E0 80..9F would be overlong)
//   E1..EC 80..BF 80..BF
//   ED     80..9F 80..BF        (ED A0..BF would be a surrogate, U+D800..U+DFFF)
//   EE..EF 80..BF 80..BF
//   F0     90..BF 80..BF 80..BF (F0 80..8F would be overlong)
//   F1..F3 80..BF 80..BF 80..BF
//   F4     80..8F 80..BF 80..BF (F4 90..BF would be above U+10FFFF)
// C0, C1 (only overlong 2-byte forms) and F5..FF (only code points above U+10FFFF) never occur.
//
// Speed: between code points, skip_valid() runs ahead of the DFA over ASCII a word at a time
// and over whole multi-byte code points in one check each; the DFA steps byte by byte only
// through the last few bytes of a write, a code point split between writes, and invalid text
// (to find the exact failing byte).
#include "harness/proto/utf8.hpp"

#include <array>
#include <bit>
#include <cstring>

namespace wscheck::proto {
namespace {

// ---- byte classes ----
enum byte_class : std::uint8_t {
    c_ascii,     // 00..7F
    c_cont_8x,   // 80..8F
    c_cont_9x,   // 90..9F
    c_cont_ab,   // A0..BF
    c_invalid,   // C0, C1, F5..FF
    c_lead2,     // C2..DF
    c_e0,        // E0
    c_lead3,     // E1..EC, EE, EF
    c_ed,        // ED
    c_f0,        // F0
    c_lead4,     // F1..F3
    c_f4,        // F4
};
constexpr std::size_t class_count = c_f4 + 1;

// ---- states; accept and reject are the public constants ----
enum state_id : std::uint8_t {
    s_accept = utf8_validator::accept,
    s_reject = utf8_validator::reject,
    s_tail1,     // one more 80..BF
    s_tail2,     // two more 80..BF
    s_e0,        // after E0: A0..BF, then one more
    s_ed,        // after ED: 80..9F, then one more
    s_tail3,     // three more 80..BF
    s_f0,        // after F0: 90..BF, then two more
    s_f4,        // after F4: 80..8F, then two more
};
constexpr std::size_t state_count = s_f4 + 1;

constexpr std::array<std::uint8_t, 256> make_classes() {
    std::array<std::uint8_t, 256> t{};
    for (unsigned b = 0; b < 256; ++b) {
        std::uint8_t c = c_invalid;
        if (b <= 0x7F) c = c_ascii;
        else if (b <= 0x8F) c = c_cont_8x;
        else if (b <= 0x9F) c = c_cont_9x;
        else if (b <= 0xBF) c = c_cont_ab;
        else if (b <= 0xC1) c = c_invalid;
        else if (b <= 0xDF) c = c_lead2;
        else if (b == 0xE0) c = c_e0;
        else if (b == 0xED) c = c_ed;
        else if (b <= 0xEF) c = c_lead3;
        else if (b == 0xF0) c = c_f0;
        else if (b <= 0xF3) c = c_lead4;
        else if (b == 0xF4) c = c_f4;
        t[b] = c;
    }
    return t;
}

constexpr std::size_t transition_index(unsigned state, unsigned cls) {
    return state * class_count + cls;
}

constexpr std::array<std::uint8_t, state_count * class_count> make_transitions() {
    std::array<std::uint8_t, state_count * class_count> t{};
    for (auto& s : t) s = s_reject; // anything not listed below proves the text invalid
    auto set = [&t](unsigned from, unsigned cls, std::uint8_t to) { t[transition_index(from, cls)] = to; };

    // Between code points: a lead byte says how many continuation bytes follow, and for the
    // four leads with a narrower second byte, which ones.
    set(s_accept, c_ascii, s_accept);
    set(s_accept, c_lead2, s_tail1);
    set(s_accept, c_e0, s_e0);
    set(s_accept, c_lead3, s_tail2);
    set(s_accept, c_ed, s_ed);
    set(s_accept, c_f0, s_f0);
    set(s_accept, c_lead4, s_tail3);
    set(s_accept, c_f4, s_f4);

    for (unsigned cls : {c_cont_8x, c_cont_9x, c_cont_ab}) {
        set(s_tail1, cls, s_accept);
        set(s_tail2, cls, s_tail1);
        set(s_tail3, cls, s_tail2);
    }
    set(s_e0, c_cont_ab, s_tail1);  // E0 80..9F: overlong
    set(s_ed, c_cont_8x, s_tail1);  // ED A0..BF: surrogate
    set(s_ed, c_cont_9x, s_tail1);
    set(s_f0, c_cont_9x, s_tail2);  // F0 80..8F: overlong
    set(s_f0, c_cont_ab, s_tail2);
    set(s_f4, c_cont_8x, s_tail2);  // F4 90..BF: above U+10FFFF
    // s_reject has no way out: every entry of its row stays s_reject.
    return t;
}

constexpr auto classes = make_classes();
constexpr auto transitions = make_transitions();

constexpr unsigned next_state(unsigned state, std::uint8_t byte) {
    return transitions[transition_index(state, classes[byte])];
}

// ---- the bulk path's view of the same automaton ----
//
// Inside a buffer, skip_valid() checks whole code points directly (a lead byte, a range for
// the second byte, plain continuation bytes after it) instead of one table step per byte. Its
// constants are written out for speed; here the lengths and second-byte ranges are derived
// from the DFA and the static_asserts pin them to the values skip_valid() uses.
struct lead_info {
    std::uint8_t length = 0;       ///< bytes in the sequence; 0 for a byte that cannot lead
    std::uint8_t second_lo = 0xFF; ///< allowed second bytes; an empty range (lo > hi) for a
    std::uint8_t second_hi = 0x00; ///< byte that cannot lead, so any second byte fails
};

constexpr std::array<lead_info, 256> make_leads() {
    std::array<lead_info, 256> t{};
    for (unsigned b = 0x80; b < 256; ++b) {
        const unsigned s1 = next_state(s_accept, static_cast<std::uint8_t>(b));
        if (s1 == s_reject)
            continue;
        // Count the bytes to the end of the code point, stepping with any allowed
        // continuation byte (every state after a lead accepts some).
        unsigned length = 1;
        for (unsigned s = s1; s != s_accept && s != s_reject && length <= 4; ++length) {
            unsigned next = s_reject;
            for (unsigned x = 0x80; x <= 0xBF && next == s_reject; ++x)
                next = next_state(s, static_cast<std::uint8_t>(x));
            s = next;
        }
        unsigned lo = 0xFF, hi = 0;
        for (unsigned x = 0x80; x <= 0xBF; ++x)
            if (next_state(s1, static_cast<std::uint8_t>(x)) != s_reject) {
                lo = x < lo ? x : lo;
                hi = x;
            }
        t[b] = {static_cast<std::uint8_t>(length), static_cast<std::uint8_t>(lo),
                static_cast<std::uint8_t>(hi)};
    }
    return t;
}

constexpr auto leads = make_leads();

// The derivation above must give RFC 3629's table.
static_assert(leads[0xC2].length == 2 && leads[0xDF].length == 2 && leads[0xC1].length == 0);
static_assert(leads[0xE0].length == 3 && leads[0xE0].second_lo == 0xA0 && leads[0xE0].second_hi == 0xBF);
static_assert(leads[0xED].length == 3 && leads[0xED].second_lo == 0x80 && leads[0xED].second_hi == 0x9F);
static_assert(leads[0xEF].length == 3 && leads[0xEF].second_lo == 0x80 && leads[0xEF].second_hi == 0xBF);
static_assert(leads[0xF0].length == 4 && leads[0xF0].second_lo == 0x90 && leads[0xF0].second_hi == 0xBF);
static_assert(leads[0xF3].length == 4 && leads[0xF3].second_lo == 0x80 && leads[0xF3].second_hi == 0xBF);
static_assert(leads[0xF4].length == 4 && leads[0xF4].second_lo == 0x80 && leads[0xF4].second_hi == 0x8F);
static_assert(leads[0xF5].length == 0 && leads[0x80].length == 0 && leads[0xFF].length == 0);
static_assert(leads[0xC0].second_lo > leads[0xC0].second_hi && leads[0xF5].second_lo > leads[0xF5].second_hi);

/// Every lead byte, against the rules skip_valid() hard-codes: C2..DF take two bytes, E0..EF
/// three, F0..F4 four; the second byte is any continuation byte except after E0, ED, F0, F4;
/// 80..C1 and F5..FF cannot lead.
constexpr bool bulk_rules_match_dfa() {
    for (unsigned b = 0x80; b < 0x100; ++b) {
        const lead_info& l = leads[b];
        unsigned length = 0, lo = 0x80, hi = 0xBF;
        if (b >= 0xC2 && b <= 0xDF) length = 2;
        else if (b >= 0xE0 && b <= 0xEF) length = 3;
        else if (b >= 0xF0 && b <= 0xF4) length = 4;
        if (b == 0xE0) lo = 0xA0;
        if (b == 0xED) hi = 0x9F;
        if (b == 0xF0) lo = 0x90;
        if (b == 0xF4) hi = 0x8F;
        if (l.length != length)
            return false;
        if (length != 0 && (l.second_lo != lo || l.second_hi != hi))
            return false;
    }
    return true;
}
static_assert(bulk_rules_match_dfa());

constexpr std::uint64_t high_bits = 0x8080'8080'8080'8080ull;

std::uint64_t load_word(const std::uint8_t* p) noexcept {
    std::uint64_t w;
    std::memcpy(&w, p, sizeof w); // unaligned load without reading past the input
    return w;
}

/// Offset of the first byte of an 8-byte word with its high bit set, given `mask` (the word
/// ANDed with high_bits), which is not zero.
std::size_t first_high_byte(std::uint64_t mask) noexcept {
    if constexpr (std::endian::native == std::endian::little)
        return static_cast<std::size_t>(std::countr_zero(mask)) / 8;
    else
        return static_cast<std::size_t>(std::countl_zero(mask)) / 8;
}

bool is_continuation(std::uint8_t b) noexcept { return (b & 0xC0) == 0x80; }

/// From `i`, between code points, skips every complete and valid code point it can check
/// without running off the end. Returns where it stopped: the last few bytes of the input, a
/// sequence split by the end of the input, or an invalid one, which the DFA then walks byte
/// by byte to find the exact byte that fails.
///
/// The checks are branches on the lead byte rather than table loads: predicted branches let
/// the CPU run ahead to the next code point, where a load would chain each code point's
/// latency to the one before. Their constants are RFC 3629's table, checked against the DFA
/// by the static_asserts above.
std::size_t skip_valid(const std::uint8_t* const p, std::size_t i, std::size_t n) noexcept {
    // Pure ASCII, 16 bytes at a time.
    while (n - i >= 16) {
        if (((load_word(p + i) | load_word(p + i + 8)) & high_bits) != 0)
            break;
        i += 16;
    }
    if (n - i < 4)
        return i;
    const std::uint8_t* q = p + i;
    const std::uint8_t* const last4 = p + n - 3;             // q < last4: q[0..3] readable
    const std::uint8_t* const last8 = n >= 8 ? p + n - 7 : p; // q < last8: q[0..7] readable
    while (q < last4) {
        const std::uint8_t b0 = q[0];
        if (b0 < 0x80) {
            ++q;
            // A run of ASCII inside mixed text: skip to its end a word at a time.
            if (q < last8 && *q < 0x80) {
                const std::uint64_t m = load_word(q) & high_bits;
                q += m == 0 ? 8 : first_high_byte(m);
            }
            continue;
        }
        const std::uint8_t b1 = q[1];
        if (b0 < 0xE0) {
            // C2..DF 80..BF (C0, C1 and lone continuation bytes end up here too, and stop)
            if (b0 < 0xC2 || !is_continuation(b1))
                break;
            q += 2;
            // Two-byte scripts (Cyrillic, Greek, Hebrew, Arabic) come in runs: stay in a
            // tight loop while they last.
            while (q < last4 && static_cast<std::uint8_t>(q[0] - 0xC2) < 0x1E &&
                   is_continuation(q[1]))
                q += 2;
            continue;
        }
        if (b0 < 0xF0) {
            // E0 A0..BF, ED 80..9F, other E1..EF 80..BF; then 80..BF
            if (!is_continuation(b1) || !is_continuation(q[2]))
                break;
            if ((b0 == 0xE0 && b1 < 0xA0) || (b0 == 0xED && b1 > 0x9F))
                break;
            q += 3;
            continue;
        }
        // F0 90..BF, F4 80..8F, F1..F3 80..BF; then 80..BF 80..BF; F5..FF never
        if (b0 > 0xF4 || !is_continuation(b1) || !is_continuation(q[2]) ||
            !is_continuation(q[3]))
            break;
        if ((b0 == 0xF0 && b1 < 0x90) || (b0 == 0xF4 && b1 > 0x8F))
            break;
        q += 4;
    }
    return static_cast<std::size_t>(q - p);
}

} // namespace

bool utf8_validator::write(std::span<const std::uint8_t> data) noexcept {
    if (state_ == reject)
        return false;
    const std::uint8_t* const p = data.data();
    const std::size_t n = data.size();
    std::size_t i = 0;
    unsigned s = state_;
    while (i < n) {
        if (s == s_accept) {
            i = skip_valid(p, i, n);
            if (i == n)
                break;
        }
        s = next_state(s, p[i]);
        if (s == s_reject) {
            // Fail fast: p[i] is the first byte that no valid text can contain here.
            valid_bytes_ += i;
            state_ = reject;
            return false;
        }
        ++i;
    }
    valid_bytes_ += n;
    state_ = static_cast<std::uint8_t>(s);
    return true;
}

bool is_valid_utf8(std::span<const std::uint8_t> data) noexcept {
    utf8_validator v;
    return v.write(data) && v.finish();
}

} // namespace wscheck::proto
