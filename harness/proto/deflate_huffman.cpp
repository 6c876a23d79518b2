#include "harness/proto/deflate_huffman.hpp"

#include <algorithm>
#include <array>
#include <cstring>

namespace wscheck::proto::huffman {
namespace {

constexpr unsigned max_code_bits = 15;
constexpr unsigned max_symbols = 288;

// RFC 1951 3.2.5: lengths 3-258 (symbols 257-285) and distances 1-32768 (0-29).
constexpr std::array<std::uint16_t, 29> length_base{3,  4,  5,  6,  7,  8,  9,  10, 11,  13,  15,  17,  19,  23, 27,
                                                     31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258};
constexpr std::array<std::uint8_t, 29> length_extra{0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                                                    2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
constexpr std::array<std::uint16_t, 30> distance_base{1,    2,    3,    4,    5,    7,     9,     13,    17,  25,
                                                      33,   49,   65,   97,   129,  193,   257,   385,   513, 769,
                                                      1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
constexpr std::array<std::uint8_t, 30> distance_extra{0, 0, 0, 0, 1, 1, 2, 2,  3,  3,  4,  4,  5,  5,  6,
                                                      6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};

constexpr entry make_entry(entry flags, unsigned value, unsigned code, unsigned extra) noexcept {
    return flags | (entry{value} << 16) | (entry{code} << 8) | entry{code + extra};
}

/// A code the stream may not use, `code` bits long.
constexpr entry unusable(unsigned code) noexcept { return make_entry(exceptional_flag, 0, code, 0); }

/// The entry for `symbol` with a code of `code` bits (in this table).
entry symbol_entry(code_kind kind, unsigned symbol, unsigned code) noexcept {
    switch (kind) {
    case code_kind::code_lengths:
        return make_entry(0, symbol, code, 0);
    case code_kind::literal_length:
        if (symbol < 256) {
            return make_entry(literal_flag, symbol, code, 0);
        }
        if (symbol == 256) {
            return make_entry(exceptional_flag | end_of_block_flag, 0, code, 0);
        }
        if (symbol < 286) {
            return make_entry(0, length_base[symbol - 257], code, length_extra[symbol - 257]);
        }
        return unusable(code);
    case code_kind::distance:
        if (symbol < 30) {
            return make_entry(0, distance_base[symbol], code, distance_extra[symbol]);
        }
        return unusable(code);
    }
    return unusable(code);
}

/// The low `bits` bits of `code` in reverse order: a canonical code (first bit highest) as
/// it indexes a table (first bit lowest).
constexpr unsigned reversed(unsigned code, unsigned bits) noexcept {
    code = ((code & 0x5555u) << 1) | ((code >> 1) & 0x5555u);
    code = ((code & 0x3333u) << 2) | ((code >> 2) & 0x3333u);
    code = ((code & 0x0f0fu) << 4) | ((code >> 4) & 0x0f0fu);
    code = ((code & 0x00ffu) << 8) | ((code >> 8) & 0x00ffu);
    return code >> (16 - bits);
}

unsigned root_bits(code_kind kind) noexcept {
    switch (kind) {
    case code_kind::code_lengths:
        return code_length_root_bits;
    case code_kind::literal_length:
        return literal_length_root_bits;
    case code_kind::distance:
        return distance_root_bits;
    }
    return 0;
}

/// How many symbols have each length. Four counts kept apart and added at the end: runs of
/// one length (most symbols are unused) would otherwise wait on each other's increments.
std::array<unsigned, max_code_bits + 1> count_lengths(std::span<const std::uint8_t> lengths) noexcept {
    std::array<std::array<unsigned, max_code_bits + 1>, 4> partial{};
    std::size_t i = 0;
    for (; i + 4 <= lengths.size(); i += 4) {
        ++partial[0][lengths[i]];
        ++partial[1][lengths[i + 1]];
        ++partial[2][lengths[i + 2]];
        ++partial[3][lengths[i + 3]];
    }
    for (; i < lengths.size(); ++i) {
        ++partial[0][lengths[i]];
    }
    std::array<unsigned, max_code_bits + 1> count{};
    for (std::size_t bits = 0; bits <= max_code_bits; ++bits) {
        count[bits] = partial[0][bits] + partial[1][bits] + partial[2][bits] + partial[3][bits];
    }
    return count;
}

} // namespace

bool build(code_kind kind, std::span<const std::uint8_t> lengths, std::span<entry> table) noexcept {
    const unsigned root = root_bits(kind);
    const std::size_t root_size = std::size_t{1} << root;

    const std::array<unsigned, max_code_bits + 1> count = count_lengths(lengths);
    unsigned longest = max_code_bits;
    while (longest > 0 && count[longest] == 0) {
        --longest;
    }
    if (longest == 0) {
        // No code at all: zlib accepts it, as a table of 1-bit codes that are errors to use,
        // except that its code-length decoder does not look at that mark and reads each one
        // as length 0.
        const entry e = kind == code_kind::code_lengths ? make_entry(0, 0, 1, 0) : unusable(1);
        std::fill_n(table.begin(), root_size, e);
        return true;
    }
    int left = 1;
    for (unsigned bits = 1; bits <= max_code_bits; ++bits) {
        left = 2 * left - static_cast<int>(count[bits]);
        if (left < 0) {
            return false; // over-subscribed
        }
    }
    if (left > 0 && (kind == code_kind::code_lengths || longest != 1)) {
        return false; // incomplete, beyond zlib's allowance for a single 1-bit code
    }

    // Symbols in canonical order: by code length, then by symbol. The used ones are picked
    // out first without a branch: a counting sort waits on its counter from one symbol to the
    // next of the same length, and the unused ones are most of them in most blocks.
    std::array<std::uint16_t, max_symbols> used; // filled below, as far as it is read
    std::size_t used_count = 0;
    for (std::size_t symbol = 0; symbol < lengths.size(); ++symbol) {
        used[used_count] = static_cast<std::uint16_t>(symbol);
        used_count += lengths[symbol] != 0 ? 1u : 0u;
    }
    std::array<std::uint16_t, max_code_bits + 1> start{};
    for (unsigned bits = 1; bits < max_code_bits; ++bits) {
        start[bits + 1] = static_cast<std::uint16_t>(start[bits] + count[bits]);
    }
    std::array<std::uint16_t, max_symbols> sorted; // likewise
    for (std::size_t i = 0; i < used_count; ++i) {
        sorted[start[lengths[used[i]]]++] = used[i];
    }

    // The root, one code length at a time: the first 2^bits entries hold every code of at
    // most `bits` bits, each where its reversed code is; doubling them (the next bit either
    // way) makes room for the codes one bit longer. What no code claims keeps the mark of a
    // 1-bit code the stream may not use (only an incomplete code leaves any).
    table[0] = unusable(1);
    table[1] = unusable(1);
    std::size_t filled = 2;
    std::size_t next = 0; // in `sorted`
    unsigned code = 0;    // the next canonical code
    for (unsigned bits = 1; bits <= root; ++bits) {
        for (unsigned n = count[bits]; n > 0; --n, ++code) {
            table[reversed(code, bits)] = symbol_entry(kind, sorted[next++], bits);
        }
        code <<= 1;
        if (bits < root) {
            std::memcpy(&table[filled], &table[0], filled * sizeof(entry));
            filled *= 2;
        }
    }

    // Longer codes: second-level tables, one per root prefix, each just wide enough for the
    // codes that share the prefix (zlib's rule: widen while the remaining codes of the next
    // lengths do not fill it).
    std::array<unsigned, max_code_bits + 1> remaining = count;
    std::size_t table_end = root_size;
    std::size_t sub_start = 0;
    unsigned sub_bits = 0;
    unsigned prefix = ~0u;
    for (unsigned bits = root + 1; bits <= longest; ++bits) {
        const unsigned tail = bits - root;
        for (unsigned n = count[bits]; n > 0; --n, ++code) {
            if ((code >> tail) != prefix) {
                prefix = code >> tail;
                sub_bits = tail;
                int space = 1 << sub_bits;
                while (root + sub_bits < longest) {
                    space -= static_cast<int>(remaining[root + sub_bits]);
                    if (space <= 0) {
                        break;
                    }
                    ++sub_bits;
                    space <<= 1;
                }
                sub_start = table_end;
                table_end += std::size_t{1} << sub_bits;
                table[reversed(prefix, root)] = make_entry(exceptional_flag | subtable_flag,
                                                           static_cast<unsigned>(sub_start), sub_bits, root - sub_bits);
            }
            const entry e = symbol_entry(kind, sorted[next++], tail);
            for (std::size_t i = reversed(code & ((1u << tail) - 1), tail); i < (std::size_t{1} << sub_bits);
                 i += std::size_t{1} << tail) {
                table[sub_start + i] = e;
            }
            --remaining[bits];
        }
        code <<= 1;
    }
    return true;
}

const fixed_codes& fixed() noexcept {
    static const fixed_codes codes = [] {
        fixed_codes c{};
        std::array<std::uint8_t, 288> literal_length{};
        std::fill_n(literal_length.begin(), 144, std::uint8_t{8});
        std::fill_n(literal_length.begin() + 144, 112, std::uint8_t{9});
        std::fill_n(literal_length.begin() + 256, 24, std::uint8_t{7});
        std::fill_n(literal_length.begin() + 280, 8, std::uint8_t{8});
        std::array<std::uint8_t, 32> distance{};
        distance.fill(5);
        build(code_kind::literal_length, literal_length, c.literal_length);
        build(code_kind::distance, distance, c.distance);
        return c;
    }();
    return codes;
}

} // namespace wscheck::proto::huffman
