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

constexpr std::uint64_t high_bits = 0x8080'8080'8080'8080ull;

std::uint64_t load_word(const std::uint8_t* p) noexcept {
    std::uint64_t w;
    std::memcpy(&w, p, sizeof w); // unaligned load without reading past the input
    return w;
}

/// Offset of the first byte of `p[0..8)` with its high bit set, given that `mask` (the word
/// ANDed with high_bits) is not zero.
std::size_t first_high_byte(std::uint64_t mask) noexcept {
    if constexpr (std::endian::native == std::endian::little)
        return static_cast<std::size_t>(std::countr_zero(mask)) / 8;
    else
        return static_cast<std::size_t>(std::countl_zero(mask)) / 8;
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
            // Fast path: between code points, skip ASCII 16 and then 8 bytes at a time.
            while (n - i >= 16) {
                const std::uint64_t a = load_word(p + i);
                const std::uint64_t b = load_word(p + i + 8);
                if (((a | b) & high_bits) != 0)
                    break;
                i += 16;
            }
            while (n - i >= 8) {
                const std::uint64_t m = load_word(p + i) & high_bits;
                if (m != 0) {
                    i += first_high_byte(m); // the ASCII bytes before the first non-ASCII one
                    break;
                }
                i += 8;
            }
            if (i == n)
                break;
        }
        s = transitions[transition_index(s, classes[p[i]])];
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
