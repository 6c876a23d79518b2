// Hand-built raw DEFLATE streams (RFC 1951) for the decoder's tests: any block, valid or not,
// bit by bit, where zlib's deflate only ever writes valid ones.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace wscheck::proto::testing {

/// RFC 1951 3.2.5: base length of symbols 257-285 and distance of symbols 0-29, extra bits.
inline constexpr std::array<unsigned, 29> length_base{3,  4,  5,  6,  7,  8,  9,  10, 11,  13,  15,  17,  19,  23, 27,
                                                      31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258};
inline constexpr std::array<unsigned, 29> length_extra{0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                                                       2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
inline constexpr std::array<unsigned, 30> distance_base{1,    2,    3,    4,    5,    7,     9,     13,    17,  25,
                                                        33,   49,   65,   97,   129,  193,   257,   385,   513, 769,
                                                        1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
inline constexpr std::array<unsigned, 30> distance_extra{0, 0, 0, 0, 1, 1, 2, 2,  3,  3,  4,  4,  5,  5,  6,
                                                         6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};

class deflate_writer {
public:
    /// `count` bits of `value`, lowest first (how DEFLATE packs everything but codes).
    /// Past 32, the bits are 0.
    deflate_writer& bits(std::uint32_t value, unsigned count) {
        for (unsigned i = 0; i < count; ++i) {
            put(i < 32 ? (value >> i) & 1u : 0u);
        }
        return *this;
    }
    /// A Huffman code of `length` bits, its first (highest) bit first (RFC 1951 3.1.1).
    deflate_writer& code(std::uint32_t value, unsigned length) {
        for (unsigned i = length; i > 0; --i) {
            put((value >> (i - 1)) & 1u);
        }
        return *this;
    }
    deflate_writer& header(bool final, unsigned type) { return bits(final ? 1 : 0, 1).bits(type, 2); }
    deflate_writer& align() {
        while (count_ % 8 != 0) {
            put(0);
        }
        return *this;
    }
    /// A stored block holding `data` (at most 65535 bytes).
    deflate_writer& stored(bool final, std::span<const std::uint8_t> data) {
        header(final, 0).align();
        bits(static_cast<std::uint32_t>(data.size()), 16).bits(static_cast<std::uint32_t>(data.size()) ^ 0xffffu, 16);
        for (const std::uint8_t b : data) {
            bits(b, 8);
        }
        return *this;
    }

    /// What ends a permessage-deflate message before its tail is removed (7.2.1): an empty
    /// stored block, leaving the stream byte-aligned between blocks.
    deflate_writer& sync() { return stored(false, {}); }

    // ---- the fixed codes (RFC 1951 3.2.6); the block header is the caller's

    deflate_writer& fixed_symbol(unsigned symbol) {
        if (symbol < 144) {
            return code(0x30 + symbol, 8);
        }
        if (symbol < 256) {
            return code(0x190 + symbol - 144, 9);
        }
        if (symbol < 280) {
            return code(symbol - 256, 7);
        }
        return code(0xc0 + symbol - 280, 8);
    }
    deflate_writer& fixed_literals(std::span<const std::uint8_t> data) {
        for (const std::uint8_t b : data) {
            fixed_symbol(b);
        }
        return *this;
    }
    deflate_writer& end_of_block() { return fixed_symbol(256); }
    /// A match with the fixed codes: its length symbol and extra bits, then its distance's.
    deflate_writer& fixed_match(unsigned length, unsigned distance) {
        unsigned l = 28;
        while (length_base[l] > length) {
            --l;
        }
        fixed_symbol(257 + l).bits(length - length_base[l], length_extra[l]);
        unsigned d = 29;
        while (distance_base[d] > distance) {
            --d;
        }
        return code(d, 5).bits(distance - distance_base[d], distance_extra[d]);
    }

    std::size_t bit_count() const noexcept { return count_; }
    /// The stream so far; a last partial byte is padded with zero bits.
    const std::vector<std::uint8_t>& bytes() const noexcept { return bytes_; }

private:
    void put(std::uint32_t bit) {
        if (count_ % 8 == 0) {
            bytes_.push_back(0);
        }
        bytes_.back() = static_cast<std::uint8_t>(bytes_.back() | (bit << (count_ % 8)));
        ++count_;
    }

    std::vector<std::uint8_t> bytes_;
    std::size_t count_ = 0;
};

/// The canonical code of each symbol for these code lengths (RFC 1951 3.2.2).
inline std::vector<std::uint32_t> canonical_codes(std::span<const std::uint8_t> lengths) {
    std::array<std::uint32_t, 16> count{};
    for (const std::uint8_t l : lengths) {
        ++count[l];
    }
    count[0] = 0;
    std::array<std::uint32_t, 16> next{};
    std::uint32_t code = 0;
    for (unsigned bits = 1; bits < 16; ++bits) {
        code = (code + count[bits - 1]) << 1;
        next[bits] = code;
    }
    std::vector<std::uint32_t> codes(lengths.size());
    for (std::size_t s = 0; s < lengths.size(); ++s) {
        if (lengths[s] != 0) {
            codes[s] = next[lengths[s]]++;
        }
    }
    return codes;
}

/// One symbol of a dynamic header's code lengths: a length 0-15, or a repeat (16: the
/// previous length, 17 and 18: zeros) with the value of its extra bits.
struct code_length_item {
    unsigned symbol;
    unsigned extra = 0;
};

/// A dynamic block header (RFC 1951 3.2.7) as given, valid or not: HLIT and HDIST from the
/// counts (257-288, 1-32), all 19 code-length code lengths sent (by symbol in
/// `code_length_lengths`), then `items` with that code.
inline void dynamic_header_raw(deflate_writer& w, bool final, unsigned literal_codes, unsigned distance_codes,
                               const std::array<std::uint8_t, 19>& code_length_lengths,
                               std::span<const code_length_item> items) {
    w.header(final, 2).bits(literal_codes - 257, 5).bits(distance_codes - 1, 5).bits(19 - 4, 4);
    static constexpr std::array<unsigned, 19> order{16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15};
    for (const unsigned symbol : order) {
        w.bits(code_length_lengths[symbol], 3);
    }
    const std::vector<std::uint32_t> codes = canonical_codes(code_length_lengths);
    for (const code_length_item& item : items) {
        w.code(codes[item.symbol], code_length_lengths[item.symbol]);
        if (item.symbol >= 16) {
            w.bits(item.extra, item.symbol == 16 ? 2 : item.symbol == 17 ? 3 : 7);
        }
    }
}

/// A dynamic block header for these literal/length and distance code lengths, each length
/// sent as itself with a code-length code that gives symbols 0-15 four bits each. Nothing is
/// checked: invalid lengths make an invalid header.
inline void dynamic_header(deflate_writer& w, bool final, std::span<const std::uint8_t> litlen,
                           std::span<const std::uint8_t> distance) {
    std::array<std::uint8_t, 19> four_bits{};
    for (unsigned s = 0; s < 16; ++s) {
        four_bits[s] = 4;
    }
    std::vector<code_length_item> items;
    for (const std::uint8_t l : litlen) {
        items.push_back({l});
    }
    for (const std::uint8_t l : distance) {
        items.push_back({l});
    }
    dynamic_header_raw(w, final, static_cast<unsigned>(litlen.size()), static_cast<unsigned>(distance.size()),
                       four_bits, items);
}

} // namespace wscheck::proto::testing
