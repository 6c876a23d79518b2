#include "harness/proto/deflate_decoder.hpp"

#include "harness/proto/deflate_huffman.hpp"
#include "harness/proto/error.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <limits>

namespace wscheck::proto {
namespace {

using huffman::entry;

/// Output room after the window's worth of history; it slides back when used up.
constexpr std::size_t room_size = 64 * 1024;
/// How far past its end copy_match may write (into spare bytes after the room).
constexpr std::size_t copy_overrun = 64;
constexpr std::size_t max_match = 258;
/// The most a round of the fast loop outputs: two literals and a match, or three literals.
constexpr std::size_t fast_round_output = 2 + max_match;
/// The most input a round of the fast loop reads: two refills of a word.
constexpr std::size_t fast_round_input = 16;

constexpr unsigned litlen_root = huffman::literal_length_root_bits;
constexpr unsigned distance_root = huffman::distance_root_bits;
constexpr std::uint64_t litlen_mask = (std::uint64_t{1} << litlen_root) - 1;
constexpr std::uint64_t distance_mask = (std::uint64_t{1} << distance_root) - 1;

/// RFC 1951 3.2.7: the order the code-length code's lengths come in.
constexpr std::array<std::uint8_t, 19> code_length_order{16, 17, 18, 0, 8,  7, 9,  6, 10, 5,
                                                         11, 4,  12, 3, 13, 2, 14, 1, 15};

constexpr std::uint64_t low_bits(unsigned n) noexcept { return (std::uint64_t{1} << n) - 1; }

std::uint64_t load_word(const std::uint8_t* p) noexcept {
    std::uint64_t w = 0;
    std::memcpy(&w, p, sizeof w);
    if constexpr (std::endian::native == std::endian::big) {
        w = __builtin_bswap64(w);
    }
    return w;
}

/// For a distance under 8: the largest multiple of it up to 8, where the 8 bytes of its
/// repeating pattern start over.
constexpr std::array<std::uint8_t, 8> pattern_step{0, 8, 8, 6, 8, 5, 6, 7};

/// Copies `length` bytes from `distance` back (overlapping as LZ77 means it: byte after
/// byte), by words; may write up to copy_overrun bytes past the end.
inline void copy_match(std::uint8_t* to, std::size_t distance, std::size_t length) noexcept {
    const std::uint8_t* from = to - distance;
    std::uint8_t* const end = to + length;
    if (distance >= 16) {
        do {
            std::memcpy(to, from, 16);
            to += 16;
            from += 16;
        } while (to < end);
    } else if (distance >= 8) {
        do {
            std::memcpy(to, from, 8);
            to += 8;
            from += 8;
        } while (to < end);
    } else if (distance == 1) {
        const std::uint64_t run = std::uint64_t{*from} * 0x0101'0101'0101'0101u;
        do {
            std::memcpy(to, &run, 8);
            std::memcpy(to + 8, &run, 8);
            to += 16;
        } while (to < end);
    } else {
        // The first 8 bytes one by one make the pattern; then it repeats every step bytes.
        for (std::size_t i = 0; i < 8; ++i) {
            to[i] = from[i];
        }
        std::uint64_t pattern = 0;
        std::memcpy(&pattern, to, 8);
        const std::size_t step = pattern_step[distance];
        for (to += step; to < end; to += step) {
            std::memcpy(to, &pattern, 8);
        }
    }
}

enum class mode : std::uint8_t {
    block_header,     ///< before a block: BFINAL and BTYPE next (zlib's TYPE)
    stored_lengths,   ///< LEN and NLEN of a stored block next
    stored_copy,      ///< stored_left bytes of a stored block next
    table_sizes,      ///< HLIT, HDIST, HCLEN of a dynamic block next
    code_length_code, ///< the code-length code's lengths next
    code_lengths,     ///< the literal/length and distance code lengths next
    codes,            ///< literals and matches until the end of the block
    stream_end,       ///< the message's stream ended (BFINAL): the rest is ignored
    spent,            ///< an error was returned
};

/// What a step of decoding came to.
enum class step : std::uint8_t {
    more,       ///< went on: decode on
    need_input, ///< all input used (or the stream ended): the call is done
    block_end,  ///< the block's end-of-block code
    bad_data,
    too_big,
};

} // namespace

struct deflate_decoder::state {
    deflate_decoder_options options;
    std::size_t window = 0;     ///< 2^window_bits
    std::uint64_t most = 0;     ///< max_message_size
    mode at = mode::block_header;
    bool final_block = false;   ///< the block in progress has BFINAL

    // Input not yet used: the first bit lowest, bit_count of them; the bits above are 0.
    std::uint64_t bits = 0;
    unsigned bit_count = 0;
    const std::uint8_t* in = nullptr;
    const std::uint8_t* in_end = nullptr;

    std::uint32_t stored_left = 0;
    unsigned literal_codes = 0;
    unsigned distance_codes = 0;
    unsigned code_length_codes = 0;
    unsigned have = 0; ///< lengths read so far
    std::array<std::uint8_t, 19> code_length_lengths{};
    std::array<std::uint8_t, 286 + 30> lengths{};
    const entry* litlen = nullptr;
    const entry* distances = nullptr;
    std::array<entry, huffman::literal_length_table_size> litlen_table{};
    std::array<entry, huffman::distance_table_size> distance_table{};
    std::array<entry, huffman::code_length_table_size> code_length_table{};

    // Output: buffer[0, pos) is the history a match may reach (within the window),
    // buffer[flushed, pos) what the caller has not been given yet.
    std::unique_ptr<std::uint8_t[]> buffer;
    std::size_t buffer_end = 0; ///< window + room_size; copy_overrun spare bytes follow
    std::size_t pos = 0;
    std::size_t flushed = 0;
    std::uint64_t message_out = 0; ///< bytes of the message in progress
    std::vector<std::uint8_t>* out = nullptr;

    std::uint64_t cap_left() const noexcept {
        return most == std::numeric_limits<std::uint64_t>::max() ? most - message_out : most + 1 - message_out;
    }

    void pull() noexcept {
        while (bit_count <= 55 && in != in_end) {
            bits |= std::uint64_t{*in++} << bit_count;
            bit_count += 8;
        }
    }
    void drop(unsigned n) noexcept {
        bits >>= n;
        bit_count -= n;
    }

    void flush();
    void slide();
    void make_room(std::size_t n) {
        if (buffer_end - pos < n) {
            slide();
        }
    }
    step put_literal(std::uint8_t byte);
    step put_match(std::size_t distance, std::size_t length);

    step run();
    step block_header();
    step stored_lengths();
    step stored_copy();
    step table_sizes();
    step code_length_code();
    step code_lengths();
    step codes();
    step fast_codes();
    step slow_code();
    void reset_stream() noexcept {
        at = mode::block_header;
        final_block = false;
        bits = 0;
        bit_count = 0;
    }
};

void deflate_decoder::state::flush() {
    const std::size_t n = pos - flushed;
    if (n == 0) {
        return;
    }
    std::vector<std::uint8_t>& o = *out;
    const std::size_t at_size = o.size();
    if (n > o.capacity() - at_size) {
        // Geometric growth, but never reserving past what the cap lets this message add.
        const std::uint64_t allowed = cap_left() + n;
        const std::size_t most_size =
            at_size + static_cast<std::size_t>(std::min<std::uint64_t>(allowed, SIZE_MAX - at_size));
        o.reserve(std::min(std::max(at_size + n, 2 * o.capacity()), most_size));
    }
    o.insert(o.end(), buffer.get() + flushed, buffer.get() + pos);
    flushed = pos;
}

void deflate_decoder::state::slide() {
    flush();
    const std::size_t keep = std::min(pos, window);
    std::memmove(buffer.get(), buffer.get() + pos - keep, keep);
    pos = keep;
    flushed = keep;
}

step deflate_decoder::state::put_literal(std::uint8_t byte) {
    make_room(1);
    buffer[pos++] = byte;
    ++message_out;
    return message_out > most ? step::too_big : step::more;
}

step deflate_decoder::state::put_match(std::size_t distance, std::size_t length) {
    if (distance > pos || distance > window) {
        return step::bad_data; // RFC 7692 7.1.2: further back than the window, or than any output
    }
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(length, cap_left()));
    make_room(n); // keeps the window's worth of history, so `distance` still reaches
    copy_match(buffer.get() + pos, distance, n);
    pos += n;
    message_out += n;
    return message_out > most ? step::too_big : step::more;
}

step deflate_decoder::state::run() {
    for (;;) {
        step r = step::more;
        switch (at) {
        case mode::block_header:
            r = block_header();
            break;
        case mode::stored_lengths:
            r = stored_lengths();
            break;
        case mode::stored_copy:
            r = stored_copy();
            break;
        case mode::table_sizes:
            r = table_sizes();
            break;
        case mode::code_length_code:
            r = code_length_code();
            break;
        case mode::code_lengths:
            r = code_lengths();
            break;
        case mode::codes:
            r = codes();
            break;
        case mode::stream_end:
            return step::need_input;
        case mode::spent:
            return step::bad_data;
        }
        if (r == step::block_end) {
            at = final_block ? mode::stream_end : mode::block_header;
        } else if (r != step::more) {
            return r;
        }
    }
}

step deflate_decoder::state::block_header() {
    pull();
    if (bit_count < 3) {
        return step::need_input;
    }
    final_block = (bits & 1) != 0;
    const auto type = static_cast<unsigned>((bits >> 1) & 3);
    drop(3);
    switch (type) {
    case 0:
        at = mode::stored_lengths;
        break;
    case 1:
        litlen = huffman::fixed().literal_length;
        distances = huffman::fixed().distance;
        at = mode::codes;
        break;
    case 2:
        at = mode::table_sizes;
        break;
    default:
        return step::bad_data; // BTYPE 11 is reserved (RFC 1951 3.2.3)
    }
    return step::more;
}

step deflate_decoder::state::stored_lengths() {
    drop(bit_count % 8); // to the byte boundary (RFC 1951 3.2.4)
    pull();
    if (bit_count < 32) {
        return step::need_input;
    }
    const auto length = static_cast<std::uint32_t>(bits & 0xffff);
    const auto complement = static_cast<std::uint32_t>((bits >> 16) & 0xffff);
    if (length != (complement ^ 0xffff)) {
        return step::bad_data;
    }
    drop(32);
    stored_left = length;
    at = mode::stored_copy;
    return step::more;
}

step deflate_decoder::state::stored_copy() {
    while (stored_left > 0) {
        if (bit_count >= 8) {
            // Bytes already in the bit buffer come first (whole ones: the block is aligned).
            const auto byte = static_cast<std::uint8_t>(bits);
            drop(8);
            --stored_left;
            if (const step r = put_literal(byte); r != step::more) {
                return r;
            }
            continue;
        }
        std::size_t n = std::min<std::size_t>(stored_left, static_cast<std::size_t>(in_end - in));
        if (n == 0) {
            return step::need_input;
        }
        make_room(1);
        n = std::min({n, buffer_end - pos, static_cast<std::size_t>(std::min<std::uint64_t>(n, cap_left()))});
        std::memcpy(buffer.get() + pos, in, n);
        in += n;
        pos += n;
        message_out += n;
        stored_left -= static_cast<std::uint32_t>(n);
        if (message_out > most) {
            return step::too_big;
        }
    }
    return step::block_end;
}

step deflate_decoder::state::table_sizes() {
    pull();
    if (bit_count < 14) {
        return step::need_input;
    }
    literal_codes = static_cast<unsigned>(bits & 31) + 257;
    distance_codes = static_cast<unsigned>((bits >> 5) & 31) + 1;
    code_length_codes = static_cast<unsigned>((bits >> 10) & 15) + 4;
    drop(14);
    if (literal_codes > 286 || distance_codes > 30) {
        return step::bad_data; // zlib: "too many length or distance symbols"
    }
    have = 0;
    at = mode::code_length_code;
    return step::more;
}

step deflate_decoder::state::code_length_code() {
    while (have < code_length_codes) {
        pull();
        if (bit_count < 3) {
            return step::need_input;
        }
        code_length_lengths[code_length_order[have++]] = static_cast<std::uint8_t>(bits & 7);
        drop(3);
    }
    while (have < 19) {
        code_length_lengths[code_length_order[have++]] = 0;
    }
    if (!huffman::build(huffman::code_kind::code_lengths, code_length_lengths, code_length_table)) {
        return step::bad_data; // zlib: "invalid code lengths set"
    }
    have = 0;
    at = mode::code_lengths;
    return step::more;
}

step deflate_decoder::state::code_lengths() {
    const unsigned total = literal_codes + distance_codes;
    while (have < total) {
        pull();
        const entry e = code_length_table[static_cast<std::size_t>(bits & low_bits(huffman::code_length_root_bits))];
        const unsigned code = huffman::code_bits(e);
        if (code > bit_count) {
            return step::need_input;
        }
        const unsigned symbol = huffman::value(e);
        if (symbol < 16) {
            drop(code);
            lengths[have++] = static_cast<std::uint8_t>(symbol);
            continue;
        }
        // 16: the previous length 3-6 times; 17: zeros 3-10 times; 18: zeros 11-138 times.
        const unsigned extra = symbol == 16 ? 2 : symbol == 17 ? 3 : 7;
        if (code + extra > bit_count) {
            return step::need_input;
        }
        const auto repeat = static_cast<unsigned>((bits >> code) & low_bits(extra));
        drop(code + extra);
        std::uint8_t length = 0;
        unsigned times = 0;
        if (symbol == 16) {
            if (have == 0) {
                return step::bad_data; // zlib: "invalid bit length repeat"
            }
            length = lengths[have - 1];
            times = 3 + repeat;
        } else {
            times = (symbol == 17 ? 3 : 11) + repeat;
        }
        if (have + times > total) {
            return step::bad_data; // zlib: "invalid bit length repeat"
        }
        std::fill_n(lengths.begin() + have, times, length);
        have += times;
    }
    if (lengths[256] == 0) {
        return step::bad_data; // zlib: "invalid code -- missing end-of-block"
    }
    const std::span<const std::uint8_t> all{lengths.data(), total};
    if (!huffman::build(huffman::code_kind::literal_length, all.first(literal_codes), litlen_table) ||
        !huffman::build(huffman::code_kind::distance, all.subspan(literal_codes), distance_table)) {
        return step::bad_data; // zlib: "invalid literal/lengths set", "invalid distances set"
    }
    litlen = litlen_table.data();
    distances = distance_table.data();
    at = mode::codes;
    return step::more;
}

step deflate_decoder::state::codes() {
    for (;;) {
        if (static_cast<std::size_t>(in_end - in) >= fast_round_input) {
            if (buffer_end - pos <= fast_round_output) {
                slide();
            }
            if (cap_left() > fast_round_output) {
                if (const step r = fast_codes(); r != step::more) {
                    return r;
                }
            }
        }
        if (const step r = slow_code(); r != step::more) {
            return r;
        }
    }
}

step deflate_decoder::state::fast_codes() {
    // Everything the loop touches is local, so that it stays in registers.
    std::uint64_t bitbuf = bits;
    unsigned bitsleft = bit_count;
    const std::uint8_t* next = in;
    const std::uint8_t* const next_limit = in_end - fast_round_input;
    std::uint8_t* const base = buffer.get();
    std::uint8_t* op = base + pos;
    std::uint8_t* const op_start = op;
    // A round starts only with room for its most output before the end of the room and
    // before passing the cap (which the slow path reaches byte by byte).
    const std::size_t by_room = buffer_end - fast_round_output - pos;
    const std::uint64_t by_cap = cap_left() - fast_round_output - 1;
    std::uint8_t* const op_limit = op + static_cast<std::size_t>(std::min<std::uint64_t>(by_room, by_cap));
    const entry* const lit = litlen;
    const entry* const dist = distances;
    const std::size_t window_size = window;

    const auto refill = [&] {
        // Whole bytes up to 56-63 bits; the bits loaded above them are the next input's
        // and will be loaded again in the same place.
        bitbuf |= load_word(next) << bitsleft;
        next += (63 - bitsleft) >> 3;
        bitsleft |= 56;
    };
    const auto consume = [&](unsigned n) {
        bitbuf >>= n;
        bitsleft -= n;
    };

    step result = step::more;
    while (op <= op_limit && next <= next_limit) {
        refill();
        entry e = lit[static_cast<std::size_t>(bitbuf & litlen_mask)];
        if ((e & huffman::literal_flag) != 0) {
            // At least 56 bits: up to three literals (15 bits each at most) before a refill.
            consume(huffman::entry_bits(e));
            *op++ = static_cast<std::uint8_t>(huffman::value(e));
            e = lit[static_cast<std::size_t>(bitbuf & litlen_mask)];
            if ((e & huffman::literal_flag) != 0) {
                consume(huffman::entry_bits(e));
                *op++ = static_cast<std::uint8_t>(huffman::value(e));
                e = lit[static_cast<std::size_t>(bitbuf & litlen_mask)];
                if ((e & huffman::literal_flag) != 0) {
                    consume(huffman::entry_bits(e));
                    *op++ = static_cast<std::uint8_t>(huffman::value(e));
                    continue;
                }
            }
            refill(); // a length and a distance take up to 48 bits
        }
        if ((e & huffman::exceptional_flag) != 0) {
            if ((e & huffman::subtable_flag) != 0) {
                consume(litlen_root);
                e = lit[huffman::value(e) + static_cast<std::size_t>(bitbuf & low_bits(huffman::code_bits(e)))];
                if ((e & huffman::literal_flag) != 0) {
                    consume(huffman::entry_bits(e));
                    *op++ = static_cast<std::uint8_t>(huffman::value(e));
                    continue;
                }
            }
            if ((e & huffman::exceptional_flag) != 0) {
                if ((e & huffman::end_of_block_flag) != 0) {
                    consume(huffman::entry_bits(e));
                    result = step::block_end;
                } else {
                    result = step::bad_data; // literal/length 286 or 287, or an unused code
                }
                break;
            }
        }
        const std::size_t length = huffman::value_with_extra(e, bitbuf);
        consume(huffman::entry_bits(e));
        entry d = dist[static_cast<std::size_t>(bitbuf & distance_mask)];
        if ((d & huffman::exceptional_flag) != 0) {
            if ((d & huffman::subtable_flag) != 0) {
                consume(distance_root);
                d = dist[huffman::value(d) + static_cast<std::size_t>(bitbuf & low_bits(huffman::code_bits(d)))];
            }
            if ((d & huffman::exceptional_flag) != 0) {
                result = step::bad_data; // distance 30 or 31, or an unused code
                break;
            }
        }
        const std::size_t distance = huffman::value_with_extra(d, bitbuf);
        consume(huffman::entry_bits(d));
        if (distance > static_cast<std::size_t>(op - base) || distance > window_size) {
            result = step::bad_data; // RFC 7692 7.1.2: further back than the window, or than any output
            break;
        }
        copy_match(op, distance, length);
        op += length;
    }

    bits = bitbuf & low_bits(bitsleft);
    bit_count = bitsleft;
    in = next;
    pos = static_cast<std::size_t>(op - base);
    message_out += static_cast<std::size_t>(op - op_start);
    return result;
}

step deflate_decoder::state::slow_code() {
    // A symbol is used only once all its bits are in: a length with its distance.
    pull();
    entry e = litlen[static_cast<std::size_t>(bits & litlen_mask)];
    unsigned used = 0;
    if ((e & huffman::subtable_flag) != 0) {
        if (bit_count < litlen_root) {
            return step::need_input;
        }
        used = litlen_root;
        e = litlen[huffman::value(e) + static_cast<std::size_t>((bits >> used) & low_bits(huffman::code_bits(e)))];
    }
    if (used + huffman::code_bits(e) > bit_count) {
        return step::need_input;
    }
    if ((e & huffman::literal_flag) != 0) {
        drop(used + huffman::entry_bits(e));
        return put_literal(static_cast<std::uint8_t>(huffman::value(e)));
    }
    if ((e & huffman::exceptional_flag) != 0) {
        if ((e & huffman::end_of_block_flag) != 0) {
            drop(used + huffman::entry_bits(e));
            return step::block_end;
        }
        return step::bad_data;
    }
    const unsigned length_bits = used + huffman::entry_bits(e);
    if (length_bits > bit_count) {
        return step::need_input;
    }
    const std::size_t length = huffman::value_with_extra(e, bits >> used);
    const std::uint64_t rest = bits >> length_bits;
    const unsigned rest_count = bit_count - length_bits;
    entry d = distances[static_cast<std::size_t>(rest & distance_mask)];
    unsigned d_used = 0;
    if ((d & huffman::subtable_flag) != 0) {
        if (rest_count < distance_root) {
            return step::need_input;
        }
        d_used = distance_root;
        d = distances[huffman::value(d) + static_cast<std::size_t>((rest >> d_used) & low_bits(huffman::code_bits(d)))];
    }
    if (d_used + huffman::code_bits(d) > rest_count) {
        return step::need_input;
    }
    if ((d & huffman::exceptional_flag) != 0) {
        return step::bad_data;
    }
    if (d_used + huffman::entry_bits(d) > rest_count) {
        return step::need_input;
    }
    const std::size_t distance = huffman::value_with_extra(d, rest >> d_used);
    drop(length_bits + d_used + huffman::entry_bits(d));
    return put_match(distance, length);
}

// ---------------------------------------------------------------- public

deflate_decoder::deflate_decoder(const deflate_decoder_options& options) : s_(std::make_unique<state>()) {
    state& s = *s_;
    s.options = options;
    s.options.window_bits = std::clamp(options.window_bits, min_window_bits, max_window_bits);
    s.window = std::size_t{1} << s.options.window_bits;
    s.most = options.max_message_size;
    s.buffer_end = s.window + room_size;
}

deflate_decoder::~deflate_decoder() = default;
deflate_decoder::deflate_decoder(deflate_decoder&&) noexcept = default;
deflate_decoder& deflate_decoder::operator=(deflate_decoder&&) noexcept = default;

std::error_code deflate_decoder::write(std::span<const std::uint8_t> in, std::vector<std::uint8_t>& out) {
    state& s = *s_;
    if (s.at == mode::spent) {
        return violation::bad_compressed_data;
    }
    if (s.at == mode::stream_end) {
        return {}; // RFC 7692 7.2.3.4: what follows the end of the stream is not DEFLATE data
    }
    if (!s.buffer) {
        s.buffer = std::make_unique_for_overwrite<std::uint8_t[]>(s.buffer_end + copy_overrun);
    }
    s.in = in.data();
    s.in_end = in.data() + in.size();
    s.out = &out;
    const step r = s.run();
    s.flush();
    s.in = nullptr;
    s.in_end = nullptr;
    s.out = nullptr;
    switch (r) {
    case step::bad_data:
        s.at = mode::spent;
        return violation::bad_compressed_data;
    case step::too_big:
        s.at = mode::spent;
        return violation::inflated_too_big;
    default:
        return {};
    }
}

void deflate_decoder::end_message() noexcept {
    state& s = *s_;
    if (s.at == mode::spent) {
        return;
    }
    s.message_out = 0;
    if (s.at == mode::stream_end || s.options.no_context_takeover) {
        s.reset_stream();
    }
    if (s.options.no_context_takeover) {
        s.pos = 0; // no history
        s.flushed = 0;
    }
}

bool deflate_decoder::stream_ended() const noexcept { return s_->at == mode::stream_end; }

bool deflate_decoder::at_block_boundary() const noexcept { return s_->at == mode::block_header; }

std::uint64_t deflate_decoder::message_size() const noexcept { return s_->message_out; }

std::size_t deflate_decoder::memory_in_use() const noexcept {
    return sizeof(state) + (s_->buffer ? s_->buffer_end + copy_overrun : 0);
}

const deflate_decoder_options& deflate_decoder::options() const noexcept { return s_->options; }

} // namespace wscheck::proto
