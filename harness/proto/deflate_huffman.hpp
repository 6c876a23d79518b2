// Decoding tables for DEFLATE's canonical Huffman codes (RFC 1951 3.2.2), for deflate_decoder.
//
// A table is indexed by the next `root` bits of input (DEFLATE packs a code's first bit
// lowest), and one 32-bit entry tells the decoder all it needs at once: what the code means
// (a literal, a length or distance base with its count of extra bits, the end of the block,
// a code-length symbol, or a code the stream may not use) and how many bits to drop, extra
// bits included, so that a literal or a whole length costs one lookup and one shift. A code
// shorter than `root` bits fills every entry whose low bits are the code. A code longer than
// `root` goes through a second-level table: its root entry points there, and the next bits
// index it (zlib's scheme, with a wider root: 10 bits for literal/length codes, where zlib
// takes 9, and 8 for distances, where zlib takes 6, so that most codes take one lookup).
//
// Which sets of code lengths are accepted is zlib 1.2.13's rule (inftrees.c), not only RFC
// 1951's, since the decoder must accept exactly what zlib's inflate does:
//   - over-subscribed (Kraft sum above 1): refused;
//   - incomplete: refused, except a code whose longest length is 1 (one 1-bit code) for
//     literal/length and distance codes; the other 1-bit pattern is then a code the stream
//     may not use, an error only when it appears;
//   - no code at all: accepted, every pattern a 1-bit code that is an error if used (an
//     empty distance code in a block of literals only); for the code-length code zlib's
//     table then reads every symbol as length 0 in one bit, and so does this one;
//   - literal/length symbols 286 and 287 and distance symbols 30 and 31, which the fixed
//     codes define, are codes the stream may not use.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace wscheck::proto::huffman {

using entry = std::uint32_t;

/// A literal: its byte is value().
inline constexpr entry literal_flag = 0x8000'0000u;
/// Not a literal, length or distance: the end of the block, a pointer to a second-level
/// table, or a code the stream may not use (neither of the two flags below).
inline constexpr entry exceptional_flag = 0x8000u;
inline constexpr entry subtable_flag = 0x4000u;
inline constexpr entry end_of_block_flag = 0x2000u;

/// Bits the entry accounts for: its code in this table plus, for a length or a distance, the
/// extra bits after it; for a pointer to a second-level table, the root bits.
constexpr unsigned entry_bits(entry e) noexcept { return e & 0xffu; }
/// The code's own bits in this table (the extra bits follow them); for a pointer, the
/// second-level table's index bits.
constexpr unsigned code_bits(entry e) noexcept { return (e >> 8) & 0xfu; }
/// The literal byte, the code-length symbol, the base length or distance, or the pointer's
/// offset of its second-level table.
constexpr unsigned value(entry e) noexcept { return (e >> 16) & 0x7fffu; }
/// value() plus the extra bits, where `bits` is the input from the entry's code on.
inline unsigned value_with_extra(entry e, std::uint64_t bits) noexcept {
    const std::uint64_t mine = bits & ((std::uint64_t{1} << entry_bits(e)) - 1);
    return value(e) + static_cast<unsigned>(mine >> code_bits(e));
}

enum class code_kind : std::uint8_t {
    code_lengths,   ///< the code-length code of a dynamic block header (symbols 0-18)
    literal_length, ///< literals, the end of block, lengths (symbols 0-287)
    distance,       ///< distances (symbols 0-31)
};

inline constexpr unsigned literal_length_root_bits = 10;
inline constexpr unsigned distance_root_bits = 8;
inline constexpr unsigned code_length_root_bits = 7; // the longest code-length code

/// Entries a table may need: the root, and second-level tables for codes of up to 15 bits.
/// A second-level table of 2^s entries is full (the code is complete whenever a code is
/// longer than 1 bit) and holds a code of root + s bits, so it holds at least s + 1 codes;
/// 2^s / (s + 1) grows with s, so the most entries `symbols` codes can need is with tables
/// of the largest s, 15 - root bits, each of 16 - root codes.
constexpr std::size_t table_size(unsigned root, unsigned symbols) noexcept {
    const unsigned widest = 15 - root;
    return (std::size_t{1} << root) + ((symbols + widest) / (widest + 1)) * (std::size_t{1} << widest);
}
inline constexpr std::size_t literal_length_table_size = table_size(literal_length_root_bits, 288);
inline constexpr std::size_t distance_table_size = table_size(distance_root_bits, 32);
inline constexpr std::size_t code_length_table_size = std::size_t{1} << code_length_root_bits;

/// Fills `table` (of the size above for `kind`) to decode the code whose lengths are
/// `lengths` (one per symbol, 0 for an unused symbol, at most 15). False when zlib's inflate
/// would refuse these lengths (see the top of this file); the table is then meaningless.
bool build(code_kind kind, std::span<const std::uint8_t> lengths, std::span<entry> table) noexcept;

/// The fixed codes of RFC 1951 3.2.6, built once.
struct fixed_codes {
    entry literal_length[literal_length_table_size];
    entry distance[distance_table_size];
};
const fixed_codes& fixed() noexcept;

} // namespace wscheck::proto::huffman
